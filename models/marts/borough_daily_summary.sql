-- Collisions and casualties per borough and day.
MODEL (
  name marts.borough_daily_summary,
  kind FULL,
  grain (borough, crash_day),
  audits (
    not_null(columns := (borough, crash_day)),
    unique_combination_of_columns(columns := (borough, crash_day))
  )
);

SELECT
  borough,
  crash_day,
  COUNT(*) AS collisions, -- number of crashes
  SUM(persons_injured) AS persons_injured,
  SUM(persons_killed) AS persons_killed,
  SUM(pedestrians_injured) AS pedestrians_injured,
  SUM(pedestrians_killed) AS pedestrians_killed,
  SUM(cyclists_injured) AS cyclists_injured,
  SUM(cyclists_killed) AS cyclists_killed,
  SUM(motorists_injured) AS motorists_injured,
  SUM(motorists_killed) AS motorists_killed
FROM intermediate.int_collisions_daily
GROUP BY borough, crash_day
ORDER BY crash_day, borough
