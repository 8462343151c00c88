MODEL (
  name staging.orders,
  kind FULL,
  grain order_id
);

