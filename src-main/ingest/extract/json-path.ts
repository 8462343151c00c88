/**
 * The small JSONPath subset used in pipeline files: `$`, `a.b.c`, `$.a.b`, `a[0].b` and
 * bracket-quoted keys (`['@odata.nextLink']`).
 */
export function splitPath(path: string): (string | number)[] {
  const parts: (string | number)[] = [];
  const re = /\[\s*'([^']*)'\s*\]|\[\s*"([^"]*)"\s*\]|\[(\d+)\]|([^.[\]]+)/g;
  const body = path.replace(/^\$\.?/, '');
  for (const m of body.matchAll(re)) {
    if (m[1] !== undefined) parts.push(m[1]);
    else if (m[2] !== undefined) parts.push(m[2]);
    else if (m[3] !== undefined) parts.push(Number(m[3]));
    else if (m[4] !== undefined) parts.push(m[4]);
  }
  return parts;
}

export function getPath(value: unknown, path: string | (string | number)[]): unknown {
  const parts = typeof path === 'string' ? splitPath(path) : path;
  let current: unknown = value;
  for (const part of parts) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[part];
  }
  return current;
}

const RECORD_KEYS = ['data', 'items', 'results', 'records', 'rows', 'entries', 'objects', 'values'];

/** The records of a response body: by `data_selector`, or the body if it is an array, or a well-known list key. */
export function selectRecords(body: unknown, selector: string | undefined): unknown[] {
  if (selector !== undefined && selector !== '$') {
    const found = getPath(body, selector);
    if (found === undefined || found === null) return [];
    return Array.isArray(found) ? found : [found];
  }
  if (Array.isArray(body)) return body;
  if (selector === '$') return body === null || body === undefined ? [] : [body];
  if (body && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    for (const key of RECORD_KEYS) if (Array.isArray(record[key])) return record[key];
    for (const value of Object.values(record)) if (Array.isArray(value)) return value;
    return [body];
  }
  return [];
}
