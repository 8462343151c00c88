/**
 * Audits: SQLMesh's built-in audits as SQL (a query returning the offending rows), custom audits
 * from `audits/`, run against a model's physical table after each batch. An audit fails when
 * its query returns rows; a failing blocking audit stops the plan or run.
 */
import type { AuditDefinition } from '../project/audit';
import type { AuditCall } from '../project/model';
import type { PropValue } from '../project/properties';
import { renderAudit } from '../project/render/render-model';
import { isInterrupt, stripContext } from '../duck/sql-errors';
import type { Warehouse } from './warehouse';

export interface AuditResult {
  audit: string;
  blocking: boolean;
  failedRows: number;
  query: string;
}

function text(value: PropValue | undefined): string {
  if (!value) return '';
  switch (value.kind) {
    case 'string':
      return value.value;
    case 'number':
      return value.text;
    case 'bool':
      return String(value.value);
    case 'null':
      return 'NULL';
    case 'array':
    case 'tuple':
      return value.items.map(text).join(', ');
    case 'pair':
      return text(value.value);
    default:
      return value.text;
  }
}

function items(value: PropValue | undefined): PropValue[] {
  if (!value) return [];
  if (value.kind === 'array' || value.kind === 'tuple') return value.items;
  return [value];
}

function literal(value: PropValue): string {
  if (value.kind === 'string') return `'${value.value.replace(/'/g, "''")}'`;
  return text(value);
}

function columnsArg(args: Record<string, PropValue>): string[] {
  return items(args.columns ?? args.column).map(text);
}

/** SQL of a built-in audit over `table`, or undefined when the name is not built in. */
export function builtinAuditSql(name: string, table: string, args: Record<string, PropValue>): string | undefined {
  const condition = args.condition ? text(args.condition) : undefined;
  const where = (extra: string) => `SELECT * FROM ${table} WHERE ${condition ? `(${condition}) AND ` : ''}(${extra})`;
  const cols = columnsArg(args);
  switch (name.replace(/_non_blocking$/, '')) {
    case 'not_null':
      return where(cols.map((c) => `${c} IS NULL`).join(' OR ') || 'FALSE');
    case 'unique_values':
      return cols
        .map((c) => `SELECT ${c} FROM ${table}${condition ? ` WHERE ${condition}` : ''} GROUP BY ${c} HAVING count(*) > 1`)
        .join(' UNION ALL ');
    case 'unique_combination_of_columns':
      return `SELECT ${cols.join(', ')} FROM ${table}${condition ? ` WHERE ${condition}` : ''} GROUP BY ${cols.join(', ')} HAVING count(*) > 1`;
    case 'accepted_values':
      return where(`${text(args.column)} NOT IN (${items(args.is_in).map(literal).join(', ')})`);
    case 'not_accepted_values':
      return where(`${text(args.column)} IN (${items(args.is_in).map(literal).join(', ')})`);
    case 'number_of_rows':
      return `SELECT 1 FROM (SELECT count(*) AS n FROM ${table}${condition ? ` WHERE ${condition}` : ''}) WHERE n < ${text(args.threshold)}`;
    case 'forall':
      return where(items(args.criteria).map((c) => `NOT (${text(c)})`).join(' OR ') || 'FALSE');
    case 'accepted_range': {
      const column = text(args.column);
      const parts: string[] = [];
      const inclusive = text(args.inclusive) !== 'false';
      if (args.min_v) parts.push(`${column} ${inclusive ? '<' : '<='} ${text(args.min_v)}`);
      if (args.max_v) parts.push(`${column} ${inclusive ? '>' : '>='} ${text(args.max_v)}`);
      return where(parts.join(' OR ') || 'FALSE');
    }
    case 'at_least_one':
      return `SELECT 1 FROM (SELECT count(${text(args.column)}) AS n FROM ${table}${condition ? ` WHERE ${condition}` : ''}) WHERE n = 0`;
    case 'not_empty_string':
      return where(`${text(args.column)} = ''`);
    case 'not_constant':
      return `SELECT 1 FROM (SELECT count(DISTINCT ${text(args.column)}) AS n FROM ${table}${condition ? ` WHERE ${condition}` : ''}) WHERE n <= 1`;
    default:
      return undefined;
  }
}

export async function runAudit(
  warehouse: Warehouse,
  call: AuditCall,
  audits: Record<string, AuditDefinition>,
  context: { table: string; modelName: string; start: number; end: number; executionTime: number; variables: Record<string, unknown>; modelFile?: string },
): Promise<AuditResult> {
  const custom = audits[call.name];
  const blockingArg = call.args.blocking;
  let query: string;
  let blocking: boolean;
  if (custom) {
    const rendered = renderAudit(custom, call, {
      modelName: context.modelName,
      thisModel: context.table,
      start: context.start,
      end: context.end,
      executionTime: context.executionTime,
      variables: context.variables,
      runtimeStage: 'auditing',
    });
    if (rendered.diagnostics.length > 0) throw new Error(`Audit ${call.name} on ${context.modelName}: ${rendered.diagnostics.map((d) => d.message).join('; ')}`);
    query = rendered.query;
    blocking = custom.blocking;
  } else {
    const sql = builtinAuditSql(call.name, context.table, call.args);
    if (sql === undefined) throw new Error(`Audit ${call.name} on ${context.modelName}: no such audit (not built in, not in audits/).`);
    query = sql;
    blocking = !call.name.endsWith('_non_blocking');
  }
  if (blockingArg) blocking = text(blockingArg) !== 'false';
  let rows: Record<string, unknown>[];
  try {
    rows = await warehouse.query(`SELECT count(*) AS failed FROM (${query}) AS __audit`);
  } catch (error) {
    throw auditError(call, custom, context, error);
  }
  return { audit: call.name, blocking, failedRows: Number(rows[0]?.failed ?? 0), query };
}

/** A failed audit query named after the audit's file (a custom audit) or the model's call, with the line. */
function auditError(call: AuditCall, custom: AuditDefinition | undefined, context: { modelName: string; modelFile?: string }, error: unknown): Error {
  const raw = error instanceof Error ? error.message : String(error);
  if (isInterrupt(raw)) return error instanceof Error ? error : new Error(raw);
  const detail = stripContext(raw).replace(/^(Error: )+/, '').replace(/\s*\n\s*/g, ' ');
  const where = custom ? `${custom.file}:${custom.query.range.start.line}:${custom.query.range.start.column}` : `${context.modelFile ?? context.modelName}:${call.range.start.line}:${call.range.start.column}`;
  return new Error(`${where}: audit ${call.name} on ${context.modelName} failed: ${detail}`);
}
