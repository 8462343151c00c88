import { isUtf8 } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { checkedIn, compileWasm, generatedModule, WASM_MODULES } from '../../../scripts/build-wasm.mjs';
import { seededRandom } from '../testing/collisions';
import { ScanNode, scanRawRecords, type CursorScan, type RawFraming, type ScanFailure } from './raw-scan';
import { scanRawRecordsWasm } from './raw-scan-wasm';

/** A layout with every leaf type and a nested struct, as the normalizer builds it. */
function layout(): ScanNode {
  const loc = new ScanNode();
  loc.set('lat', { kind: 'leaf', type: 'double' });
  loc.set('addr', { kind: 'leaf', type: 'text' });
  const root = new ScanNode();
  root.set('id', { kind: 'leaf', type: 'bigint' });
  root.set('name', { kind: 'leaf', type: 'text' });
  root.set('amount', { kind: 'leaf', type: 'double' });
  root.set('when', { kind: 'leaf', type: 'timestamp' });
  root.set('day', { kind: 'leaf', type: 'date' });
  root.set('ok', { kind: 'leaf', type: 'bool' });
  root.set('loc', { kind: 'struct', node: loc });
  root.set('a_rather_long_key_name_for_the_word_compare', { kind: 'leaf', type: 'text' });
  return root;
}

const framing = (): RawFraming => ({ bytes: 200, open: 0, close: 0, commas: new Int32Array(0), at: [], lineBreakInRecord: false });

/** Values of every kind, fitting and not, for any key. */
const VALUES = [
  '"12"', '12', '-3', '1.5', '"1.5"', '1e5', '"x"', '"q\\"uo\\u00e9te\\n"', '"tab\\tend"', '"bad\\q"', '"\u0001"', '"é漢"', 'true', 'false', '"true"', 'null',
  '"2024-03-05T10:00:00.000"', '"2024-02-30"', '"2024-03-05"', '"2024-03-05 10:00Z"', '[1]', '{"lat":"1","addr":"z"}', '{"lat":1.25}', '{"zone":1}', '{}', '"007"', '12345678901234567',
];
const KEYS = ['id', 'name', 'amount', 'when', 'day', 'ok', 'loc', 'a_rather_long_key_name_for_the_word_compare', 'extra', 'na\\u006de'];
const SPACES = ['', '', '', ' ', '\n', '\r\n\t'];

function randomPage(random: () => number, fitting: boolean): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const records: string[] = [];
  const count = 1 + Math.floor(random() * 12);
  for (let r = 0; r < count; r++) {
    const pairs: string[] = [];
    const keys = 1 + Math.floor(random() * 7);
    for (let k = 0; k < keys; k++) {
      if (fitting) {
        const key = pick(['id', 'name', 'when', 'loc', 'a_rather_long_key_name_for_the_word_compare']);
        const value = key === 'id' ? pick(['12', '"12"', '-3']) : key === 'when' ? '"2024-03-05T10:00:00.000"' : key === 'loc' ? '{"lat":"1.5","addr":"\\"z\\""}' : pick(['"x"', '"é漢 long text with, commas ] and } braces"', 'null']);
        pairs.push(`"${key}":${value}`);
      } else {
        pairs.push(`${pick(SPACES)}"${pick(KEYS)}"${pick(SPACES)}:${pick(SPACES)}${pick(VALUES)}${pick(SPACES)}`);
      }
    }
    records.push(`${pick(SPACES)}{${pairs.join(',')}}${pick(SPACES)}`);
  }
  let text = `${pick(SPACES)}[${records.join(random() < 0.5 ? ',' : '\n,')}]${pick(SPACES)}`;
  // Now and then a malformed page: cut short, or a stray byte.
  if (!fitting && random() < 0.15) text = text.slice(0, Math.floor(random() * text.length));
  if (!fitting && random() < 0.1) text = text.replace(',', ',,');
  return text;
}

