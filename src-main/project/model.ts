/**
 * The typed definition of a model, whatever file it came from: a SQL file with a `MODEL (...)`
 * header, a TypeScript module, or an `external_models.yaml` entry. Later stages (plan, state,
 * lineage) read models only through these types.
 */
import type { SourceRange } from './diagnostics';
import type { ModelKind } from './model-kind';
import type { PropValue } from './properties';
import type { SqlSection } from './sql-section';

export interface ColumnDef {
  name: string;
  /** DuckDB type as written, e.g. `INT`, `DECIMAL(10, 2)`, `STRUCT(a INT)`. */
  type: string;
}

/** A use of an audit by a model: `not_null(columns := (a, b))`. */
export interface AuditCall {
  /** Lower-cased audit name (built-in or from `audits/`). */
  name: string;
  /** Arguments by lower-cased name; positional arguments are not allowed by SQLMesh. */
  args: Record<string, PropValue>;
  range: SourceRange;
}

/** Where one header property was written. */
export interface PropertySource {
  keyRange: SourceRange;
  /** Range of the whole `key value` item. */
  range: SourceRange;
  value?: PropValue;
}

interface ModelCommon {
  /** Fully qualified as written: `schema.table` or `catalog.schema.table`. */
  name: string;
  /** Project-relative path of the defining file. */
  file: string;
  kind: ModelKind;
  dialect: 'duckdb';
  cron: string;
  cronTz?: string;
  /** Absolute date string, relative expression (`'1 year ago'`) or epoch milliseconds. */
  start?: string | number;
  end?: string | number;
  owner?: string;
  /** Table comment: `description`, else the leading file comment. */
  description?: string;
  tags: string[];
  grains: string[];
  references: string[];
  /** Explicit column list (disables inference); undefined when not declared. */
  columns?: ColumnDef[];
  /** Column comments: `column_descriptions`, else inline comments on projections. */
  columnDescriptions: Record<string, string>;
  audits: AuditCall[];
  /** Extra upstream models beyond those found in the query. */
  dependsOn: string[];
  enabled: boolean;
  stamp?: string;
  gateway?: string;
  intervalUnit?: string;
  allowPartials: boolean;
  partitionedBy: string[];
  clusteredBy: string[];
  physicalProperties: Record<string, unknown>;
  virtualProperties: Record<string, unknown>;
  sessionProperties: Record<string, unknown>;
  signals: string[];
  project?: string;
}

export interface SqlModelDefinition extends ModelCommon {
  source: 'sql';
  /** The `MODEL (...)` header. */
  headerRange: SourceRange;
  /** Every header property as written, by lower-cased key. */
  properties: Record<string, PropertySource>;
  /** Kind options as written (`time_column`, `batch_size`, ...). */
  kindOptions: Record<string, PropertySource>;
  /** The model query; absent only for SEED models. */
  query?: SqlSection;
  /** Statements before the query, including `@DEF(...)` definitions, in file order. */
  preStatements: SqlSection[];
  postStatements: SqlSection[];
  /** Statements between ON_VIRTUAL_UPDATE_BEGIN and ON_VIRTUAL_UPDATE_END. */
  onVirtualUpdate: SqlSection[];
  /** Names of audits defined inline in this file. */
  inlineAudits: string[];
  /** For a model made from `blueprints`: its variables, as SQL text of each value. */
  blueprintVariables?: Record<string, string>;
}

export interface TypeScriptModelDefinition extends ModelCommon {
  source: 'typescript';
  /** Absolute path of the module, for the executor to import. */
  modulePath: string;
}

export interface ExternalModelDefinition extends ModelCommon {
  source: 'external';
  /** Range of the entry in its YAML file. */
  range: SourceRange;
}

export type ModelDefinition = SqlModelDefinition | TypeScriptModelDefinition | ExternalModelDefinition;

/** The options a model gets when its source cannot set them (external and TypeScript models). */
export function unsetModelOptions(): Pick<ModelCommon, 'allowPartials' | 'partitionedBy' | 'clusteredBy' | 'physicalProperties' | 'virtualProperties' | 'sessionProperties' | 'signals'> {
  return { allowPartials: false, partitionedBy: [], clusteredBy: [], physicalProperties: {}, virtualProperties: {}, sessionProperties: {}, signals: [] };
}
