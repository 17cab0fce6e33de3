/**
 * The sandbox for SQL that people write or paste (`athlete sql`, notebooks):
 * DuckDB may touch no file and no network address besides the warehouse
 * itself (no `read_text('/etc/passwd')`, no token store, no `COPY ... TO`, no
 * `ATTACH`, no extensions), and the configuration is locked so a query
 * cannot turn access back on. Opened read-only, the warehouse itself cannot
 * be changed either.
 */

/** DuckDB settings of a sandboxed connection (see DuckDB's "Securing DuckDB" guide). */
export const QUERY_SANDBOX: Readonly<Record<string, string>> = {
  enable_external_access: 'false',
  lock_configuration: 'true',
};

/** What each refusal of DuckDB's means, in plain words. */
const REFUSALS: Array<[RegExp, (m: RegExpExecArray) => string]> = [
  [/Cannot access (?:file|directory) "([^"]*)" - file system operations are disabled/i, (m) => `queries may not read or write files or URLs (${m[1]}): only the warehouse's own tables are reachable`],
  [/Cannot execute statement of type "(\w+)" on database "[^"]*" which is attached in read-only mode/i, (m) => `the warehouse is open read-only, so ${m[1]} is refused; add --write to change it`],
  [/Cannot change configuration option "(\w+)" - the configuration has been locked/i, (m) => `settings are locked for queries: ${m[1]} cannot be changed`],
  [/Loading external extensions is disabled|extension.*disabled/i, () => 'extensions cannot be installed or loaded from a query'],
  [/Cannot launch in-memory database in read-only mode/i, () => 'other databases cannot be attached from a query'],
];

/**
 * Whether a DuckDB error is the sandbox (or read-only mode) refusing a
 * statement, and if so why, in words; null for any other error.
 */
export function sandboxRefusal(message: string): string | null {
  for (const [re, say] of REFUSALS) {
    const m = re.exec(message);
    if (m) return say(m);
  }
  return null;
}
