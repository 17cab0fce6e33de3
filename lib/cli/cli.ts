/**
 * The `athlete` command: finds the command, parses its options and runs it.
 * Each command lives in its own module, loaded only when it runs, so the
 * help and each command load only what they use. Exit codes: 0 done
 * (warnings included), 1 failed, 2 usage error, 3 configuration error,
 * 4 partial (an import left something out, listed in import_errors),
 * 75 try again later (only rate-limited, or the warehouse stayed busy).
 */
import { parseArgs, UsageError } from './args.ts';
import type { Command } from './context.ts';

/** A command as the help lists it, and how to load it. */
interface CommandEntry {
  summary: string;
  usage: string;
  load: () => Promise<{ command: Command }>;
}

const COMMANDS: Record<string, CommandEntry> = {
  sync: {
    summary: 'pull new data from every configured source (the demo athlete when none is)',
    usage: 'athlete sync [--days N] [--source a,b] [--demo]',
    load: () => import('./sync.ts'),
  },
  import: {
    summary: 'import export files, folders or zip archives',
    usage: 'athlete import [--source NAME] PATH... | athlete import --lake DIR',
    load: () => import('./import.ts'),
  },
  migrate: {
    summary: "carry over the earlier Python version's data, settings and Strava token",
    usage: 'athlete migrate PATH [--format table|json]',
    load: () => import('./migrate.ts'),
  },
  auth: {
    summary: 'connect a source (OAuth in the browser, saved tokens) or list what is connected',
    usage: 'athlete auth SOURCE [--token-file FILE] | athlete auth --list',
    load: () => import('./auth.ts'),
  },
  status: {
    summary: 'what the warehouse holds, per source',
    usage: 'athlete status [--format table|json]',
    load: () => import('./status.ts'),
  },
  sql: {
    summary: 'run SQL on the warehouse (read-only unless --write; no files or URLs)',
    usage: 'athlete sql "QUERY" [--format table|json|csv] [--write]',
    load: () => import('./sql.ts'),
  },
  export: {
    summary: 'export the canonical tables (parquet, csv) or the report (pdf)',
    usage: 'athlete export --format parquet|csv|report|lake [--output PATH]',
    load: () => import('./export.ts'),
  },
  report: {
    summary: 'write the PDF fitness report',
    usage: 'athlete report [--output PATH] [--squad [--as-of YYYY-MM-DD]]',
    load: () => import('./report.ts'),
  },
  analyze: {
    summary: 'compute training load, ACWR, fitness/fatigue and recovery status',
    usage: 'athlete analyze [--plugin NAME] [--format table|json]',
    load: () => import('./analyze.ts'),
  },
  plugins: {
    summary: 'list the analysis plugins and whether they are enabled',
    usage: 'athlete plugins list',
    load: () => import('./plugins.ts'),
  },
  injuries: {
    summary: 'record an injury (the labels the injury model learns from) or list them',
    usage: 'athlete injuries add --date YYYY-MM-DD --area AREA [--severity minor|moderate|severe] [--notes TEXT] | athlete injuries list',
    load: () => import('./injuries.ts'),
  },
  train: {
    summary: "train the athlete's injury-risk model on their own history",
    usage: 'athlete train [--horizon DAYS] [--allow-strava-api]',
    load: () => import('./train.ts'),
  },
  predict: {
    summary: 'injury risk for the latest days, with the features driving it',
    usage: 'athlete predict [--days N] [--model auto|athlete|cohort]',
    load: () => import('./predict.ts'),
  },
  ml: {
    summary: 'validate the injury model on the public runners cohort (Lövdal et al. 2021)',
    usage: 'athlete ml evaluate --cohort PATH [--repeats N] [--samples-per-class N] [--save]',
    load: () => import('./ml.ts'),
  },
  athletes: {
    summary: 'the squad: register an athlete (name, birth year, sex, heart rates, home time zone), list them, remove one',
    usage: 'athlete athletes add ID [--name TEXT] [--birth-year YYYY] [--sex male|female] [--max-hr BPM] [--resting-hr BPM] [--time-zone ZONE] | athlete athletes list | athlete athletes remove ID --yes',
    load: () => import('./athletes.ts'),
  },
  dedup: {
    summary: 'rebuild the deduplicated workouts; explain a merge; measure against ground truth',
    usage: 'athlete dedup [--explain WORKOUT_ID] [--evaluate [--truth PATH]]',
    load: () => import('./dedup.ts'),
  },
};

