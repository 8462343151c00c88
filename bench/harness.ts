/** What a benchmark returns: figures, each with what it is compared against and its target. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** What the figure is compared against, measured in the same run (e.g. "bare DuckDB: 812 ms"). */
  baseline?: string;
  target?: string;
  /** Whether the target is met, when the benchmark can tell. */
  met?: boolean;
}

export type Benchmark = () => Promise<Figure[]>;

/** Median of `runs` timings of `fn` in milliseconds, after one warm-up run. */
export async function medianMs(fn: () => Promise<unknown>, runs = 5): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? 0;
}
