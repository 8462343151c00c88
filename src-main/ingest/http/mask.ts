/**
 * Masks secrets in URLs, headers and texts before they reach an error message or a log: values
 * of known secret query parameters and of the configured auth/secret headers.
 */
const SECRET_PARAMS = /^(\$\$)?(api_?key|apikey|token|key|access_token|secret|password|client_secret|app_token|auth|signature)$/i;
const SECRET_HEADERS = /authorization|token|key|secret|password|cookie/i;

export const MASK = '***';

/** The URL with secret query values masked (and user info removed). */
export function maskUrl(url: string, secrets: readonly string[] = []): string {
  let out = url;
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = MASK;
    for (const [name] of [...parsed.searchParams]) if (SECRET_PARAMS.test(name)) parsed.searchParams.set(name, MASK);
    out = parsed.toString();
  } catch {
    // not a URL: mask the secrets only
  }
  return maskText(out, secrets);
}

export function maskText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    out = out.split(secret).join(MASK);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) out = out.split(encoded).join(MASK);
  }
  return out;
}

/** Header values that must never be shown. */
export function secretHeaderValues(headers: Record<string, string>): string[] {
  return Object.entries(headers)
    .filter(([name]) => SECRET_HEADERS.test(name))
    .map(([, value]) => value.replace(/^(Bearer|Basic)\s+/i, ''))
    .filter((v) => v.length > 0);
}
