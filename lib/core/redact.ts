/**
 * Removes secrets (tokens, passwords, client secrets, PKCE verifiers) from
 * anything about to be logged, thrown or kept in `raw_data`.
 */

/** Keys whose values are secrets wherever they appear. */
export const SECRET_KEY = /token|secret|password|passwd|api[_-]?key|authorization|code_verifier|^tk$|^cookie$|^set-cookie$/i;

/** What a removed secret is replaced with. */
export const REDACTED = '[redacted]';

// Secret values seen at run time (tokens read from the store, client secrets), so they are
// also removed where they turn up under an innocent key or inside a message.
const known = new Set<string>();

/** Remember a secret value so `redactString` removes it from any text. Short values are ignored. */
export function registerSecret(value: string | null | undefined): void {
  if (value && value.length >= 6) known.add(value);
}

/** Remove bearer tokens, secret query parameters and registered secret values from text. */
export function redactString(text: string): string {
  let out = text
    .replace(/\b(Bearer|Basic|OAuth)\s+[A-Za-z0-9._~+/=:,"-]+/gi, `$1 ${REDACTED}`)
    .replace(/([?&](?:[a-z_]*token|code|client_secret|password|code_verifier|tk)=)[^&\s#"']+/gi, `$1${REDACTED}`)
    .replace(/("(?:[a-z_]*token|client_secret|password|code_verifier)"\s*:\s*")[^"]*/gi, `$1${REDACTED}`);
  for (const s of known) if (out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}

/** A deep copy of `value` with secret keys blanked and secret text removed from strings. */
export function redact<T>(value: T): T {
  return walk(value, new WeakMap()) as T;
}

function walk(value: unknown, seen: WeakMap<object, unknown>): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return new Date(value.getTime());
  if (ArrayBuffer.isView(value)) return value;
  const prior = seen.get(value);
  if (prior !== undefined) return prior;
  if (Array.isArray(value)) {
    const arr: unknown[] = [];
    seen.set(value, arr);
    for (const v of value) arr.push(walk(v, seen));
    return arr;
  }
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = SECRET_KEY.test(k) && v != null && v !== '' ? REDACTED : walk(v, seen);
  }
  return out;
}
