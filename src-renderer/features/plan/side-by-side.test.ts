import { describe, expect, it } from 'vitest';
import { sideBySide } from './side-by-side';

describe('side-by-side diff rows', () => {
  it('pairs a replaced line with its replacement and shows an added line alone', () => {
    const rows = sideBySide('SELECT a,\n  b\nFROM t', 'SELECT a,\n  b,\n  c\nFROM t');
    expect(rows.map((r) => [r.kind, r.left?.text ?? null, r.right?.text ?? null])).toEqual([
      ['same', 'SELECT a,', 'SELECT a,'],
      ['changed', '  b', '  b,'],
      ['added', null, '  c'],
      ['same', 'FROM t', 'FROM t'],
    ]);
    expect(rows.at(-1)).toMatchObject({ left: { line: 3 }, right: { line: 4 } });
  });

  it('shows a removed line with nothing beside it', () => {
    expect(sideBySide('a\nb\nc', 'a\nc').map((r) => r.kind)).toEqual(['same', 'removed', 'same']);
  });
});
