import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckEngine } from '../../duck/engine';
import { Normalizer } from '../normalize/normalizer';
import { PackageWriter, type TableLayout } from './package-writer';

let engine: DuckEngine;
let dir: string;

beforeAll(async () => {
  engine = await DuckEngine.open({ settings: { threads: '1' } });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pas-package-writer-'));
});

afterAll(async () => {
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Records whose text holds the bytes a naive cut would trip on: commas, brackets, quotes. */
const records = Array.from({ length: 60 }, (_, i) => ({ id: String(i), note: `n${i}, ] }, [ {"x": ${i}}`, nested: { v: `${i % 7}` } }));

async function rowsOf(writer: PackageWriter, normalizer: Normalizer): Promise<{ id: number; note: string; nested__v: number }[]> {
  const layouts = normalizer.tables().map((t): TableLayout => ({ schema: t, raw: normalizer.rawColumns() }));
  const [table] = await writer.finish(layouts);
  const files = table?.files.map((f) => `'${f.path}'`).join(', ') ?? '';
  const connection = await engine.connect();
  try {
    const reader = await connection.runAndReadAll(`SELECT id, note, nested__v FROM read_parquet([${files}])`);
    return reader.getRowObjectsJS() as { id: number; note: string; nested__v: number }[];
  } finally {
    connection.closeSync();
  }
}

describe('package writer', () => {
  it('cuts a raw page into pieces at the commas the byte check found and loads every record once, in order', async () => {
    const normalizer = new Normalizer({ table: 't', writeDisposition: 'append', primaryKey: [], hints: { note: 'text' }, pieceBytes: 300 });
    const body = Buffer.from(`[${records.map((r) => JSON.stringify(r)).join('\n, ')}]\n`);
    expect(normalizer.acceptRawBody(body)).toBe(records.length);
    const fromSlices = normalizer.rawPieces(body);
    expect(normalizer.scanRaw(body)).toBe(records.length);
    const pieces = normalizer.rawPieces(body) ?? [];
    expect(pieces.length).toBeGreaterThan(5);
    // The record-by-record route cuts the page at the same places as the byte check.
    expect(fromSlices).toEqual(pieces);
    expect(normalizer.rawPieces(Buffer.from(body))).toBeUndefined();

    const connection = await engine.connect();
    const writer = new PackageWriter({ dir: path.join(dir, 'raw'), loadId: 'load1', connections: [connection] });
    const layoutOf = (name: string): TableLayout => ({ schema: normalizer.tables().find((t) => t.name === name)!, raw: normalizer.rawColumns() });
    normalizer.countRaw(records.length);
    await writer.appendRaw('t', body, records.length, layoutOf, undefined, pieces);
    // Every piece is a JSON array of whole records on its own.
    const written = fs.readdirSync(path.join(dir, 'raw')).filter((f) => f.endsWith('.json')).sort();
    expect(written.length).toBe(pieces.length + 1);
    expect(written.flatMap((f) => JSON.parse(fs.readFileSync(path.join(dir, 'raw', f), 'utf8')) as unknown[])).toEqual(records);
    const rows = await rowsOf(writer, normalizer);
    connection.closeSync();
    expect(rows.map((r) => [String(r.id), r.note, String(r.nested__v)])).toEqual(records.map((r) => [r.id, r.note, r.nested.v]));
  });
});
