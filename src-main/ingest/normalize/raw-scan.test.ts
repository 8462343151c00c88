import { describe, expect, it } from 'vitest';
import { DATA_TYPES } from '../schema/types';
import { fits } from './infer';
import { Normalizer } from './normalizer';
import { recordSlices, stringFits } from './raw-scan';

const bytes = (value: unknown): Buffer => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

const base = [
  { id: '1', name: 'a', amount: '1.5', when: '2024-03-05T10:00:00.000', day: '2024-03-05', ok: true, n: 3, loc: { lat: '40.5', addr: 'x' } },
  { id: '2', name: 'b', amount: '2', when: '2024-03-06T11:30', day: '2024-03-06', ok: false, n: 4, loc: { lat: '41', addr: 'y' } },
];

/** A normalizer that has taken `base` by the raw route (so it has a raw layout). */
function primed(): Normalizer {
  const normalizer = new Normalizer({ table: 't', writeDisposition: 'append', primaryKey: [], hints: { name: 'text' } });
  expect(normalizer.acceptRaw(base)).toBe(true);
  return normalizer;
}

describe('raw byte check', () => {
  it('counts the records of a page that fits the schema, whatever the whitespace, key order and text escapes', () => {
    const normalizer = primed();
    expect(normalizer.scanRaw(bytes(base))).toBe(2);
    const text = ` [ {"name": "q\\"uo\\u00e9te\\n", "id":"3" ,"loc":{"addr":"z","lat":"-1.25"}, "n": -7 , "ok":null, "extra": null}\n,\r\n\t{} ] \n`;
    expect(normalizer.scanRaw(Buffer.from(text))).toBe(2);
    expect(normalizer.tables()).toEqual(primed().tables());
  });

  it('finds quotes, escapes and control characters in text at every byte alignment', () => {
    const normalizer = primed();
    for (let k = 0; k < 12; k++) {
      const before = 'abcdefghijkl'.slice(0, k);
      expect(normalizer.scanRaw(Buffer.from(`[{"name":"${before}\\"x\\\\yz\u00e9mnop","id":"1"}]`)), `escapes at ${k}`).toBe(1);
      expect(normalizer.scanRaw(Buffer.from(`[{"name":"${before}\u0001xyzmnop","id":"1"}]`)), `control character at ${k}`).toBeUndefined();
      expect(normalizer.scanRaw(Buffer.from(`[{"name":"${before}","id":"1"}]`)), `plain at ${k}`).toBe(1);
    }
  });

  it('declines pages that would change the schema: a new key, a list, an object where a scalar was', () => {
    const normalizer = primed();
    expect(normalizer.scanRaw(bytes([{ id: '3', color: 'red' }]))).toBeUndefined();
    expect(normalizer.scanRaw(bytes([{ id: '3', name: ['a'] }]))).toBeUndefined();
    expect(normalizer.scanRaw(bytes([{ id: '3', name: { first: 'a' } }]))).toBeUndefined();
    expect(normalizer.scanRaw(bytes([{ id: '3', loc: 'nowhere' }]))).toBeUndefined();
    expect(normalizer.scanRaw(bytes([{ id: '3', loc: { lat: '1', zone: 'q' } }]))).toBeUndefined();
  });

  it('declines values that do not fit their column type, so they reach a variant column', () => {
    const normalizer = primed();
    for (const record of [
      { id: 'X-1' },
      { id: '007' },
      { id: '1.5' },
      { id: 1.5 },
      { amount: '1e400' },
      { amount: 'NaN' },
      { amount: true },
      { when: '2024-02-30T00:00' },
      { when: '2024-03-05T10:00:00+02:00' },
      { when: 5 },
      { day: '2024-3-5' },
      { ok: 'yes' },
      { ok: 1 },
      { n: '4.5' },
      { n: 1e21 },
    ]) {
      expect(normalizer.scanRaw(bytes([record])), JSON.stringify(record)).toBeUndefined();
    }
    // An integer beyond 2^53 is not a safe integer once parsed.
    expect(normalizer.scanRaw(Buffer.from('[{"id":12345678901234567}]'))).toBeUndefined();
  });

  it('declines what only the parser can judge: malformed JSON, invalid UTF-8, an empty page, a body that is not an array of objects', () => {
    const normalizer = primed();
    for (const text of ['[{"id":"1"}', '[{"id":"1"},]', '[{"id":"1"}] x', '[{"id":"1" "name":"a"}]', '[{"id":"1\u0001"}]', '[]', '{"id":"1"}', '[1]', '[{"id":"1"}, null]']) {
      expect(normalizer.scanRaw(Buffer.from(text)), text).toBeUndefined();
    }
    expect(normalizer.scanRaw(Buffer.from([0x5b, 0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d, 0x5d]))).toBeUndefined();
  });

  it('accepts a page only when acceptRaw would take it without any schema change', () => {
    const records: unknown[] = [
      { id: '9', name: 'n', amount: '-0.5', when: '2024-02-29 23:59:59.123456Z', day: '2024-02-29', ok: 'true', n: 0, loc: null },
      { id: '9', amount: '10', when: '2024-03-05' },
      { id: '9', when: '2023-02-29T00:00' },
      { id: '9', name: 12 },
      { id: '9', name: false },
      { id: '9', unknown: null, loc: { lat: null } },
      { id: '9', amount: '1E5' },
      { id: '9', n: -0 },
    ];
    for (const record of records) {
      const scanned = primed().scanRaw(bytes([record]));
      const parsed = primed();
      const before = parsed.tables();
      const accepted = parsed.acceptRaw([record]);
      if (scanned !== undefined) {
        expect(accepted, JSON.stringify(record)).toBe(true);
        expect(parsed.tables(), JSON.stringify(record)).toEqual(before);
      }
    }
    expect(primed().scanRaw(bytes(records.slice(0, 2)))).toBe(2);
  });

  it('judges string values exactly as the normalizer does, leaving exponents to the parser', () => {
    const samples = [
      '0', '-0', '7', '-12', '007', '123456789012345678', '1234567890123456789', '1.5', '-0.25', '.5', '5.', '1e5', '1E-3', 'abc', '',
      'true', 'false', 'True', '2024-03-05', '2024-02-29', '2023-02-29', '2024-13-01', '2024-04-31', '2024-03-05T10:00', '2024-03-05 10:00:59',
      '2024-03-05T24:00', '2024-03-05T10:60', '2024-03-05T10:00:00.1234567', '2024-03-05T10:00:00.123Z', '2024-03-05T10:00:00+02:00', '2024-03-05T10',
    ];
    for (const type of DATA_TYPES) {
      for (const value of samples) {
        const raw = Buffer.from(value);
        const expected = /[eE]/.test(value) && (type === 'double' || type === 'bigint') ? false : fits(value, type);
        expect(stringFits(raw, 0, raw.length, type), `${value} as ${type}`).toBe(expected);
      }
    }
  });

  it('splits a JSON array into its records without parsing them, whatever braces and quotes the strings hold', () => {
    const text = ' [ {"a": "}{\\"[", "b": [1, {"c": 2}]}\n,{"d": {}} ] ';
    const slices = recordSlices(Buffer.from(text));
    expect(slices).toHaveLength(4);
    const parts = [0, 2].map((k) => JSON.parse(text.slice(slices![k], slices![k + 1])) as unknown);
    expect(parts).toEqual([{ a: '}{"[', b: [1, { c: 2 }] }, { d: {} }]);
    for (const bad of ['{"a": 1}', '[1, 2]', '[{"a": 1}] x', '[{"a": "1}]', '[{"a": 1},]']) expect(recordSlices(Buffer.from(bad)), bad).toBeUndefined();
    expect(recordSlices(Buffer.from('[]'))).toEqual([]);
  });
});

