/**
 * Removes secrets (tokens, passwords and their hashes, client secrets, PKCE
 * verifiers) from anything about to be logged, thrown, printed or stored:
 * log lines, error messages, `import_errors`, `sync_metadata` and `raw_data`.
 * A secret is found by the key it sits under, and by its value once the
 * program has learned it ({@link registerSecret}), in plain, URL-encoded and
 * JSON-escaped form.
 */

/** Keys whose values are secrets wherever they appear. */
export const SECRET_KEY = /token|secret|password|passwd|^pwd$|api[_-]?key|authorization|code_verifier|^tk$|^cookie$|^set-cookie$/i;

/** What a removed secret is replaced with. */
export const REDACTED = '[redacted]';

/** Registered values shorter than this are ignored: they would blank ordinary words and numbers. */
const MIN_SECRET_LENGTH = 6;

// Every secret value seen at run time (tokens read from the store, client secrets, password
// hashes), and one pattern matching each of their forms, longest first so a form never leaves
// part of a longer one behind.
const known = new Set<string>();
let knownForms: RegExp | null = null;

/** The ways a value turns up in text: as is, URL-encoded (path or form, either hex case), JSON-escaped once or twice. */
function formsOf(value: string): string[] {
  const once = JSON.stringify(value).slice(1, -1);
  const twice = JSON.stringify(once).slice(1, -1);
  const url = encodeURIComponent(value);
  const form = new URLSearchParams({ v: value }).toString().slice(2);
  return [value, once, twice, url, url.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()), form];
}

/**
 * Remember a secret value so {@link redactString} removes it (and its encoded
 * forms) from any text. Values shorter than 6 characters are ignored.
 */
export function registerSecret(value: string | null | undefined): void {
  if (!value || value.length < MIN_SECRET_LENGTH || known.has(value)) return;
  known.add(value);
  const all = [...new Set([...known].flatMap(formsOf))].sort((a, b) => b.length - a.length);
  knownForms = new RegExp(all.map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
}

// A JSON key at any escaping level (`"k"`, `\"k\"`, `\\\"k\\\"`) and its string value up to the
// closing quote of the same level. Numbers (error codes) are left alone.
const JSON_SECRET = /((\\*)"(?:[a-z_]*token|client_secret|password|passwd|pwd|code_verifier|api[_-]?key|tk)\2"\s*:\s*\2")((?:(?!\2").)*)/gi;
// `key=value` in a query string, a form body or an OAuth1 header (`oauth_token="..."`).
const PARAM_SECRET = /((?:^|[?&\s;,])(?:[a-z_]*token|code|client_secret|password|passwd|pwd|code_verifier|api[_-]?key|tk|ticket)="?)[^&\s#"'\\]+/gi;

/** Remove bearer tokens, secret parameters and JSON fields, and registered secret values from text. */
export function redactString(text: string): string {
  const out = text
    .replace(/\b(Bearer|Basic|OAuth)\s+[A-Za-z0-9._~+/=:,"-]+/gi, `$1 ${REDACTED}`)
    .replace(PARAM_SECRET, `$1${REDACTED}`)
    .replace(JSON_SECRET, (_m, head: string, _esc: string, value: string) => (value === '' ? head : `${head}${REDACTED}`));
  return knownForms ? out.replace(knownForms, REDACTED) : out;
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
