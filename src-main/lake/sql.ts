/** Small SQL text helpers shared by the catalog (DuckDB or PostgreSQL) and the DuckDB side. */

export type SqlValue = string | number | bigint | boolean | null | undefined;

/** A literal valid in both DuckDB and PostgreSQL (standard_conforming_strings). */
export function lit(value: SqlValue): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`Not a finite number: ${value}`);
    return String(value);
  }
  if (typeof value === 'bigint') return value.toString();
  return `'${value.replace(/'/g, "''")}'`;
}

/** A double-quoted identifier. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `"a"."b"` */
export function qualified(...parts: string[]): string {
  return parts.map(ident).join('.');
}

/** Splits a `changes_made` text into `[type, value]` pairs, honouring double-quoted names. */
export function parseChanges(text: string | null | undefined): [string, string][] {
  const out: [string, string][] = [];
  if (!text) return out;
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    if (colon < 0) break;
    const type = text.slice(i, colon);
    let j = colon + 1;
    let inQuote = false;
    while (j < text.length) {
      const ch = text[j];
      if (ch === '"') {
        if (inQuote && text[j + 1] === '"') j += 1;
        else inQuote = !inQuote;
      } else if (ch === ',' && !inQuote) break;
      j += 1;
    }
    out.push([type, text.slice(colon + 1, j)]);
    i = j + 1;
  }
  return out;
}

/** `"main"."trips"` → ['main', 'trips'] */
export function parseQuotedNames(value: string): string[] {
  const names: string[] = [];
  let i = 0;
  while (i < value.length) {
    if (value[i] === '"') {
      let j = i + 1;
      let name = '';
      while (j < value.length) {
        if (value[j] === '"') {
          if (value[j + 1] === '"') {
            name += '"';
            j += 2;
            continue;
          }
          break;
        }
        name += value[j];
        j += 1;
      }
      names.push(name);
      i = j + 1;
    } else if (value[i] === '.') {
      i += 1;
    } else {
      const dot = value.indexOf('.', i);
      names.push(value.slice(i, dot < 0 ? undefined : dot));
      i = dot < 0 ? value.length : dot + 1;
    }
  }
  return names;
}

/** A time-ordered UUID (version 7), as the extension uses for file names and tables. */
export function uuidv7(now = Date.now()): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  let ms = BigInt(now);
  for (let k = 5; k >= 0; k -= 1) {
    bytes[k] = Number(ms & 0xffn);
    ms >>= 8n;
  }
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The creation time embedded in a UUIDv7 inside a file name, if there is one. */
export function uuidv7Time(name: string): number | undefined {
  const match = /([0-9a-f]{8})-([0-9a-f]{4})-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/i.exec(name);
  if (!match) return undefined;
  return parseInt(match[1]! + match[2]!, 16);
}

/** Errors a commit may retry: another writer took the snapshot id first. */
export function isRetryableCommitError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /primary key|unique|duplicate key|conflict|concurrent|could not serialize/i.test(message);
}
