/** What a DuckDB type text says about its values' display: numbers align right, times plot on a time axis. */
export function isNumericType(type: string): boolean {
  return /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)/.test(type);
}

export function isTemporalType(type: string): boolean {
  return /^(DATE|TIMESTAMP)/.test(type);
}
