/**
 * `npm run bench`: runs every `bench/*.bench.ts` (each exports `run(): Promise<Figure[]>`) and
 * prints one table of figures. `npm run bench -- NAME` runs only benchmarks whose file name
 * contains NAME. Benchmarks print figures; they never fail the test suite.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Benchmark, Figure } from './harness';

const here = path.dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2];
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts') && (!filter || f.includes(filter)))
  .sort();

const rows: (Figure & { bench: string })[] = [];
for (const file of files) {
  const bench = file.replace(/\.bench\.ts$/, '');
  process.stderr.write(`running ${bench}…\n`);
  const module = (await import(pathToFileURL(path.join(here, file)).href)) as { run: Benchmark };
  for (const figure of await module.run()) rows.push({ ...figure, bench });
}

const format = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toFixed(3));
const table = [
  ['benchmark', 'figure', 'value', 'compared against (same run)', 'target', 'met'],
  ...rows.map((r) => [r.bench, r.name, `${format(r.value)} ${r.unit}`, r.baseline ?? '', r.target ?? '', r.met === undefined ? '' : r.met ? 'yes' : 'NO']),
];
const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
for (const [i, row] of table.entries()) {
  console.log(row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd());
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
