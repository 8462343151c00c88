/**
 * Model kinds and their nested options (`kind INCREMENTAL_BY_TIME_RANGE (time_column ts, ...)`),
 * read from the header with SQLMesh's defaults. Kind and option names are case-insensitive.
 */
import { didYouMean } from './suggest';
import { dirname, resolve } from 'node:path';
import { isOp } from './lexer';
import { parsePropertyList, type PropItem, type PropValue, listItems, toPlain } from './properties';
import { describe, type PropertyReader } from './property-readers';

export type ChangePolicy = 'error' | 'warn' | 'allow' | 'ignore';

/** Options shared by the incremental and SCD kinds. */
export interface IncrementalOptions {
  forwardOnly: boolean;
  onDestructiveChange: ChangePolicy;
  onAdditiveChange: ChangePolicy;
  disableRestatement: boolean;
  autoRestatementCron?: string;
  batchSize?: number;
  batchConcurrency?: number;
  lookback: number;
}

export type ModelKind =
  | { name: 'VIEW'; materialized: boolean }
  | { name: 'FULL' }
  | ({
      name: 'INCREMENTAL_BY_TIME_RANGE';
      timeColumn: string;
      /** Format of a string-typed time column; `%Y-%m-%d` by default. */
      timeColumnFormat: string;
      partitionByTimeColumn: boolean;
      autoRestatementIntervals?: number;
    } & IncrementalOptions)
  | ({
      name: 'INCREMENTAL_BY_UNIQUE_KEY';
      /** Column names or expressions (as SQL text). */
      uniqueKey: string[];
      /** `WHEN MATCHED ...` clauses as SQL text. */
      whenMatched?: string;
      mergeFilter?: string;
    } & IncrementalOptions)
  | ({ name: 'INCREMENTAL_BY_PARTITION' } & IncrementalOptions)
  | ({ name: 'INCREMENTAL_UNMANAGED'; insertOverwrite: boolean } & IncrementalOptions)
  | ({
      name: 'SCD_TYPE_2_BY_TIME' | 'SCD_TYPE_2_BY_COLUMN';
      uniqueKey: string[];
      updatedAtName?: string;
      updatedAtAsValidFrom: boolean;
      /** SCD_TYPE_2_BY_COLUMN: checked columns, `'*'` for all. */
      columns?: string[] | '*';
      executionTimeAsValidFrom: boolean;
      validFromName: string;
      validToName: string;
      invalidateHardDeletes: boolean;
      timeDataType: string;
    } & IncrementalOptions)
  | {
      name: 'SEED';
      /** As written, relative to the model file. */
      path: string;
      /** Absolute path of the CSV file. */
      resolvedPath: string;
      batchSize: number;
      csvSettings: Record<string, unknown>;
    }
  | { name: 'EXTERNAL' }
  | { name: 'EMBEDDED' }
  /** A model whose query is a check: returned rows are failures (SQLMesh's newer audit-only models). */
  | { name: 'AUDIT_ONLY'; blocking: boolean; maxFailingRows?: number }
  | ({ name: 'CUSTOM'; materialization: string; materializationProperties: Record<string, unknown> } & IncrementalOptions);

export type ModelKindName = ModelKind['name'];

const KIND_NAMES: Record<string, ModelKindName> = {
  VIEW: 'VIEW',
  FULL: 'FULL',
  INCREMENTAL_BY_TIME_RANGE: 'INCREMENTAL_BY_TIME_RANGE',
  INCREMENTAL_BY_UNIQUE_KEY: 'INCREMENTAL_BY_UNIQUE_KEY',
  INCREMENTAL_BY_PARTITION: 'INCREMENTAL_BY_PARTITION',
  INCREMENTAL_UNMANAGED: 'INCREMENTAL_UNMANAGED',
  SCD_TYPE_2: 'SCD_TYPE_2_BY_TIME',
  SCD_TYPE_2_BY_TIME: 'SCD_TYPE_2_BY_TIME',
  SCD_TYPE_2_BY_COLUMN: 'SCD_TYPE_2_BY_COLUMN',
  SEED: 'SEED',
  EXTERNAL: 'EXTERNAL',
  EMBEDDED: 'EMBEDDED',
  AUDIT_ONLY: 'AUDIT_ONLY',
  CUSTOM: 'CUSTOM',
};

