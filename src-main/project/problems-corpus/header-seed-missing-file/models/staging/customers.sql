MODEL (
  name staging.customers,
  kind SEED (path '../../seeds/customer.csv')
);
