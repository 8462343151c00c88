import { describe, expect, it } from 'vitest';
import { formatCopy } from './copy-format';

const names = ['id', 'text', 'nested'];
const columns = [
  [1, 2],
  ['a,"b"', 'tab\there|pipe\nline'],
  [{ k: [1, 2] }, null],
];

describe('copied text', () => {
  it('writes TSV with a header, flattening tabs and line breaks inside cells', () => {
    expect(formatCopy('tsv', names, columns)).toBe('id\ttext\tnested\n1\ta,"b"\t{"k":[1,2]}\n2\ttab here|pipe line\t');
  });

  it('writes CSV with quoting', () => {
    expect(formatCopy('csv', names, columns)).toBe('id,text,nested\n1,"a,""b""","{""k"":[1,2]}"\n2,"tab\there|pipe\nline",');
  });

  it('writes JSON row objects keeping types and nulls', () => {
    expect(JSON.parse(formatCopy('json', names, columns))).toEqual([
      { id: 1, text: 'a,"b"', nested: { k: [1, 2] } },
      { id: 2, text: 'tab\there|pipe\nline', nested: null },
    ]);
  });

  it('writes a Markdown table escaping pipes and line breaks', () => {
    expect(formatCopy('markdown', names, columns)).toBe(
      '| id | text | nested |\n| --- | --- | --- |\n| 1 | a,"b" | {"k":[1,2]} |\n| 2 | tab\there\\|pipe<br>line | NULL |',
    );
  });
});
