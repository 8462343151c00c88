/**
 * Shared value and result shapes: how a DuckDB value looks once it has left the engine.
 * Numbers stay numbers where they fit in a double exactly; wider integers and decimals are
 * strings; dates and timestamps are ISO strings; lists are arrays; structs are objects.
 */

export type Cell = null | boolean | number | string | Cell[] | { [key: string]: Cell };

export interface ColumnInfo {
  name: string;
  /** DuckDB's type text, e.g. `BIGINT`, `DECIMAL(10,2)`, `STRUCT(a INTEGER)`. */
  type: string;
}

/** A query result kept on the main side; the client pages through it by id. */
export interface QueryResultHandle {
  resultId: string;
  columns: ColumnInfo[];
  rowCount: number;
  elapsedMs: number;
  /** DuckDB statement type, e.g. `SELECT`, `CREATE`, `INSERT`. */
  statementType: string;
  /** Rows changed by a DML statement, when DuckDB reports it. */
  rowsChanged: number;
}

/** A window of a result, transferred column-wise: `columns[c][r]` is row `offset + r`. */
export interface ResultPage {
  resultId: string;
  offset: number;
  rowCount: number;
  columns: Cell[][];
}
