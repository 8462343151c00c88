AUDIT (
  name positive_total
);
SELECT * FROM @this_model WHERE total < '0
