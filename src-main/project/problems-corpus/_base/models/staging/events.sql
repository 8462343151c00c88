MODEL (
  name staging.events,
  kind VIEW
);

SELECT
  id,
  kind,
  ts
FROM raw.events
