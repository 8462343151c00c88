/**
 * SCD type 2 (`SCD_TYPE_2_BY_TIME`, `SCD_TYPE_2_BY_COLUMN`) as one query that yields the whole
 * new table from the stored history and the model's query (the current snapshot of the source),
 * as SQLMesh does on engines without a native merge: history rows stay; a current row whose key
 * changed is closed (`valid_to`) and its new version opened (`valid_from`); a key not in the
 * snapshot is closed only with `invalidate_hard_deletes`; a new key opens at 1970-01-01 unless
 * `updated_at_as_valid_from` / `execution_time_as_valid_from`.
 *  - BY_TIME: a key changed when the snapshot's `updated_at` is later; times are `updated_at`.
 *  - BY_COLUMN: a key changed when any checked column differs; times are the execution time.
 */
import type { ModelKind } from '../project/model-kind';

type Scd2Kind = Extract<ModelKind, { name: 'SCD_TYPE_2_BY_TIME' | 'SCD_TYPE_2_BY_COLUMN' }>;

const q = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export function isScd2(kind: ModelKind): kind is Scd2Kind {
  return kind.name === 'SCD_TYPE_2_BY_TIME' || kind.name === 'SCD_TYPE_2_BY_COLUMN';
}

/** The empty shape of the table: the query's columns plus the validity columns. */
export function scd2EmptySql(kind: Scd2Kind, query: string): string {
  const type = kind.timeDataType;
  return `SELECT *, NULL::${type} AS ${q(kind.validFromName)}, NULL::${type} AS ${q(kind.validToName)} FROM (${query}) AS __source`;
}

/**
 * The new table. `table` is the stored table (qualified SQL name), `query` the snapshot,
 * `columns` the snapshot's column names (for BY_COLUMN with `*`), `executionTime` a SQL literal.
 */
export function scd2Sql(kind: Scd2Kind, table: string, query: string, columns: string[], executionTime: string): string {
  const type = kind.timeDataType;
  const from = q(kind.validFromName);
  const to = q(kind.validToName);
  const keys = kind.uniqueKey;
  const join = (a: string, b: string): string => keys.map((k) => `${a}.${q(k)} = ${b}.${q(k)}`).join(' AND ');
  const epoch = `CAST('1970-01-01 00:00:00' AS ${type})`;
  const now = `CAST(${executionTime} AS ${type})`;
  let changed: string;
  let changeTime: string;
  let firstFrom: string;
  if (kind.name === 'SCD_TYPE_2_BY_TIME') {
    const updated = q(kind.updatedAtName ?? 'updated_at');
    changed = `CAST(s.${updated} AS ${type}) > CAST(c.${updated} AS ${type})`;
    changeTime = `CAST(s.${updated} AS ${type})`;
    firstFrom = kind.updatedAtAsValidFrom ? changeTime : epoch;
  } else {
    const checked = kind.columns === '*' || kind.columns === undefined ? columns.filter((c) => !keys.some((k) => k.toLowerCase() === c.toLowerCase())) : kind.columns;
    changed = checked.length > 0 ? `(${checked.map((c) => `s.${q(c)} IS DISTINCT FROM c.${q(c)}`).join(' OR ')})` : 'FALSE';
    changeTime = now;
    firstFrom = kind.executionTimeAsValidFrom ? now : epoch;
  }
  const deletedTo = kind.invalidateHardDeletes ? now : 'NULL';
  const firstKey = q(keys[0] ?? '');
  return `WITH __existing AS (SELECT * FROM ${table}),
__current AS (SELECT * FROM __existing WHERE ${to} IS NULL),
__source AS (SELECT * FROM (${query}) AS __q),
__seen AS (SELECT DISTINCT ${keys.map(q).join(', ')} FROM __existing)
SELECT * FROM __existing WHERE ${to} IS NOT NULL
UNION ALL BY NAME
SELECT * EXCLUDE (__present, __changed, __change_time) REPLACE (CASE WHEN __present IS NULL THEN ${deletedTo} WHEN __changed THEN __change_time ELSE NULL END AS ${to})
FROM (SELECT c.*, s.__present, ${changed} AS __changed, ${changeTime} AS __change_time
      FROM __current AS c LEFT JOIN (SELECT *, TRUE AS __present FROM __source) AS s ON ${join('c', 's')})
UNION ALL BY NAME
SELECT s.*, CASE WHEN c.${firstKey} IS NOT NULL OR e.${firstKey} IS NOT NULL THEN ${changeTime} ELSE ${firstFrom} END AS ${from}, NULL::${type} AS ${to}
FROM __source AS s
LEFT JOIN __current AS c ON ${join('c', 's')}
LEFT JOIN __seen AS e ON ${join('e', 's')}
WHERE c.${firstKey} IS NULL OR ${changed}`;
}