describe('the WebAssembly byte check', () => {
  it('gives exactly the JavaScript scanner\'s answer, framing and misfit record on random pages, across window boundaries', () => {
    const root = layout();
    const random = seededRandom(7);
    let accepted = 0;
    for (let n = 0; n < 3000; n++) {
      const body = Buffer.from(randomPage(random, n % 3 === 0));
      const expected = framing();
      const expectedFailure: ScanFailure = { record: -1 };
      const rows = scanRawRecords(body, root, undefined, expected, expectedFailure);
      if (rows !== undefined) accepted++;
      for (const window of [16, 37, 128, 1 << 20]) {
        const got = framing();
        const failure: ScanFailure = { record: -1 };
        const result = scanRawRecordsWasm(body, root, got, failure, window);
        expect(result, `window ${window}: ${body.toString()}`).toBe(rows);
        if (rows !== undefined) expect(got, `window ${window}: ${body.toString()}`).toEqual(expected);
        // Where the first misfit record starts, when a record is at fault.
        if (rows === undefined && isUtf8(body)) expect(failure.record, `window ${window}: ${body.toString()}`).toBe(expectedFailure.record);
      }
    }
    // Both kinds of page were tried.
    expect(accepted).toBeGreaterThan(500);
    expect(accepted).toBeLessThan(2500);
  });

  it('collects an incremental cursor\'s values as the JavaScript scanner does, or leaves them to it', () => {
    const cursorLayout = (type: 'timestamp' | 'text'): ScanNode => {
      const root = new ScanNode();
      root.set('id', { kind: 'leaf', type: 'bigint' });
      root.set('updated', { kind: 'leaf', type, cursor: true });
      return root;
    };
    const fresh = (): CursorScan => ({ kind: undefined, usable: true, missing: false, min: [0, 0], max: [0, 0], atMax: [] });
    const random = seededRandom(11);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
    const values = ['"2024-03-05T10:00:00.000"', '"2024-03-06T00:00:00.000"', '"2024-03-06T00:00:00.000"', '"2024-01-01"', '"b\\u00e9"', '"é"', '"x"', '"xy"', '12', 'null'];
    let compared = 0;
    for (let n = 0; n < 2000; n++) {
      const type = n % 2 === 0 ? 'timestamp' : 'text';
      const root = cursorLayout(type);
      const records = Array.from({ length: 1 + Math.floor(random() * 30) }, (_, i) => (random() < 0.1 ? `{"id":${i}}` : `{"id":${i},"updated":${pick(values)}}`));
      const body = Buffer.from(`[${records.join(random() < 0.5 ? ',' : '\n,')}]`);
      const expected = fresh();
      const rows = scanRawRecords(body, root, expected);
      for (const window of [16, 64, 1 << 20]) {
        const got = fresh();
        const result = scanRawRecordsWasm(body, root, undefined, undefined, window, got);
        if (result === 'unavailable') continue;
        expect(result, `window ${window}: ${body.toString()}`).toBe(rows);
        if (rows === undefined) continue;
        compared++;
        const comparable = (c: CursorScan) => ({ ...c, ...(c.kind === undefined ? { min: [], max: [] } : {}) });
        expect(comparable(got), `window ${window}: ${body.toString()}`).toEqual(comparable(expected));
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it('declines invalid UTF-8 and a body that is not an array of objects, as the JavaScript scanner does', () => {
    const root = layout();
    for (const body of [Buffer.from([0x5b, 0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d, 0x5d]), Buffer.from('[]'), Buffer.from('{}'), Buffer.from('')]) {
      expect(scanRawRecordsWasm(body, root, framing())).toBeUndefined();
    }
  });

  it('is built from its current AssemblyScript source (run `npm run build:wasm` after changing it)', async () => {
    for (const module of WASM_MODULES) expect(checkedIn(module)).toBe(generatedModule(module, await compileWasm(module.source)));
  });
});
