-- Typed collisions, loaded one day at a time.
MODEL (
  name intermediate.int_collisions_daily,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column crash_ts,
    batch_size 31
  ),
  grain collision_id,
  audits (not_null(columns := (collision_id, crash_ts)))
);

SELECT
  collision_id,
  crash_ts,
  CAST(crash_ts AS DATE) AS crash_day, -- calendar day of the crash
  COALESCE(borough, 'UNKNOWN') AS borough, -- UNKNOWN when Socrata has no borough
  persons_injured,
  persons_killed,
  pedestrians_injured,
  pedestrians_killed,
  cyclists_injured,
  cyclists_killed,
  motorists_injured,
  motorists_killed
FROM staging.stg_collisions
WHERE crash_ts BETWEEN @start_ts AND @end_ts
