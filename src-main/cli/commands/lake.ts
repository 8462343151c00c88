/**
 * `pas lake snapshots|tables|expire|cleanup [--json]`: the project's DuckLake lake, from the
 * gateway's `catalogs:` entry of `type: ducklake`.
 *   expire --older-than AGE|TIME [--keep-last N] [--dry-run]   AGE like `7d`, `12h`, `30m`
 *   cleanup [--dry-run] [--orphan-min-age AGE]
 */
import { CliError, parseCommandArgs, type CommandIo } from '../args';
import { withClient } from '../connect';
import { write } from '../output';

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `7d`, `12h`, `7 days` → milliseconds; undefined when not an age. */
export function parseAge(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?|d|days?|w|weeks?)\s*$/i.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * (UNITS[(match[2] ?? 's')[0]!.toLowerCase()] ?? 0);
}

function bytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KiB` : n < 1024 ** 3 ? `${(n / 1024 ** 2).toFixed(1)} MiB` : `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export const lakeOptions = {
  project: { type: 'string', short: 'p' },
  json: { type: 'boolean' },
  'older-than': { type: 'string' },
  'keep-last': { type: 'string' },
  'dry-run': { type: 'boolean' },
  'orphan-min-age': { type: 'string' },
} as const;

export async function lakeCommand(argv: string[], io: CommandIo): Promise<number> {
  const [sub, ...rest] = argv;
  const { values } = parseCommandArgs(`lake ${sub ?? ''}`.trim(), rest, lakeOptions);
  if (!sub || !['snapshots', 'tables', 'expire', 'cleanup'].includes(sub)) throw new CliError('usage: pas lake snapshots|tables|expire|cleanup [--json]');
  const out = (human: string, json: unknown) => write(io.stdout, values.json ? `${JSON.stringify(json)}\n` : human);
  switch (sub) {
    case 'snapshots':
      return withClient({ project: values.project }, async (client) => {
        const { snapshots } = await client.invoke('lake.snapshots', {});
        const json = snapshots.map((s) => ({ id: s.id, time: s.time, schema_version: s.schemaVersion, changes: s.changes, author: s.author, message: s.message }));
        const lines = snapshots.map((s) => `${String(s.id).padStart(5)}  ${s.time}  ${Object.entries(s.changes).map(([k, v]) => `${k}: ${v.join(', ')}`).join('; ') || '(no changes)'}${s.message ? `  — ${s.message}` : ''}`);
        await out(`${lines.join('\n')}\n`, json);
        return 0;
      });
    case 'tables':
      return withClient({ project: values.project }, async (client) => {
        const { tables } = await client.invoke('lake.tables', {});
        const json = tables.map((t) => ({ schema: t.schema, name: t.name, rows: t.rows, files: t.files, delete_files: t.deleteFiles, bytes: t.bytes, inlined_rows: t.inlinedRows }));
        const lines = tables.map((t) => `${`${t.schema}.${t.name}`.padEnd(48)} ${String(t.rows).padStart(10)} rows  ${String(t.files).padStart(4)} files  ${bytes(t.bytes).padStart(10)}`);
        await out(`${lines.join('\n')}\n(${tables.length} tables)\n`, json);
        return 0;
      });
    case 'expire': {
      const raw = values['older-than'];
      const keep = values['keep-last'] === undefined ? undefined : Number(values['keep-last']);
      if (!raw && keep === undefined) throw new CliError('pas lake expire: give --older-than AGE|TIME (e.g. 7d) and/or --keep-last N');
      if (keep !== undefined && (!Number.isInteger(keep) || keep < 1)) throw new CliError(`--keep-last must be a whole number of at least 1, got "${values['keep-last']}"`);
      let olderThan: Date | undefined;
      if (raw) {
        const age = parseAge(raw);
        olderThan = age !== undefined ? new Date(Date.now() - age) : new Date(raw);
        if (Number.isNaN(olderThan.getTime())) throw new CliError(`--older-than: "${raw}" is neither an age (7d, 12h) nor a date`);
      }
      const dryRun = values['dry-run'] === true;
      return withClient({ project: values.project }, async (client) => {
        const result = await client.invoke('lake.expire', { ...(olderThan ? { olderThan: olderThan.toISOString() } : {}), ...(keep !== undefined ? { keepLast: keep } : {}), dryRun });
        await out(
          `${dryRun ? 'Would expire' : 'Expired'} ${result.expired.length} snapshot(s)${result.expired.length ? `: ${result.expired.join(', ')}` : ''}; ${result.scheduledFiles.length} file(s) ${dryRun ? 'would be' : 'are'} scheduled for deletion (run \`pas lake cleanup\`).\n`,
          { expired: result.expired, scheduled_files: result.scheduledFiles, dry_run: dryRun },
        );
        return 0;
      });
    }
    default: {
      const minAge = values['orphan-min-age'] === undefined ? undefined : parseAge(values['orphan-min-age']);
      if (values['orphan-min-age'] !== undefined && minAge === undefined) throw new CliError(`--orphan-min-age: "${values['orphan-min-age']}" is not an age (e.g. 1h, 0s)`);
      return withClient({ project: values.project }, async (client) => {
        const result = await client.invoke('lake.cleanup', { dryRun: values['dry-run'] === true, ...(minAge !== undefined ? { orphanMinAgeMs: minAge } : {}) });
        const verb = result.dryRun ? 'Would remove' : 'Removed';
        const lines = [
          `${verb} ${result.scheduled.length} file(s) of expired snapshots and ${result.orphans.length} orphaned file(s) from ${result.dataRoot}`,
          ...result.scheduled.map((k) => `  expired  ${k}`),
          ...result.orphans.map((o) => `  orphan   ${o.key} (${bytes(o.size)})`),
        ];
        await out(`${lines.join('\n')}\n`, { scheduled: result.scheduled, orphans: result.orphans, dry_run: result.dryRun });
        return 0;
      });
    }
  }
}
