/**
 * `pas lake snapshots|tables|expire|cleanup [--json]`: the project's DuckLake lake, from the
 * gateway's `catalogs:` entry of `type: ducklake`.
 *   expire --older-than AGE|TIME [--keep-last N] [--dry-run]   AGE like `7d`, `12h`, `30m`
 *   cleanup [--dry-run] [--orphan-min-age AGE]
 */
import { lakeWarehouseOf } from '../../plan/multi-catalog-warehouse';
import type { Workspace } from '../../plan/workspace';
import { CliError, parseCommandArgs, type CommandIo } from '../args';
import { write } from '../output';
import { withWorkspace } from '../workspace';

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `7d`, `12h`, `7 days` → milliseconds; undefined when not an age. */
export function parseAge(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?|d|days?|w|weeks?)\s*$/i.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * (UNITS[(match[2] ?? 's')[0]!.toLowerCase()] ?? 0);
}

function lakeOf(ws: Workspace) {
  const lake = lakeWarehouseOf(ws.warehouse);
  if (!lake) {
    throw new CliError(`The project's gateway has no DuckLake catalog (a catalogs: entry with type: ducklake in ${ws.project.config.file ?? 'config.yaml'}).`, 1);
  }
  return lake.lake;
}

function bytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KiB` : n < 1024 ** 3 ? `${(n / 1024 ** 2).toFixed(1)} MiB` : `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export async function lakeCommand(argv: string[], io: CommandIo): Promise<number> {
  const [sub, ...rest] = argv;
  const { values } = parseCommandArgs(`lake ${sub ?? ''}`.trim(), rest, {
    project: { type: 'string', short: 'p' },
    json: { type: 'boolean' },
    'older-than': { type: 'string' },
    'keep-last': { type: 'string' },
    'dry-run': { type: 'boolean' },
    'orphan-min-age': { type: 'string' },
  });
  if (!sub || !['snapshots', 'tables', 'expire', 'cleanup'].includes(sub)) throw new CliError('usage: pas lake snapshots|tables|expire|cleanup [--json]');
  return withWorkspace(values.project as string | undefined, io.stderr, async (ws) => {
    const lake = lakeOf(ws);
    const out = (human: string, json: unknown) => write(io.stdout, values.json ? `${JSON.stringify(json)}\n` : human);
    switch (sub) {
      case 'snapshots': {
        const snapshots = await lake.snapshots();
        const json = snapshots.map((s) => ({ id: s.id, time: s.time.toISOString(), schema_version: s.schemaVersion, changes: s.changes, author: s.author, message: s.message }));
        const lines = snapshots.map((s) => `${String(s.id).padStart(5)}  ${s.time.toISOString()}  ${Object.entries(s.changes).map(([k, v]) => `${k}: ${v.join(', ')}`).join('; ') || '(no changes)'}${s.message ? `  — ${s.message}` : ''}`);
        await out(`${lines.join('\n')}\n`, json);
        return 0;
      }
      case 'tables': {
        const tables = await lake.tables();
        const json = tables.map((t) => ({ schema: t.schema, name: t.name, rows: t.rowCount, files: t.fileCount, delete_files: t.deleteFileCount, bytes: t.sizeBytes, inlined_rows: t.inlinedRowCount }));
        const lines = tables.map((t) => `${`${t.schema}.${t.name}`.padEnd(48)} ${String(t.rowCount).padStart(10)} rows  ${String(t.fileCount).padStart(4)} files  ${bytes(t.sizeBytes).padStart(10)}`);
        await out(`${lines.join('\n')}\n(${tables.length} tables)\n`, json);
        return 0;
      }
      case 'expire': {
        const raw = values['older-than'] as string | undefined;
        const keep = values['keep-last'] === undefined ? undefined : Number(values['keep-last']);
        if (!raw && keep === undefined) throw new CliError('pas lake expire: give --older-than AGE|TIME (e.g. 7d) and/or --keep-last N');
        if (keep !== undefined && (!Number.isInteger(keep) || keep < 1)) throw new CliError(`--keep-last must be a whole number of at least 1, got "${values['keep-last']}"`);
        let olderThan: Date | undefined;
        if (raw) {
          const age = parseAge(raw);
          olderThan = age !== undefined ? new Date(Date.now() - age) : new Date(raw);
          if (Number.isNaN(olderThan.getTime())) throw new CliError(`--older-than: "${raw}" is neither an age (7d, 12h) nor a date`);
        }
        const result = await lake.expire({ ...(olderThan ? { olderThan } : {}), ...(keep !== undefined ? { keepLast: keep } : {}), dryRun: values['dry-run'] === true });
        await out(
          `${values['dry-run'] ? 'Would expire' : 'Expired'} ${result.expired.length} snapshot(s)${result.expired.length ? `: ${result.expired.join(', ')}` : ''}; ${result.scheduledFiles.length} file(s) ${values['dry-run'] ? 'would be' : 'are'} scheduled for deletion (run \`pas lake cleanup\`).\n`,
          { expired: result.expired, scheduled_files: result.scheduledFiles, dry_run: values['dry-run'] === true },
        );
        return 0;
      }
      default: {
        const minAge = values['orphan-min-age'] === undefined ? undefined : parseAge(values['orphan-min-age'] as string);
        if (values['orphan-min-age'] !== undefined && minAge === undefined) throw new CliError(`--orphan-min-age: "${values['orphan-min-age']}" is not an age (e.g. 1h, 0s)`);
        const result = await lake.cleanup({ dryRun: values['dry-run'] === true, ...(minAge !== undefined ? { orphanMinAgeMs: minAge } : {}) });
        const verb = result.dryRun ? 'Would remove' : 'Removed';
        const lines = [
          `${verb} ${result.scheduled.length} file(s) of expired snapshots and ${result.orphans.length} orphaned file(s) from ${lake.storage.displayRoot}`,
          ...result.scheduled.map((k) => `  expired  ${k}`),
          ...result.orphans.map((o) => `  orphan   ${o.key} (${bytes(o.size)})`),
        ];
        await out(`${lines.join('\n')}\n`, { scheduled: result.scheduled, orphans: result.orphans, dry_run: result.dryRun });
        return 0;
      }
    }
  });
}
