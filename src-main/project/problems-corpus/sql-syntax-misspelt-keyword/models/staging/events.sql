MODEL (
  name staging.events,
  kind VIEW
);

SELECT
  id,
  kind,
  ts
FORM raw.events
