MODEL (
  name orders,
  kind FULL,
  grain order_id
);

SELECT
  order_id,
  customer_id,
  amount,
  ordered_at
FROM (VALUES (1, 1, 10.5, TIMESTAMP '2024-01-01 10:00'), (2, 2, 20.0, TIMESTAMP '2024-01-02 11:00')) AS v(order_id, customer_id, amount, ordered_at)
