MODEL (
  name staging.customers,
  kind SEED (path '../../seeds/customers.csv')
);
