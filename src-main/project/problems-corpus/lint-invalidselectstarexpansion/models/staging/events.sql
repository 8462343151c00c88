MODEL (
  name staging.events,
  kind VIEW
);

SELECT *
FROM raw.unknown_events
