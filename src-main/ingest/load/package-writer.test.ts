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
  it('keeps a pretty-printed raw page (line breaks inside records) as JSON arrays, cut into pieces at the commas the byte check found, and loads every record once, in order', async () => {
    const normalizer = new Normalizer({ table: 't', writeDisposition: 'append', primaryKey: [], hints: { note: 'text' }, pieceBytes: 300 });
    const body = Buffer.from(`[${records.map((r) => JSON.stringify(r, null, 1)).join(', ')}]\n`);
    expect(normalizer.acceptRawBody(body)).toBe(records.length);
    const fromSlices = normalizer.rawFraming(body);
    expect(normalizer.scanRaw(body)).toBe(records.length);
    const framing = normalizer.rawFraming(body);
    const pieces = framing?.at ?? [];
    expect(pieces.length).toBeGreaterThan(5);
    expect(framing?.commas.length).toBe(records.length - 1);
    expect(framing?.lineBreakInRecord).toBe(true);
    // The record-by-record route frames the page as the byte check does.
    expect(fromSlices).toEqual(framing);
    expect(normalizer.rawFraming(Buffer.from(body))).toBeUndefined();

    const connection = await engine.connect();
    const writer = new PackageWriter({ dir: path.join(dir, 'raw'), loadId: 'load1', connections: [connection] });
    const layoutOf = (name: string): TableLayout => ({ schema: normalizer.tables().find((t) => t.name === name)!, raw: normalizer.rawColumns() });
    normalizer.countRaw(records.length);
    await writer.appendRaw('t', body, records.length, layoutOf, undefined, framing);
    // Every piece is a JSON array of whole records on its own.
    const written = fs.readdirSync(path.join(dir, 'raw')).filter((f) => f.endsWith('.json')).sort();
    expect(written.length).toBe(pieces.length + 1);
    expect(written.flatMap((f) => JSON.parse(fs.readFileSync(path.join(dir, 'raw', f), 'utf8')) as unknown[])).toEqual(records);
    const rows = await rowsOf(writer, normalizer);
    connection.closeSync();
    expect(rows.map((r) => [String(r.id), r.note, String(r.nested__v)])).toEqual(records.map((r) => [r.id, r.note, r.nested.v]));
  });

  it('stores a raw page whose records have no line break inside (Socrata\'s "\\n," between them) as NDJSON pieces, its record commas turned into newlines, and loads every record once, in order', async () => {
    const normalizer = new Normalizer({ table: 't', writeDisposition: 'append', primaryKey: [], hints: { note: 'text' }, pieceBytes: 300 });
    const body = Buffer.from(`[${records.map((r) => JSON.stringify(r)).join('\n,')}]\n`);
    expect(normalizer.acceptRawBody(body)).toBe(records.length);
    const fromSlices = normalizer.rawFraming(body);
    expect(normalizer.scanRaw(body)).toBe(records.length);
    const framing = normalizer.rawFraming(body);
    expect(framing?.at.length).toBeGreaterThan(5);
    expect(framing?.lineBreakInRecord).toBe(false);
    expect(fromSlices).toEqual(framing);

    const connection = await engine.connect();
    const writer = new PackageWriter({ dir: path.join(dir, 'ndjson'), loadId: 'load1', connections: [connection] });
    const layoutOf = (name: string): TableLayout => ({ schema: normalizer.tables().find((t) => t.name === name)!, raw: normalizer.rawColumns() });
    normalizer.countRaw(records.length);
    await writer.appendRaw('t', body, records.length, layoutOf, undefined, framing);
    // Every piece holds whole records, one per line, and nothing else.
    const written = fs.readdirSync(path.join(dir, 'ndjson')).filter((f) => f.endsWith('.json')).sort();
    expect(written.length).toBe((framing?.at.length ?? 0) + 1);
    const lines = written.flatMap((f) => fs.readFileSync(path.join(dir, 'ndjson', f), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== ''));
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual(records);
    const rows = await rowsOf(writer, normalizer);
    connection.closeSync();
    expect(rows.map((r) => [String(r.id), r.note, String(r.nested__v)])).toEqual(records.map((r) => [r.id, r.note, r.nested.v]));
  });

  it('writes later raw pages over the files of finished conversions, each holding exactly its own records', async () => {
    const normalizer = new Normalizer({ table: 't', writeDisposition: 'append', primaryKey: [], hints: { note: 'text' }, pieceBytes: 200 });
    const page = (from: number, note: string): { body: Buffer; records: { id: string; note: string; nested: { v: string } }[] } => {
      const records = Array.from({ length: 30 }, (_, i) => ({ id: String(from + i), note, nested: { v: String(i % 7) } }));
      return { body: Buffer.from(`[${records.map((r) => JSON.stringify(r)).join(',')}]`), records };
    };
    // Long records first, then short ones written over the same files.
    const pages = [page(0, 'x'.repeat(120)), page(100, 'y'), page(200, 'zz')];
    const connection = await engine.connect();
    const writer = new PackageWriter({ dir: path.join(dir, 'spare'), loadId: 'load1', connections: [connection], rotateRows: 30 });
    const layoutOf = (name: string): TableLayout => ({ schema: normalizer.tables().find((t) => t.name === name)!, raw: normalizer.rawColumns() });
    for (const { body, records } of pages) {
      expect(normalizer.acceptRawBody(body) ?? normalizer.scanRaw(body)).toBe(records.length);
      normalizer.countRaw(records.length);
      await writer.appendRaw('t', body, records.length, layoutOf, undefined, normalizer.rawFraming(body));
      // Let the chunk's conversion finish, so its files are free for the next page.
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const rows = await rowsOf(writer, normalizer);
    connection.closeSync();
    expect(rows.map((r) => [String(r.id), r.note])).toEqual(pages.flatMap((p) => p.records.map((r) => [r.id, r.note])));
    // Once finished, no page file is kept to be written over: only the Parquet files are left
    // for the commit.
    expect(fs.readdirSync(path.join(dir, 'spare')).filter((f) => !f.endsWith('.parquet'))).toEqual([]);
  });
});
