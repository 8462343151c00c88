MODEL (
  name staging.events,
  kind VIEW
);

SELECT *
FROM raw.events