const INCREMENTAL_KEYS = [
  'forward_only', 'on_destructive_change', 'on_additive_change', 'disable_restatement',
  'auto_restatement_cron', 'batch_size', 'batch_concurrency', 'lookback',
];
const ALLOWED_OPTIONS: Record<ModelKindName, readonly string[]> = {
  VIEW: ['materialized'],
  FULL: [],
  INCREMENTAL_BY_TIME_RANGE: [...INCREMENTAL_KEYS, 'time_column', 'partition_by_time_column', 'auto_restatement_intervals'],
  INCREMENTAL_BY_UNIQUE_KEY: [...INCREMENTAL_KEYS, 'unique_key', 'when_matched', 'merge_filter'],
  INCREMENTAL_BY_PARTITION: INCREMENTAL_KEYS,
  INCREMENTAL_UNMANAGED: [...INCREMENTAL_KEYS, 'insert_overwrite'],
  SCD_TYPE_2_BY_TIME: [
    ...INCREMENTAL_KEYS, 'unique_key', 'updated_at_name', 'updated_at_as_valid_from', 'valid_from_name',
    'valid_to_name', 'invalidate_hard_deletes', 'time_data_type',
  ],
  SCD_TYPE_2_BY_COLUMN: [
    ...INCREMENTAL_KEYS, 'unique_key', 'columns', 'execution_time_as_valid_from', 'updated_at_name',
    'valid_from_name', 'valid_to_name', 'invalidate_hard_deletes', 'time_data_type',
  ],
  SEED: ['path', 'batch_size', 'csv_settings'],
  EXTERNAL: [],
  EMBEDDED: [],
  AUDIT_ONLY: ['blocking', 'max_failing_rows'],
  CUSTOM: [...INCREMENTAL_KEYS, 'materialization', 'materialization_properties'],
};

const POLICIES = new Set(['error', 'warn', 'allow', 'ignore']);

export interface KindResult {
  kind: ModelKind;
  /** Each option as written, for positions. */
  options: Record<string, PropItem>;
}

/** Names of kinds, normalised (`scd_type_2` → `SCD_TYPE_2_BY_TIME`); undefined when unknown. */
export function normaliseKindName(name: string): ModelKindName | undefined {
  return KIND_NAMES[name.toUpperCase()];
}

/**
 * Reads `kind NAME` / `kind NAME (options)`. `modelFile` is the absolute path of the model file
 * (SEED paths are relative to it). Problems are reported; a usable kind is always returned.
 */
export function readKind(value: PropValue | undefined, reader: PropertyReader, modelFile: string, source: string): KindResult {
  if (!value) return { kind: { name: 'VIEW', materialized: false }, options: {} };
  let nameText: string;
  let optionItems: PropItem[] = [];
  if (value.kind === 'ident') {
    nameText = value.name;
  } else if (value.kind === 'call') {
    nameText = value.name;
    const open = value.tokens.findIndex((t) => isOp(t, '('));
    const parsed = parsePropertyList(value.tokens.slice(open + 1, -1), source);
    for (const e of parsed.errors) reader.error(e, 'model.kind_option', e.message);
    optionItems = parsed.items;
  } else {
    reader.error(value, 'model.kind', `Expected a model kind name such as FULL or INCREMENTAL_BY_TIME_RANGE (...), found ${describe(value)}`);
    return { kind: { name: 'VIEW', materialized: false }, options: {} };
  }
  const name = normaliseKindName(nameText);
  if (!name) {
    const hint = didYouMean(nameText.toUpperCase(), Object.keys(KIND_NAMES));
    reader.error(value.tokens[0] ?? value, 'model.kind', `Unknown model kind '${nameText}'.${hint || ` Use one of ${Object.keys(KIND_NAMES).join(', ')}.`}`);
    return { kind: { name: 'VIEW', materialized: false }, options: {} };
  }
  const options: Record<string, PropItem> = {};
  for (const item of optionItems) {
    if (options[item.key]) reader.error(item.keyToken, 'model.kind_option', `Kind option '${item.key}' is given twice`);
    else if (!ALLOWED_OPTIONS[name].includes(item.key)) {
      reader.error(item.keyToken, 'model.kind_option', `Unknown option '${item.key}' for kind ${name}.${didYouMean(item.key, ALLOWED_OPTIONS[name]) || ` Allowed: ${ALLOWED_OPTIONS[name].join(', ') || 'none'}.`}`);
    } else options[item.key] = item;
  }
  return { kind: buildKind(name, options, reader, value, modelFile), options };
}

