MODEL (
  name staging.events,
  kind VIEW
);

SELECT
  id,
  kinds,
  ts
FROM raw.events
