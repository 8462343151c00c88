/**
 * Writes the bundled sample `resources/sample/nyc_collisions.ndjson.gz`: 20,000 synthetic,
 * Socrata-shaped NYC collision records (2024-01-01 .. 2024-03-31) from the seeded generator in
 * `src-main/ingest/testing/collisions.ts`. Deterministic: running it again gives the same file.
 *
 * Usage: npx tsx scripts/generate-sample-data.ts [outputFile] [rows]
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { generateCollisions } from '../src-main/ingest/testing/collisions';

const output = process.argv[2] ?? path.resolve('resources/sample/nyc_collisions.ndjson.gz');
const rows = Number(process.argv[3] ?? 20_000);

const lines: string[] = [];
for (const record of generateCollisions({ seed: 20240101, count: rows, startDate: '2024-01-01', endDate: '2024-03-31' })) {
  lines.push(JSON.stringify(record));
}
fs.mkdirSync(path.dirname(output), { recursive: true });
// mtime 0 in the gzip header keeps the file byte-identical between runs.
const gz = zlib.gzipSync(lines.join('\n') + '\n', { level: 9 });
fs.writeFileSync(output, gz);
console.log(`wrote ${rows} records to ${output} (${gz.length} bytes)`);
