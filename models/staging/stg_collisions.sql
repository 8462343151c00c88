-- NYC collisions with proper types: one row per crash.
MODEL (
  name staging.stg_collisions,
  kind VIEW,
  grain collision_id,
  tags [staging, nyc]
);

SELECT
  TRY_CAST(collision_id AS BIGINT) AS collision_id, -- Socrata's unique id of the crash
  TRY_CAST(crash_date AS DATE) + TRY_CAST(crash_time AS TIME) AS crash_ts, -- crash date and time (local NYC time)
  NULLIF(TRIM(borough), '') AS borough,
  NULLIF(TRIM(zip_code), '') AS zip_code,
  TRY_CAST(latitude AS DOUBLE) AS latitude,
  TRY_CAST(longitude AS DOUBLE) AS longitude,
  NULLIF(TRIM(on_street_name), '') AS on_street_name,
  NULLIF(TRIM(cross_street_name), '') AS cross_street_name,
  NULLIF(TRIM(off_street_name), '') AS off_street_name,
  COALESCE(TRY_CAST(number_of_persons_injured AS INTEGER), 0) AS persons_injured,
  COALESCE(TRY_CAST(number_of_persons_killed AS INTEGER), 0) AS persons_killed,
  COALESCE(TRY_CAST(number_of_pedestrians_injured AS INTEGER), 0) AS pedestrians_injured,
  COALESCE(TRY_CAST(number_of_pedestrians_killed AS INTEGER), 0) AS pedestrians_killed,
  COALESCE(TRY_CAST(number_of_cyclist_injured AS INTEGER), 0) AS cyclists_injured,
  COALESCE(TRY_CAST(number_of_cyclist_killed AS INTEGER), 0) AS cyclists_killed,
  COALESCE(TRY_CAST(number_of_motorist_injured AS INTEGER), 0) AS motorists_injured,
  COALESCE(TRY_CAST(number_of_motorist_killed AS INTEGER), 0) AS motorists_killed,
  contributing_factor_vehicle_1 AS contributing_factor_1,
  contributing_factor_vehicle_2 AS contributing_factor_2,
  vehicle_type_code1 AS vehicle_type_1,
  vehicle_type_code2 AS vehicle_type_2
FROM raw.nyc_collisions
