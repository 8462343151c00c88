AUDIT (
  name positive_total
);
SELECT 1
