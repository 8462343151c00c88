/** Whether a value is a date or time as SQLMesh reads `start:` / `end:` (config and MODEL headers). */

/** SQLMesh's date forms: a date, a date-time, epoch milliseconds, `today`/`yesterday`/`now`, `N <unit>s ago`. */
export function isTimeExpression(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'string') return false;
  const text = value.trim().toLowerCase();
  if (['today', 'yesterday', 'now'].includes(text) || /^\d+$/.test(text)) return true;
  if (/^\d+\s+(second|minute|hour|day|week|month|year)s?\s+ago$/.test(text)) return true;
  const date = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (date) {
    const [y, m, d] = [Number(date[1]), Number(date[2]), Number(date[3])];
    const probe = new Date(Date.UTC(y, m - 1, d));
    if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== m - 1 || probe.getUTCDate() !== d) return false;
    if (text.length === 10) return true;
  }
  return !Number.isNaN(Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? value : `${value}Z`));
}
