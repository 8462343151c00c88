import { describe, expect, it } from 'vitest';
import { Normalizer } from './normalizer';
import { snakeCase } from './naming';
import { inferStringType } from './infer';

function parse(lines: string[] | undefined): Record<string, unknown>[] {
  return (lines ?? []).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('naming', () => {
  it('snake_cases names the way dlt does', () => {
    expect(snakeCase('CrashDate')).toBe('crash_date');
    expect(snakeCase('vehicle type-code 1')).toBe('vehicle_type_code_1');
    expect(snakeCase('1st')).toBe('_1st');
    expect(snakeCase('a@b')).toBe('aab');
    expect(snakeCase('')).toBe('_empty');
  });
});

describe('type inference from strings', () => {
  it('infers bigint, double, date, timestamp and bool from Socrata-style strings', () => {
    expect(inferStringType('4543075')).toBe('bigint');
    expect(inferStringType('-73.88444')).toBe('double');
    expect(inferStringType('2024-03-05T00:00:00.000')).toBe('timestamp');
    expect(inferStringType('2024-03-05')).toBe('date');
    expect(inferStringType('true')).toBe('bool');
    expect(inferStringType('9:35')).toBe('text');
    expect(inferStringType('07302')).toBe('text');
    expect(inferStringType('2024-03-05T10:00:00Z')).toBe('timestamp');
    expect(inferStringType('2024-02-29')).toBe('date');
    expect(inferStringType('2023-02-29')).toBe('text');
    expect(inferStringType('2024-04-31T00:00:00')).toBe('text');
    expect(inferStringType('2024-04-30T24:00:00')).toBe('text');
    expect(inferStringType('1.5e3')).toBe('double');
    expect(inferStringType('1e400')).toBe('text');
    // An offset would be dropped by a TIMESTAMP cast: keep the text rather than shift the time.
    expect(inferStringType('2024-03-05T10:00:00+02:00')).toBe('text');
  });
});

describe('Normalizer', () => {
  it('flattens nested objects with __ and infers column types over the page', () => {
    const n = new Normalizer({ table: 'crashes', writeDisposition: 'append', primaryKey: [] });
    const page = n.normalizePage([
      { id: '1', location: { latitude: '40.5', longitude: '-73.9' }, lat: '0' },
      { id: '2', lat: '40.7' },
    ]);
    const rows = parse(page.get('crashes'));
    expect(rows[0]).toMatchObject({ id: '1', location__latitude: '40.5', location__longitude: '-73.9' });
    const cols = Object.fromEntries(n.tables()[0]!.columns.map((c) => [c.name, c.dataType]));
    expect(cols).toMatchObject({ id: 'bigint', location__latitude: 'double', lat: 'double', _dlt_id: 'text', _dlt_load_id: 'text' });
  });

  it('turns lists into child tables linked by parent id, list index and root id', () => {
    const n = new Normalizer({ table: 'orders', writeDisposition: 'append', primaryKey: [] });
    const page = n.normalizePage([{ id: 1, items: [{ sku: 'a', tags: ['x', 'y'] }, { sku: 'b' }] }]);
    const root = parse(page.get('orders'))[0]!;
    const items = parse(page.get('orders__items'));
    const tags = parse(page.get('orders__items__tags'));
    expect(items).toHaveLength(2);
    expect(items[1]).toMatchObject({ sku: 'b', _dlt_parent_id: root._dlt_id, _dlt_list_idx: 1, _dlt_root_id: root._dlt_id });
    expect(tags.map((t) => t.value)).toEqual(['x', 'y']);
    expect(tags[0]!._dlt_parent_id).toBe(items[0]!._dlt_id);
    expect(tags[0]!._dlt_root_id).toBe(root._dlt_id);
    expect(n.tables().map((t) => [t.name, t.parent])).toEqual([
      ['orders', undefined],
      ['orders__items', 'orders'],
      ['orders__items__tags', 'orders__items'],
    ]);
  });

  it('puts a value that does not fit its column into a variant column instead of dropping it', () => {
    const n = new Normalizer({ table: 't', writeDisposition: 'append', primaryKey: [] });
    n.normalizePage([{ n: '1' }]);
    const rows = parse(n.normalizePage([{ n: 'not a number' }, { n: '2' }]).get('t'));
    expect(rows[0]).toMatchObject({ n__v_text: 'not a number' });
    expect(rows[0]!.n).toBeUndefined();
    expect(rows[1]).toMatchObject({ n: '2' });
    const variant = n.tables()[0]!.columns.find((c) => c.name === 'n__v_text');
    expect(variant).toEqual({ name: 'n__v_text', dataType: 'text', variantOf: 'n' });
  });

  it('lets declared column hints win over inference', () => {
    const n = new Normalizer({ table: 't', writeDisposition: 'append', primaryKey: [], hints: { zip: 'text', raw: 'json' } });
    const rows = parse(n.normalizePage([{ zip: '10458', raw: { a: 1 } }]).get('t'));
    expect(rows[0]).toMatchObject({ zip: '10458', raw: { a: 1 } });
    const cols = Object.fromEntries(n.tables()[0]!.columns.map((c) => [c.name, c.dataType]));
    expect(cols).toMatchObject({ zip: 'text', raw: 'json' });
  });

  it('treats missing keys and nulls as absent values', () => {
    const n = new Normalizer({ table: 't', writeDisposition: 'append', primaryKey: [] });
    const rows = parse(n.normalizePage([{ a: null, b: '1' }, { b: '2' }]).get('t'));
    expect(Object.keys(rows[0]!)).toEqual(['_dlt_id', 'b']);
    expect(n.tables()[0]!.columns.map((c) => c.name)).not.toContain('a');
  });
});
