MODEL (
  name marts.daily,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column day
  ),
  audits (not_null(columns := (day, total)))
);

SELECT
  CAST(o.ordered_at AS DATE) AS day,
  c.city,
  SUM(o.amount) AS total
FROM staging.orders AS o
JOIN staging.customers AS c ON c.customer_id = o.customer_id
WHERE o.ordered_at BETWEEN @start_ts AND @end_ts
GROUP BY 1, 2