/** The option every command takes: the athlete of the squad it works on (resolved by athlete_choice.ts). */
const ATHLETE_OPTION = { athlete: 'value' } as const;
const ATHLETE_HELP = '  --athlete ID    work on this athlete of the squad (default ATHLETE_ID; see athlete athletes list)';

function mainHelp(): string {
  const names = Object.keys(COMMANDS);
  const w = Math.max(...names.map((n) => n.length));
  return [
    'athlete — training and recovery data from every source, in one DuckDB warehouse',
    '',
    'usage: athlete [--athlete ID] <command> [options]   (athlete <command> --help for details)',
    '',
    ...names.map((n) => `  ${n.padEnd(w)}  ${COMMANDS[n]!.summary}`),
    '',
    'Configuration comes from .env and the environment (see .env.example).',
    'Every command works on one athlete of the squad: --athlete ID, default ATHLETE_ID.',
  ].join('\n');
}

/** Run the CLI with `argv` (without node and script); returns the exit code. */
export async function main(argv: readonly string[], io: { out?: (s: string) => void; err?: (s: string) => void } = {}): Promise<number> {
  const out = io.out ?? ((s: string) => process.stdout.write(s + '\n'));
  const err = io.err ?? ((s: string) => process.stderr.write(s + '\n'));
  // `athlete --athlete ID <command> ...` as well as `athlete <command> --athlete ID ...`.
  const first = argv[0] ?? '';
  const leadAthlete = first === '--athlete' ? argv[1] : first.startsWith('--athlete=') ? first.slice('--athlete='.length) : undefined;
  const [name, ...rest] = first === '--athlete' ? argv.slice(2) : leadAthlete !== undefined ? argv.slice(1) : argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    out(mainHelp());
    return name ? 0 : 2;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    err(`athlete: unknown command '${name}'\n\n${mainHelp()}`);
    return 2;
  }
  try {
    // The configuration (and zod) loads only when a command runs, so the help starts at once; it is
    // checked before the command's own code loads, so a bad setting stops any command at once.
    const settings = async () => {
      const { loadConfig, loadEnv } = await import('../core/config.ts');
      const { ENV_VARS } = await import('../sources/registry.ts');
      const env = loadEnv();
      return { env, config: loadConfig(env, ENV_VARS) };
    };
    const early = rest.includes('--help') || rest.includes('-h') ? null : await settings();
    const { command } = await entry.load();
    const args = parseArgs(rest, { ...command.options, ...ATHLETE_OPTION });
    if (args.options.help) {
      out(`usage: ${entry.usage}\n\n${command.help}\n${ATHLETE_HELP}`);
      return 0;
    }
    const { env, config } = early ?? (await settings());
    process.env.LOG_LEVEL ??= config.LOG_LEVEL;
    // Whatever a command prints passes the redactor: messages may quote a server's answer.
    const { redactString } = await import('../core/redact.ts');
    const { chooseAthlete } = await import('./athlete_choice.ts');
    const choice = await chooseAthlete(args.options.athlete ?? leadAthlete, config, env);
    return await command.run(args, { name, config: choice.config, env: choice.env, athleteChosen: choice.chosen, out: (s) => out(redactString(s)), err: (s) => err(redactString(s)) });
  } catch (e) {
    if (e instanceof UsageError) {
      err(`athlete ${name}: ${e.message}\nusage: ${entry.usage}`);
      return 2;
    }
    // A busy warehouse: the holder and the wait are in the message (WarehouseBusyError, exit 75).
    if (e instanceof Error && e.name === 'WarehouseBusyError') {
      err(`athlete ${name}: ${e.message}`);
      return 75;
    }
    const { ConfigError } = await import('../core/config.ts');
    if (e instanceof ConfigError) {
      err(`athlete: ${e.message}`);
      return 3;
    }
    const { redactString } = await import('../core/redact.ts');
    err(redactString(`athlete ${name}: ${(e as Error).message}`));
    if (process.env.LOG_LEVEL === 'debug') err(redactString((e as Error).stack ?? ''));
    return 1;
  }
}