function buildKind(
  name: ModelKindName,
  o: Record<string, PropItem>,
  r: PropertyReader,
  at: PropValue,
  modelFile: string,
): ModelKind {
  const str = (k: string): string | undefined => (o[k] ? r.string(o[k]) : undefined);
  const bool = (k: string, d: boolean): boolean => (o[k] ? r.bool(o[k]) ?? d : d);
  const int = (k: string, min = 0): number | undefined => (o[k] ? r.integer(o[k], min) : undefined);
  const policy = (k: string, d: ChangePolicy): ChangePolicy => {
    const v = str(k)?.toLowerCase();
    if (v === undefined) return d;
    if (POLICIES.has(v)) return v as ChangePolicy;
    if (o[k]?.value) r.error(o[k].value, 'model.kind_option', `'${k}' must be one of error, warn, allow, ignore`);
    return d;
  };
  const incremental = (forwardOnlyDefault = false): IncrementalOptions => {
    const batchSize = int('batch_size', 1);
    const batchConcurrency = int('batch_concurrency', 1);
    const autoRestatementCron = str('auto_restatement_cron');
    return {
      forwardOnly: bool('forward_only', forwardOnlyDefault),
      onDestructiveChange: policy('on_destructive_change', 'error'),
      onAdditiveChange: policy('on_additive_change', 'allow'),
      disableRestatement: bool('disable_restatement', forwardOnlyDefault),
      ...(autoRestatementCron !== undefined ? { autoRestatementCron } : {}),
      ...(batchSize !== undefined ? { batchSize } : {}),
      ...(batchConcurrency !== undefined ? { batchConcurrency } : {}),
      lookback: int('lookback') ?? 0,
    };
  };
  const uniqueKey = (): string[] => {
    const item = o['unique_key'];
    if (!item?.value) {
      r.error(at, 'model.kind_option', `Kind ${name} needs 'unique_key'`);
      return [];
    }
    return listItems(item.value).map((v) => (v.kind === 'ident' ? v.name : v.kind === 'string' ? v.value : v.text));
  };
  const innerText = (k: string): string | undefined => {
    const v = o[k]?.value;
    if (!v) return undefined;
    if (v.kind === 'tuple') return v.text.slice(1, -1).trim();
    if (v.kind === 'string') return v.value;
    return v.text;
  };

  switch (name) {
    case 'VIEW':
      return { name, materialized: bool('materialized', false) };
    case 'FULL':
    case 'EXTERNAL':
    case 'EMBEDDED':
      return { name };
    case 'INCREMENTAL_BY_TIME_RANGE': {
      let timeColumn = '';
      let timeColumnFormat = '%Y-%m-%d';
      const tc = o['time_column']?.value;
      if (!tc) r.error(at, 'model.kind_option', `Kind INCREMENTAL_BY_TIME_RANGE needs 'time_column'`);
      else if (tc.kind === 'ident' || tc.kind === 'string') timeColumn = tc.kind === 'ident' ? tc.name : tc.value;
      else if (tc.kind === 'tuple' && tc.items[0]?.kind === 'ident' && (tc.items.length === 1 || tc.items[1]?.kind === 'string')) {
        timeColumn = tc.items[0].name;
        const fmt = tc.items[1];
        if (fmt?.kind === 'string') timeColumnFormat = fmt.value;
      } else {
        r.error(tc, 'model.kind_option', `'time_column' must be a column name or (column, 'format'), found ${describe(tc)}`);
      }
      const autoRestatementIntervals = int('auto_restatement_intervals', 1);
      return {
        name,
        timeColumn,
        timeColumnFormat,
        partitionByTimeColumn: bool('partition_by_time_column', true),
        ...(autoRestatementIntervals !== undefined ? { autoRestatementIntervals } : {}),
        ...incremental(),
      };
    }
    case 'INCREMENTAL_BY_UNIQUE_KEY': {
      const whenMatched = innerText('when_matched');
      const mergeFilter = innerText('merge_filter');
      return {
        name,
        uniqueKey: uniqueKey(),
        ...(whenMatched !== undefined ? { whenMatched } : {}),
        ...(mergeFilter !== undefined ? { mergeFilter } : {}),
        ...incremental(),
        batchConcurrency: 1,
      };
    }
    case 'INCREMENTAL_BY_PARTITION':
      return { name, ...incremental(true) };
    case 'INCREMENTAL_UNMANAGED':
      return { name, insertOverwrite: bool('insert_overwrite', false), ...incremental(true) };
    case 'SCD_TYPE_2_BY_TIME':
    case 'SCD_TYPE_2_BY_COLUMN': {
      let columns: string[] | '*' | undefined;
      const cv = o['columns']?.value;
      if (cv) {
        const items = listItems(cv);
        columns = items.length === 1 && items[0]?.text === '*' ? '*' : items.map((v) => (v.kind === 'ident' ? v.name : v.text));
      } else if (name === 'SCD_TYPE_2_BY_COLUMN') {
        r.error(at, 'model.kind_option', `Kind SCD_TYPE_2_BY_COLUMN needs 'columns'`);
      }
      const updatedAtName = str('updated_at_name') ?? (name === 'SCD_TYPE_2_BY_TIME' ? 'updated_at' : undefined);
      return {
        name,
        uniqueKey: uniqueKey(),
        ...(updatedAtName !== undefined ? { updatedAtName } : {}),
        updatedAtAsValidFrom: bool('updated_at_as_valid_from', false),
        ...(columns !== undefined ? { columns } : {}),
        executionTimeAsValidFrom: bool('execution_time_as_valid_from', false),
        validFromName: str('valid_from_name') ?? 'valid_from',
        validToName: str('valid_to_name') ?? 'valid_to',
        invalidateHardDeletes: bool('invalidate_hard_deletes', false),
        timeDataType: str('time_data_type') ?? 'TIMESTAMP',
        ...incremental(true),
      };
    }
    case 'AUDIT_ONLY': {
      const maxFailingRows = int('max_failing_rows', 1);
      return { name, blocking: bool('blocking', true), ...(maxFailingRows !== undefined ? { maxFailingRows } : {}) };
    }
    case 'SEED': {
      const path = str('path');
      if (path === undefined && !o['path']) r.error(at, 'model.kind_option', `Kind SEED needs 'path' (the CSV file, relative to the model file)`);
      const csv = o['csv_settings'] ? r.map(o['csv_settings']) : undefined;
      return {
        name,
        path: path ?? '',
        resolvedPath: path ? resolve(dirname(modelFile), path) : '',
        batchSize: int('batch_size', 1) ?? 1000,
        csvSettings: csv ?? {},
      };
    }
    case 'CUSTOM': {
      const props = o['materialization_properties']?.value;
      return {
        name,
        materialization: str('materialization') ?? '',
        materializationProperties: props ? ((toPlain(props) ?? {}) as Record<string, unknown>) : {},
        ...incremental(),
      };
    }
  }
}
