/** Shared shapes of the lineage view: models (or sources) as nodes with columns, column edges. */

export interface FilePosition {
  file: string;
  line: number;
  column: number;
}

export interface LineageColumn {
  name: string;
  /** The expression computing it, as rendered. */
  expression?: string;
  /** Where that expression stands in the model file. */
  position?: FilePosition;
  /** Why (part of) this column's lineage cannot be known. */
  unknown?: string;
}

export interface LineageNode {
  model: string;
  /** Model kind, or `SOURCE` for tables that are not models of the project. */
  kind: string;
  file?: string;
  columns: LineageColumn[];
}

export interface ColumnKey {
  model: string;
  column: string;
}

export interface LineageEdge {
  from: ColumnKey;
  to: ColumnKey;
  /** `code`: read by a model computed by code (a TypeScript model), the mapping unknown. */
  kind: 'value' | 'filter' | 'code';
  expression?: string;
}

export interface LineageView {
  focus: { model: string; column?: string };
  nodes: LineageNode[];
  edges: LineageEdge[];
  /** With a focus column: every column downstream of it, transitively, with its hop count (the impact of a change). */
  impact?: (ColumnKey & { hops: number })[];
  /** Models at the edge of the view that have more upstream / downstream beyond it. */
  moreUpstream: string[];
  moreDownstream: string[];
}

export interface LineageModelSummary {
  name: string;
  kind: string;
  columns: string[];
}
