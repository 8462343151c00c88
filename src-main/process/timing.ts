/**
 * Start-up profiling: with `PAS_TIMING=1` each `mark` prints the milliseconds since the process
 * started and a label to stderr (`pas fetchdf "select 1"` shows where its time goes). Off, a
 * mark costs one comparison.
 */
const on = process.env.PAS_TIMING === '1';

export function mark(label: string): void {
  if (on) process.stderr.write(`[pas ${performance.now().toFixed(1).padStart(7)} ms] ${label}\n`);
}
