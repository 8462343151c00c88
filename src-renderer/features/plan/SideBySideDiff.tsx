/** Two queries side by side, line by line, with removed, added and changed lines marked. */
import { useMemo } from 'react';
import { sideBySide } from './side-by-side';

export function SideBySideDiff({ before, after, leftLabel, rightLabel }: { before: string; after: string; leftLabel: string; rightLabel: string }) {
  const rows = useMemo(() => sideBySide(before, after), [before, after]);
  return (
    <div className="sbs" role="table" aria-label={`Diff of ${leftLabel} and ${rightLabel}`}>
      <div className="sbs-head" role="row">
        <span role="columnheader">{leftLabel}</span>
        <span role="columnheader">{rightLabel}</span>
      </div>
      <div className="sbs-body">
        {rows.map((row, i) => (
          <div key={i} className={`sbs-row is-${row.kind}`} role="row">
            <span className="sbs-num">{row.left?.line ?? ''}</span>
            <code className={`sbs-cell${row.left && row.kind !== 'same' ? ' is-old' : ''}`} role="cell">
              {row.left?.text ?? ''}
            </code>
            <span className="sbs-num">{row.right?.line ?? ''}</span>
            <code className={`sbs-cell${row.right && row.kind !== 'same' ? ' is-new' : ''}`} role="cell">
              {row.right?.text ?? ''}
            </code>
          </div>
        ))}
      </div>
    </div>
  );
}
