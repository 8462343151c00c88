/**
 * SQLMesh's linter settings (`linter:` in config.yaml, `ignored_rules` in a MODEL block) and
 * what they make of each built-in rule we check: an error, a warning, or nothing.
 *
 * As in SQLMesh the linter is off unless `enabled: true`; then `rules` (a list or "ALL") are
 * errors, `warn_rules` warnings and `ignored_rules` not checked. One difference, kept on purpose:
 * a column that cannot exist (every relation the query reads has known columns and none has it,
 * or two have it) is refused by DuckDB's binder whatever the linter says, so it stays an error
 * unless the rule is explicitly demoted (`warn_rules`) or ignored.
 */
import type { Diagnostic, Severity } from '../project/diagnostics';
import type { SqlModelDefinition } from '../project/model';
import type { PropValue } from '../project/properties';
import type { Project } from '../project/project';
import { didYouMean } from '../project/suggest';

export const LINT_RULES = ['ambiguousorinvalidcolumn', 'invalidselectstarexpansion', 'noambiguousprojections', 'noselectstar'] as const;
export type LintRule = (typeof LINT_RULES)[number];

/** Rules SQLMesh has that we do not check (they are accepted in the config and skipped). */
const OTHER_SQLMESH_RULES = ['nomissingaudits', 'nomissingowner', 'nomissingexternalmodels', 'nomissingunittest', 'cronintervalalignment'];

export interface LinterSettings {
  enabled: boolean;
  /** What a violation of `rule` in `model` is: an error, a warning, or nothing to report. */
  severity(rule: LintRule, model?: SqlModelDefinition): Severity | undefined;
}

function names(value: unknown): string[] | 'ALL' {
  if (typeof value === 'string') return value.toUpperCase() === 'ALL' ? 'ALL' : [value.toLowerCase()];
  if (Array.isArray(value)) return value.map((v) => String(v).toLowerCase());
  return [];
}

function propNames(value: PropValue | undefined): string[] | 'ALL' {
  if (!value) return [];
  if (value.kind === 'string') return value.value.toUpperCase() === 'ALL' ? 'ALL' : [value.value.toLowerCase()];
  if (value.kind === 'ident') return value.name.toUpperCase() === 'ALL' ? 'ALL' : [value.name.toLowerCase()];
  if (value.kind === 'array' || value.kind === 'tuple') {
    return value.items.map((v) => (v.kind === 'string' ? v.value : v.kind === 'ident' ? v.name : v.text).toLowerCase());
  }
  return [];
}

/** Reads the `linter:` block; unknown rule names become warnings on config.yaml. */
export function linterSettings(project: Project, configText: string | undefined, into: Diagnostic[]): LinterSettings {
  const raw = project.config.other['linter'];
  const block = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const enabled = block['enabled'] === true || String(block['enabled']).toLowerCase() === 'true';
  const rules = names(block['rules']);
  const warn = names(block['warn_rules']);
  const ignored = names(block['ignored_rules']);
  const file = project.config.file ?? 'config.yaml';
  const known = new Set<string>([...LINT_RULES, ...OTHER_SQLMESH_RULES]);
  for (const list of [rules, warn, ignored]) {
    if (list === 'ALL') continue;
    for (const rule of list) {
      if (known.has(rule)) continue;
      const at = positionOf(configText, rule);
      into.push({ file, line: at.line, column: at.column, severity: 'warning', code: 'linter.unknown_rule', message: `Unknown linter rule '${rule}'; it is ignored.${didYouMean(rule, LINT_RULES) || ` Built-in rules: ${LINT_RULES.join(', ')}.`}` });
    }
  }
  const has = (list: string[] | 'ALL', rule: string) => list === 'ALL' || list.includes(rule);
  return {
    enabled,
    severity(rule, model) {
      const modelIgnored = model ? propNames(model.properties['ignored_rules']?.value) : [];
      const isIgnored = has(modelIgnored, rule) || (enabled && has(ignored, rule));
      if (isIgnored) return undefined;
      if (enabled && has(warn, rule) && warn !== 'ALL') return 'warning';
      if (enabled && has(rules, rule)) return 'error';
      if (enabled && warn === 'ALL') return 'warning';
      return rule === 'ambiguousorinvalidcolumn' ? 'error' : undefined;
    },
  };
}

function positionOf(text: string | undefined, word: string): { line: number; column: number } {
  if (!text) return { line: 1, column: 1 };
  const at = text.search(new RegExp(`\\b${word.replace(/[^a-z0-9_]/gi, '')}\\b`, 'i'));
  if (at < 0) return { line: 1, column: 1 };
  const before = text.slice(0, at).split('\n');
  return { line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 };
}
