/**
 * External models: tables the project reads but does not build (`external_models.yaml`, legacy
 * `schema.yaml`, and `external_models/**\/*.yaml`), each a list of `{name, columns, gateway, ...}`.
 * They give column types to lineage, `@STAR` and tests. Entries for another gateway are skipped.
 */
import { z } from 'zod';
import type { ModelDefaults } from './config';
import type { Diagnostics } from './diagnostics';
import type { ProjectEnv } from './env';
import { significant, tokenize } from './lexer';
import { unsetModelOptions, type AuditCall, type ExternalModelDefinition } from './model';
import { parseValue, type PropValue } from './properties';
import { YamlSource } from './yaml-source';

const entry = z.object({
  name: z.string().regex(/^[^.\s]+(\.[^.\s]+){1,2}$/, 'must be schema.table or catalog.schema.table'),
  columns: z.record(z.string(), z.string()).optional(),
  gateway: z.string().optional(),
  description: z.string().optional(),
  dialect: z.string().optional(),
  start: z.union([z.string(), z.number()]).optional(),
  owner: z.string().optional(),
  tags: z.array(z.string()).optional(),
  column_descriptions: z.record(z.string(), z.string()).optional(),
  audits: z.array(z.looseObject({ name: z.string() })).optional(),
});
const fileSchema = z.array(entry);
const ENTRY_KEYS = new Set(Object.keys(entry.shape));

/** A YAML scalar audit argument as a header value (SQLMesh parses them as SQL). */
function sqlValue(value: unknown): PropValue {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return parseValue(significant(tokenize(text).tokens), text);
}

/** Reads one external models file. `gateway` is the active gateway (others' entries are skipped). */
export function parseExternalModels(
  file: string,
  text: string,
  env: ProjectEnv,
  defaults: ModelDefaults,
  gateway: string | undefined,
  diagnostics: Diagnostics,
): ExternalModelDefinition[] {
  const source = new YamlSource(file, text, env, diagnostics);
  if (source.doc.errors.length > 0 || source.value === undefined || source.value === null) return [];
  const parsed = fileSchema.safeParse(source.value);
  if (!parsed.success) {
    source.reportIssues(parsed.error.issues, 'external.invalid');
    return [];
  }
  const out: ExternalModelDefinition[] = [];
  parsed.data.forEach((e, i) => {
    source.warnUnknownKeys([i], ENTRY_KEYS, `external model '${e.name}'`, 'external.unknown_key');
    if (e.dialect !== undefined && e.dialect.toLowerCase() !== 'duckdb') {
      diagnostics.error(file, source.rangeAt([i, 'dialect']), 'external.dialect', `Dialect '${e.dialect}' is not supported; only duckdb is`);
    }
    if (e.gateway !== undefined && gateway !== undefined && e.gateway.toLowerCase() !== gateway.toLowerCase()) return;
    const audits: AuditCall[] = (e.audits ?? []).map((a, j) => {
      const args: Record<string, PropValue> = {};
      for (const [k, v] of Object.entries(a)) if (k !== 'name') args[k.toLowerCase()] = sqlValue(v);
      return { name: a.name.toLowerCase(), args, range: source.rangeAt([i, 'audits', j]) };
    });
    const start = e.start ?? defaults.start;
    out.push({
      source: 'external',
      name: e.name,
      file,
      range: source.rangeAt([i]),
      kind: { name: 'EXTERNAL' },
      dialect: 'duckdb',
      cron: defaults.cron ?? '@daily',
      ...(start !== undefined ? { start } : {}),
      ...(e.owner !== undefined ? { owner: e.owner } : {}),
      ...(e.description !== undefined ? { description: e.description } : {}),
      tags: e.tags ?? [],
      grains: [],
      references: [],
      ...(e.columns ? { columns: Object.entries(e.columns).map(([name, type]) => ({ name, type })) } : {}),
      columnDescriptions: e.column_descriptions ?? {},
      audits,
      dependsOn: [],
      enabled: true,
      ...(e.gateway !== undefined ? { gateway: e.gateway } : {}),
      ...unsetModelOptions(),
    });
  });
  return out;
}
