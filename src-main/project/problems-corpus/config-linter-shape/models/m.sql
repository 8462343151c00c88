MODEL (name staging.m, kind VIEW);
SELECT 1 AS x
