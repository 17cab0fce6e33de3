/** Command-line argument parsing: `--flag`, `--key value`, `--key=value`, positionals. */

/** A usage mistake: exit code 2 with the command's help. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Declared options of a command: name → whether it takes a value. */
export type OptionSpec = Record<string, 'flag' | 'value'>;

/** Parsed arguments. */
export interface ParsedArgs {
  options: Record<string, string | boolean>;
  positionals: string[];
}

/** Parse `argv` against `spec`; unknown options and missing values are usage errors. */
export function parseArgs(argv: readonly string[], spec: OptionSpec): ParsedArgs {
  const options: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a === '-h') {
      options.help = true;
      continue;
    }
    if (!a.startsWith('--')) {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    const kind = name === 'help' ? 'flag' : spec[name];
    if (!kind) throw new UsageError(`unknown option --${name}`);
    if (kind === 'flag') {
      if (eq > 0) throw new UsageError(`--${name} takes no value`);
      options[name] = true;
    } else {
      const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined || (eq < 0 && v.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
      options[name] = v;
    }
  }
  return { options, positionals };
}

/** A positive integer option, or the default. */
export function intOption(v: string | boolean | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} needs a positive whole number, got ${String(v)}`);
  return n;
}

/** One of the allowed values, or the default. */
export function choiceOption<T extends string>(v: string | boolean | undefined, name: string, allowed: readonly T[], dflt: T): T {
  if (v === undefined) return dflt;
  if (typeof v !== 'string' || !allowed.includes(v as T)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}`);
  return v as T;
}
