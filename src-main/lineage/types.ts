/**
 * The public shapes of column lineage: what one output column of one model is computed
 * from (its direct upstream columns, each a value or a filter dependency), where in the SQL
 * text, and whether some of it cannot be known without more schemas.
 */
import type { TextRange } from '../sql/ranges';
import type { ColumnProblem } from './expressions';

/**
 * `value`: the column's value is computed from it; `filter`: it only decides which rows;
 * `code`: read by a model computed by code (TypeScript), how is not known.
 */
export type DependencyKind = 'value' | 'filter' | 'code';

/** A relation outside the query: a model, a source table, or a name we could not resolve. */
export interface RelationName {
  catalog?: string;
  schema?: string;
  name: string;
}

/**
 * How the lineage engine learns about relations a query reads: the relation's key (the
 * model or source name all lineage is reported under) and, when known, its columns.
 */
export type RelationResolver = (relation: RelationName) => { key: string; columns?: readonly string[] };

export interface ColumnDependency {
  /** Key of the upstream relation (model or source). */
  relation: string;
  column: string;
  kind: DependencyKind;
  /** The expression of this model's SQL through which the upstream column enters. */
  expression?: string;
  range?: TextRange;
}

export interface UnknownLineage {
  unknown: true;
  reason: string;
}

export interface ColumnLineage {
  column: string;
  /** The expression that computes the column, as written, and its range in the SQL text. */
  expression?: string;
  range?: TextRange;
  upstream: ColumnDependency[];
  /** Set when some or all of the column's lineage cannot be known (the upstream list is partial). */
  unknown?: UnknownLineage;
}

export interface ModelLineage {
  columns: ColumnLineage[];
  /** False when a `*` or COLUMNS(...) could not be expanded, so the column list is partial. */
  complete: boolean;
  /** Keys of the relations the query reads. */
  references: string[];
  /** References that cannot resolve whatever the data (unknown or ambiguous columns). */
  problems?: ColumnProblem[];
}
