/**
 * The error union of the contract: every failure that crosses a process is one of these.
 * The `code` discriminates; each variant carries exactly the fields a client needs to
 * render it (a field path for validation, a source position for SQL, ...).
 */

/** A position inside a SQL text: 1-based line and column, 0-based character offset. */
export interface SourcePosition {
  line: number;
  column: number;
  offset: number;
}

export interface ValidationIssue {
  /** Dotted path of the offending field, e.g. `params.limit`. */
  path: string;
  message: string;
}

export type PasError =
  | { code: 'validation'; message: string; issues: ValidationIssue[] }
  | { code: 'unknown_method'; message: string; method: string }
  | {
      code: 'sql';
      message: string;
      /** DuckDB's error class, e.g. `Parser`, `Binder`, `Catalog`, `Conversion`. */
      errorType: string;
      position?: SourcePosition;
      /** The project's pipelines that load the table the error says is missing (run one, then retry). */
      loadedBy?: string[];
    }
  | { code: 'cancelled'; message: string }
  /** A blocking audit failed: nothing was promoted. */
  | { code: 'audit_failed'; message: string; model: string; audits: { audit: string; failedRows: number }[] }
  /** Another plan holds or changed the environment; plan again. */
  | { code: 'conflict'; message: string }
  | { code: 'not_found'; message: string; what: string }
  | { code: 'unauthorized'; message: string }
  | { code: 'internal'; message: string };

export type PasErrorCode = PasError['code'];

/** A thrown carrier for a PasError; transports turn it back into plain data. */
export class PasException extends Error {
  readonly error: PasError;
  constructor(error: PasError) {
    super(error.message);
    this.name = 'PasException';
    this.error = error;
  }
}

export function isPasException(value: unknown): value is PasException {
  return value instanceof PasException;
}

/** Human readable one-liner, used by the CLI and logs. */
export function formatPasError(error: PasError): string {
  switch (error.code) {
    case 'validation': {
      // Some messages already name their first issue; don't say it twice.
      const details = error.issues.map((i) => `${i.path}: ${i.message}`).filter((d) => !error.message.includes(d));
      return details.length > 0 ? `${error.message}: ${details.join('; ')}` : error.message;
    }
    case 'sql':
      return error.position
        ? `${error.message} (line ${error.position.line}, column ${error.position.column})`
        : error.message;
    case 'unknown_method':
    case 'cancelled':
    case 'audit_failed':
    case 'conflict':
    case 'not_found':
    case 'unauthorized':
    case 'internal':
      return error.message;
  }
}
