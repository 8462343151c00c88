/**
 * Column profiles beside the preview: per column its type, null share (a thin bar), distinct
 * count, min and max, and a tiny inline SVG bar list (histogram bins or top values).
 */
import type { ColumnProfile, ProfileResult } from '../../../src-shared/workbench-contract';

function Bars({ profile }: { profile: ColumnProfile }) {
  const max = Math.max(1, ...profile.bars.map((b) => b.count));
  if (profile.bars.length === 0) return null;
  if (profile.barsKind === 'histogram') {
    const width = 160;
    const height = 28;
    const w = width / profile.bars.length;
    return (
      <svg className="wb-hist" width={width} height={height} role="img" aria-label={`Histogram of ${profile.name}`}>
        {profile.bars.map((b, i) => {
          const h = Math.max(1, (b.count / max) * (height - 2));
          return (
            <rect key={i} x={i * w + 1} y={height - h} width={Math.max(1, w - 2)} height={h}>
              <title>{`≤ ${b.label}: ${b.count}`}</title>
            </rect>
          );
        })}
      </svg>
    );
  }
  return (
    <ul className="wb-top" aria-label={`Top values of ${profile.name}`}>
      {profile.bars.map((b) => (
        <li key={b.label} title={`${b.label}: ${b.count}`}>
          <span className="wb-top-bar" style={{ width: `${(b.count / max) * 100}%` }} />
          <span className="wb-top-label">{b.label}</span>
          <span className="wb-top-count">{b.count}</span>
        </li>
      ))}
    </ul>
  );
}

export function ColumnProfiles({ profile, stale }: { profile: ProfileResult | undefined; stale: boolean }) {
  if (!profile) return <div className="wb-profiles wb-empty">Profiles appear once the preview has rows.</div>;
  return (
    <div className={`wb-profiles${stale ? ' is-stale' : ''}`} data-testid="column-profiles">
      <div className="wb-profiles-head">Profile of {profile.rows.toLocaleString('en-US')} preview rows</div>
      {profile.columns.map((c) => (
        <div key={c.name} className="wb-profile" data-column={c.name}>
          <div className="wb-profile-title">
            <span className="wb-profile-name" title={c.name}>
              {c.name}
            </span>
            <span className="wb-profile-type">{c.type}</span>
          </div>
          <div className="wb-profile-stats">
            <span title="share of NULL values">
              <span className="wb-null-bar">
                <span style={{ width: `${c.nullShare * 100}%` }} />
              </span>
              {(c.nullShare * 100).toFixed(c.nullShare > 0 && c.nullShare < 0.01 ? 1 : 0)}% null
            </span>
            <span title="distinct values">{c.distinct.toLocaleString('en-US')} distinct</span>
          </div>
          {(c.min !== undefined || c.max !== undefined) && (
            <div className="wb-profile-range" title={`${c.min ?? ''} … ${c.max ?? ''}`}>
              {c.min} … {c.max}
            </div>
          )}
          <Bars profile={c} />
        </div>
      ))}
    </div>
  );
}