describe('checking a body record by record (acceptRawBody)', () => {
  const fresh = () => new Normalizer({ table: 't', writeDisposition: 'append', primaryKey: [], hints: { name: 'text' } });

  it('settles the same schema as acceptRaw on the parsed page', () => {
    const records = Array.from({ length: 12_000 }, (_, i) => ({ ...base[i % 2], id: String(i), ...(i === 11_999 ? { late: 'x' } : {}) }));
    const byBody = fresh();
    expect(byBody.acceptRawBody(bytes(records))).toBe(12_000);
    const parsed = fresh();
    expect(parsed.acceptRaw(records)).toBe(true);
    expect(byBody.rawColumns()).toEqual(parsed.rawColumns());
    expect(byBody.tables()).toEqual(parsed.tables());
  });

  it('takes a large page from its first records and the byte check, settling the types all its records imply', () => {
    const fits = Array.from({ length: 3000 }, (_, i) => ({ ...base[i % 2], id: String(i) }));
    const byBody = fresh();
    expect(byBody.acceptRawBody(bytes(fits))).toBe(3000);
    const parsed = fresh();
    expect(parsed.acceptRaw(fits)).toBe(true);
    expect(byBody.tables()).toEqual(parsed.tables());
    expect(byBody.rawColumns()).toEqual(parsed.rawColumns());

    // A later record's value widens a type the first records imply (bigint to text): the whole
    // page is checked and the column is text, as when every record is walked.
    const widened = fits.map((r, i) => (i === 2500 ? { ...r, id: 'X-1' } : r));
    const wide = fresh();
    expect(wide.acceptRawBody(bytes(widened))).toBe(3000);
    const wideParsed = fresh();
    expect(wideParsed.acceptRaw(widened)).toBe(true);
    expect(wide.tables()).toEqual(wideParsed.tables());
    expect(wide.tables()[0]?.columns.find((c) => c.name === 'id')?.dataType).toBe('text');
  });

  it('changes nothing when a record needs the JavaScript route or the JSON is malformed', () => {
    const plain = () => new Normalizer({ table: 't', writeDisposition: 'append', primaryKey: [] });
    for (const body of [bytes([base[0], { id: '3', tags: ['a'] }]), Buffer.from('[{"id": "1"}, {"id": tru}]')]) {
      const normalizer = plain();
      expect(normalizer.acceptRawBody(body)).toBeUndefined();
      expect(normalizer.tables()).toEqual(plain().tables());
      expect(normalizer.rawColumns()).toEqual([]);
    }
  });
});
