/**
 * The DuckDB parser bridge: SQL text in, DuckDB's own parse tree out (typed in `ast.ts`),
 * through `json_serialize_sql`. Many texts are parsed in one DuckDB call (`parseMany`), so
 * a 1,000-model project costs one round trip. Locations are rewritten from DuckDB's UTF-8
 * byte offsets into character offsets of the JavaScript string.
 */
import { LIST, VARCHAR, listValue, type DuckDBConnection, DuckDBListValue } from '@duckdb/node-api';
import type { SourcePosition } from '../../src-shared/errors';
import { positionFromOffset } from '../duck/sql-errors';
import type { SelectStatementAst } from './ast';

export type ParseResult =
  | { ok: true; statements: SelectStatementAst[] }
  /** `offset` is a 0-based character offset; `position` the same as 1-based line and column. */
  | { ok: false; message: string; offset?: number; position?: SourcePosition };

/** DuckDB's "no location" (2^64 - 1) does not survive JSON.parse exactly; anything this big is none. */
const NO_LOCATION = 2 ** 53;

export class SqlParser {
  constructor(private readonly connection: DuckDBConnection) {}

  async parse(sql: string): Promise<ParseResult> {
    const reader = await this.connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [sql], [VARCHAR]);
    return fromSerialized(sql, String(reader.getRows()[0]?.[0] ?? ''));
  }

  /** Parses every text in one DuckDB call; results are in the order of `sqls`. */
  async parseMany(sqls: readonly string[]): Promise<ParseResult[]> {
    if (sqls.length === 0) return [];
    const reader = await this.connection.runAndReadAll(
      'SELECT list_transform($1::VARCHAR[], s -> json_serialize_sql(s))',
      [listValue([...sqls])],
      [LIST(VARCHAR)],
    );
    const list = reader.getRows()[0]?.[0];
    if (!(list instanceof DuckDBListValue) || list.items.length !== sqls.length) {
      throw new Error('DuckDB returned an unexpected result for a batched parse.');
    }
    return sqls.map((sql, i) => fromSerialized(sql, String(list.items[i] ?? '')));
  }

  /** Turns a tree back into SQL text with DuckDB's `json_deserialize_sql`. */
  async deserialize(statements: readonly SelectStatementAst[]): Promise<string> {
    const json = JSON.stringify({ error: false, statements });
    const reader = await this.connection.runAndReadAll('SELECT json_deserialize_sql($1::VARCHAR)', [json], [VARCHAR]);
    return String(reader.getRows()[0]?.[0] ?? '');
  }
}

interface SerializedResult {
  error: boolean;
  statements?: SelectStatementAst[];
  error_message?: string;
  position?: string | number;
}

function fromSerialized(sql: string, text: string): ParseResult {
  const parsed = JSON.parse(text) as SerializedResult;
  const toChar = byteToCharOffsets(sql);
  if (parsed.error) {
    const byte = parsed.position === undefined ? NaN : Number(parsed.position);
    const message = parsed.error_message ?? 'The SQL text could not be parsed.';
    if (!Number.isFinite(byte) || byte >= NO_LOCATION) return { ok: false, message };
    const offset = toChar(byte);
    return { ok: false, message, offset, position: positionFromOffset(sql, offset) };
  }
  const statements = parsed.statements ?? [];
  rewriteLocations(statements, toChar);
  return { ok: true, statements };
}

/** Maps a UTF-8 byte offset into `sql` to its UTF-16 index; identity for ASCII text. */
export function byteToCharOffsets(sql: string): (byte: number) => number {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(sql)) return (byte) => Math.min(byte, sql.length);
  const map: number[] = [];
  for (let i = 0; i < sql.length; i++) {
    const code = sql.codePointAt(i) ?? 0;
    const bytes = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    for (let b = 0; b < bytes; b++) map.push(i);
    if (code >= 0x10000) i++;
  }
  return (byte) => (byte >= map.length ? sql.length : (map[byte] ?? sql.length));
}

function rewriteLocations(node: unknown, toChar: (byte: number) => number): void {
  if (Array.isArray(node)) {
    for (const item of node) if (item !== null && typeof item === 'object') rewriteLocations(item, toChar);
    return;
  }
  const record = node as Record<string, unknown>;
  for (const key in record) {
    const value = record[key];
    if (key === 'query_location') {
      if (typeof value === 'number' && value < NO_LOCATION) record[key] = toChar(value);
      else delete record[key];
    } else if (value !== null && typeof value === 'object') {
      rewriteLocations(value, toChar);
    }
  }
}
