/**
 * A side-by-side line diff: the two texts' lines paired into rows (unchanged lines beside each
 * other, removed lines beside the lines that replaced them), with line numbers, from `diff`'s
 * line diff.
 */
import { diffLines } from 'diff';

export interface DiffCell {
  line: number;
  text: string;
}

export interface DiffRow {
  kind: 'same' | 'changed' | 'removed' | 'added';
  left?: DiffCell;
  right?: DiffCell;
}

function lines(value: string): string[] {
  const parts = value.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

export function sideBySide(before: string, after: string): DiffRow[] {
  const rows: DiffRow[] = [];
  let left = 1;
  let right = 1;
  let removed: string[] = [];
  const flush = (added: string[]) => {
    const n = Math.max(removed.length, added.length);
    for (let i = 0; i < n; i++) {
      const l = removed[i];
      const r = added[i];
      rows.push({
        kind: l !== undefined && r !== undefined ? 'changed' : l !== undefined ? 'removed' : 'added',
        ...(l !== undefined ? { left: { line: left++, text: l } } : {}),
        ...(r !== undefined ? { right: { line: right++, text: r } } : {}),
      });
    }
    removed = [];
  };
  for (const part of diffLines(before.endsWith('\n') ? before : `${before}\n`, after.endsWith('\n') ? after : `${after}\n`)) {
    if (part.removed) {
      removed.push(...lines(part.value));
    } else if (part.added) {
      flush(lines(part.value));
    } else {
      flush([]);
      for (const text of lines(part.value)) rows.push({ kind: 'same', left: { line: left++, text }, right: { line: right++, text } });
    }
  }
  flush([]);
  return rows;
}
