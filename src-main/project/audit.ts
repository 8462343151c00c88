/**
 * Audit definitions: `AUDIT (name ..., blocking ..., ...)` headers followed by their query,
 * many per file in `audits/*.sql` or inline after a model's query.
 */
import type { LineIndex, SourceRange } from './diagnostics';
import type { Token } from './lexer';
import { parsePropertyList, type PropValue } from './properties';
import type { PropertyReader } from './property-readers';
import { type SqlSection, sectionOf } from './sql-section';
import { readHeader, type Statement } from './statements';

export interface AuditDefinition {
  name: string;
  /** Project-relative file. */
  file: string;
  dialect: string;
  /** A failing blocking audit stops the plan/run; default true. */
  blocking: boolean;
  skip: boolean;
  standalone: boolean;
  description?: string;
  /** Default argument values for generic audits (`defaults (threshold = 10)`). */
  defaults: Record<string, PropValue>;
  headerRange: SourceRange;
  query: SqlSection;
  /** Set for audits written inside a model file. */
  modelName?: string;
}

const AUDIT_KEYS = new Set(['name', 'dialect', 'blocking', 'skip', 'standalone', 'defaults', 'description', 'owner', 'tags', 'cron', 'start']);

/**
 * Reads audit blocks from `statements` (each `AUDIT (...)` header followed by one query).
 * Statements that are neither are reported.
 */
export function readAudits(
  statements: readonly Statement[],
  text: string,
  lines: LineIndex,
  reader: PropertyReader,
  modelName?: string,
): AuditDefinition[] {
  const audits: AuditDefinition[] = [];
  for (let i = 0; i < statements.length; i++) {
    const statement = statements[i];
    if (!statement) continue;
    const header = readHeader(statement, 'AUDIT');
    if (!header) {
      reader.error(statement.sig[0] ?? statement, 'audit.expected_header', `Expected an AUDIT (...) header, found '${firstWords(statement.sig)}'`);
      continue;
    }
    if ('error' in header) {
      reader.error(header.at, 'audit.header', header.error);
      continue;
    }
    const query = statements[i + 1];
    if (!query || readHeader(query, 'AUDIT')) {
      reader.error(header.keywordToken, 'audit.no_query', 'AUDIT header is not followed by its query');
      continue;
    }
    i++;
    const audit = readAudit(header.body, header.keywordToken, header.close, query, text, lines, reader, modelName);
    if (audit) audits.push(audit);
  }
  return audits;
}

function readAudit(
  body: Token[],
  keyword: Token,
  close: Token,
  query: Statement,
  text: string,
  lines: LineIndex,
  reader: PropertyReader,
  modelName: string | undefined,
): AuditDefinition | undefined {
  const parsed = parsePropertyList(body, text);
  for (const e of parsed.errors) reader.error(e, 'audit.property', e.message);
  let name: string | undefined;
  const audit: Omit<AuditDefinition, 'name'> = {
    file: reader.file,
    dialect: 'duckdb',
    blocking: true,
    skip: false,
    standalone: false,
    defaults: {},
    headerRange: lines.range(keyword.start, close.end),
    query: sectionOf(text, query.start, query.end, lines),
    ...(modelName !== undefined ? { modelName } : {}),
  };
  for (const item of parsed.items) {
    switch (item.key) {
      case 'name':
        name = reader.string(item);
        break;
      case 'dialect': {
        const d = reader.string(item);
        if (d !== undefined && d.toLowerCase() !== 'duckdb') {
          reader.error(item.value ?? item, 'audit.dialect', `Audit dialect '${d}' is not supported; only duckdb is`);
        }
        break;
      }
      case 'blocking':
        audit.blocking = reader.bool(item) ?? true;
        break;
      case 'skip':
        audit.skip = reader.bool(item) ?? false;
        break;
      case 'standalone':
        audit.standalone = reader.bool(item) ?? false;
        break;
      case 'description': {
        const d = reader.string(item);
        if (d !== undefined) audit.description = d;
        break;
      }
      case 'defaults':
        for (const entry of item.value?.kind === 'tuple' || item.value?.kind === 'array' ? item.value.items : item.value ? [item.value] : []) {
          if (entry.kind === 'pair') audit.defaults[entry.key] = entry.value;
          else reader.error(entry, 'audit.property', `'defaults' must be a list of name = value pairs`);
        }
        break;
      default:
        if (!AUDIT_KEYS.has(item.key)) reader.warning(item.keyToken, 'audit.unknown_property', `Unknown audit property '${item.key}'; it is ignored`);
    }
  }
  if (!name) {
    reader.error(keyword, 'audit.name', 'AUDIT header needs a name');
    return undefined;
  }
  return { name, ...audit };
}

function firstWords(tokens: readonly Token[]): string {
  return tokens.slice(0, 3).map((t) => t.text).join(' ');
}
