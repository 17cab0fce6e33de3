/**
 * The `athlete` command. Exit codes: 0 done (warnings included), 1 failed,
 * 2 usage error, 3 configuration error, 75 only rate-limited (try later).
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadConfig, loadEnv, ConfigError, type AppConfig } from '../core/config.ts';
import { Warehouse, WAREHOUSE_DIR, databasePath } from '../core/warehouse.ts';
import { importPaths } from '../ingest/importer.ts';
import { rebuildCanonical, resolveWorkoutId } from '../core/dedup/rebuild.ts';
import { evaluateAgainstTruth } from '../core/dedup/truth.ts';
import { syncConnector, type SourceSyncResult } from '../ingest/sync.ts';
import { syncDemo, DEFAULT_DEMO_DIR } from '../demo/sync.ts';
import { parseArgs, UsageError, intOption, choiceOption, type OptionSpec } from './args.ts';
import { formatCsv, formatJson, formatTable, progressBar } from './output.ts';
import { API_SOURCES, allConnectors, sourceDescriptor } from '../sources/registry.ts';
import { authenticateSource, importGarminTokens, listAuth } from '../sources/auth_flow.ts';
import { buildReport } from '../report/index.ts';
import { runAnalysis, type AthleteSettings } from '../analysis/run.ts';
import { pluginsFromEnv } from '../plugins/registry.ts';
import { addInjury, evaluateCohortFile, predictRisk, trainAthleteModel } from '../ml/run.ts';
import { runPluginsOnWarehouse } from '../plugins/run.ts';

interface Command {
  summary: string;
  usage: string;
  options: OptionSpec;
  help: string;
  run(args: { options: Record<string, string | boolean>; positionals: string[] }, ctx: Context): Promise<number>;
}

interface Context {
  config: AppConfig;
  env: Record<string, string | undefined>;
  out: (s: string) => void;
  err: (s: string) => void;
}

async function withWarehouse<T>(ctx: Context, fn: (wh: Warehouse) => Promise<T>): Promise<T> {
  const wh = await Warehouse.open(ctx.config.DATABASE_URL);
  try {
    return await fn(wh);
  } finally {
    wh.close();
  }
}

function sqlLiteral(s: string): string {
  if (s.includes('\u0000')) throw new UsageError('path contains a NUL character');
  return `'${s.replace(/'/g, "''")}'`;
}

function athleteSettings(c: AppConfig): AthleteSettings {
  return { sex: c.ATHLETE_SEX, maxHr: c.ATHLETE_MAX_HR, restHr: c.ATHLETE_REST_HR, ftpW: c.ATHLETE_FTP_W };
}

/** After new data: rebuild the canonical tables (AUTO_DEDUPLICATE) and the analysis built on them. */
async function dedupAfter(wh: Warehouse, ctx: Context): Promise<void> {
  if (!ctx.config.AUTO_DEDUPLICATE) return;
  const r = await rebuildCanonical(wh);
  ctx.out(`deduplicated: ${r.sourceRecords} source records -> ${r.workouts} workouts (${r.merged} merged), ${r.biometricDays} biometric day-values`);
  await runAnalysis(wh, athleteSettings(ctx.config));
  if (ctx.config.ENABLE_PLUGINS) {
    const { plugins } = await pluginsFromEnv(ctx.env);
    const r = await runPluginsOnWarehouse(wh, plugins, { enablePlugins: true, enableGps: ctx.config.ENABLE_GPS_ANALYSIS });
    const ok = Object.entries(r.byPlugin).filter(([, v]) => v.ok + v.error > 0).map(([k, v]) => `${k} ${v.ok}${v.error ? ` (${v.error} failed)` : ''}`);
    if (ok.length) ctx.out(`plugins: ${ok.join(', ')}`);
  }
}

function fmt(v: number | null, digits = 1): string {
  return v === null ? '-' : v.toFixed(digits);
}

function syncLine(r: SourceSyncResult): string {
  const counts = `${r.workouts} workouts, ${r.biometrics} biometrics`;
  switch (r.status) {
    case 'success':
      return `  ${r.source.padEnd(10)} ok        ${counts}`;
    case 'warning':
      return `  ${r.source.padEnd(10)} warning   ${counts}: ${r.message ?? ''}`;
    case 'rate_limited':
      return `  ${r.source.padEnd(10)} rate-limited, retry after ${r.retry_after ?? '?'} s (${counts} stored)`;
    case 'skipped':
      return `  ${r.source.padEnd(10)} skipped   ${r.message ?? ''}`;
    default:
      return `  ${r.source.padEnd(10)} error     ${r.message ?? ''}`;
  }
}

const COMMANDS: Record<string, Command> = {
  sync: {
    summary: 'pull new data from every configured source (the demo athlete when none is)',
    usage: 'athlete sync [--days N] [--source a,b] [--demo]',
    options: { days: 'value', source: 'value', demo: 'flag' },
    help: `Syncs each source configured in .env (see .env.example). Incremental: each source
resumes from its saved cursor; re-running changes nothing. A source without credentials
is skipped with a note. With no source configured, or with --demo, loads the demo athlete.
  --days N        how far back to look on a first sync (default SYNC_DAYS, 30)
  --source a,b    only these sources`,
    async run({ options }, ctx) {
      const days = intOption(options.days, 'days', ctx.config.SYNC_DAYS);
      const only = typeof options.source === 'string' ? options.source.split(',').map((s) => s.trim()).filter(Boolean) : null;
      const all = await allConnectors(ctx.env);
      const configured = all.filter((c) => c.isConfigured());
      const skipped = all
        .filter((c) => !c.isConfigured())
        .map((c) => ({ source: c.source, reason: `not configured: no credentials or saved token (see ${sourceDescriptor(c.source)!.envVars.map((v) => v.name).filter((n) => !n.endsWith('_BASE_URL'))[0] ?? '.env.example'})` }));
      const chosen = configured.filter((c) => !only || only.includes(c.source));
      return withWarehouse(ctx, async (wh) => {
        const results: SourceSyncResult[] = [];
        if (options.demo || (configured.length === 0 && !only)) {
          ctx.out(`no source configured: loading the demo athlete${options.demo ? '' : ' (configure sources in .env to sync your own data)'}`);
          const bar = progressBar('demo');
          results.push(...(await syncDemo(wh, {
            athleteId: ctx.config.ATHLETE_ID,
            dir: ctx.config.DEMO_DATA_DIR,
            seed: ctx.config.DEMO_SEED,
            days: ctx.config.DEMO_DAYS,
            onProgress: (s, d, t) => bar.update(d, t, s),
          })));
          bar.end();
        } else {
          for (const s of skipped) if (!only || only.includes(s.source)) results.push({ source: s.source, status: 'skipped', workouts: 0, biometrics: 0, errors: 0, message: s.reason });
          for (const name of only ?? []) {
            if (!chosen.some((c) => c.source === name) && !skipped.some((s) => s.source === name)) throw new UsageError(`unknown source ${name}`);
          }
          for (const c of chosen) {
            ctx.err(`syncing ${c.source}...`);
            results.push(await syncConnector(wh, c, { athleteId: ctx.config.ATHLETE_ID, days }));
          }
        }
        ctx.out('sync results:');
        for (const r of results) ctx.out(syncLine(r));
        await dedupAfter(wh, ctx);
        await wh.checkpoint();
        if (results.some((r) => r.status === 'error')) return 1;
        if (results.length && results.every((r) => r.status === 'rate_limited' || r.status === 'skipped') && results.some((r) => r.status === 'rate_limited')) return 75;
        return 0;
      });
    },
  },
  import: {
    summary: 'import export files, folders or zip archives',
    usage: 'athlete import [--source NAME] PATH...',
    options: { source: 'value' },
    help: `Reads FIT, GPX and TCX files and account exports (Strava, WHOOP, Oura, scale CSV,
the earlier version's strava_activities.json / activities.csv), as files, folders or
.zip archives. The format is detected from the content. Unreadable inputs are recorded
in import_errors and the rest goes on.
  --source NAME   attribute records to NAME when the files do not say (e.g. strava)`,
    async run({ options, positionals }, ctx) {
      if (positionals.length === 0) throw new UsageError('name at least one file or folder to import');
      const source = typeof options.source === 'string' ? options.source : undefined;
      if (source && !/^[a-z][a-z0-9_]*$/.test(source)) throw new UsageError('--source must be a lower-case name such as strava');
      return withWarehouse(ctx, async (wh) => {
        const bar = progressBar('import');
        const s = await importPaths(wh, positionals, { athleteId: ctx.config.ATHLETE_ID, source, onProgress: (d, t, n) => bar.update(d, t, n) });
        bar.end();
        ctx.out(`imported ${s.files} file(s): ${s.workouts} workouts, ${s.biometrics} biometric readings, ${s.points} track points`);
        if (s.skipped) ctx.out(`skipped ${s.skipped} file(s) with nothing to import`);
        if (s.errors) ctx.out(`${s.errors} problem(s) recorded in import_errors (athlete sql "SELECT * FROM import_errors")`);
        await dedupAfter(wh, ctx);
        await wh.checkpoint();
        return 0;
      });
    },
  },
  auth: {
    summary: 'connect a source (OAuth in the browser, saved tokens) or list what is connected',
    usage: 'athlete auth SOURCE [--token-file FILE] | athlete auth --list',
    options: { list: 'flag', 'token-file': 'value' },
    help: `athlete auth strava|whoop|oura|withings runs the service's OAuth flow: open the printed
URL, approve, and the redirect to 127.0.0.1 completes it. Tokens are kept in TOKEN_STORE_PATH
(owner-only file, outside the warehouse) and refreshed before they expire.
athlete auth garmin imports saved tokens (--token-file or GARMIN_TOKEN_FILE) before trying
a login, which Garmin often blocks for scripts: the account export (athlete import) is the
dependable path. athlete auth vesync logs in with VESYNC_EMAIL/VESYNC_PASSWORD.
  --list             every source: configured or not, token expiry, last sync
  --token-file FILE  (garmin) tokens saved by another Garmin client`,
    async run({ options, positionals }, ctx) {
      if (options.list) {
        if (positionals.length) throw new UsageError('--list takes no source');
        return withWarehouse(ctx, async (wh) => {
          const rows = await listAuth(ctx.env, { warehouse: wh, athleteId: ctx.config.ATHLETE_ID });
          ctx.out(formatTable(['source', 'configured', 'token', 'expires', 'last_sync', 'status', 'message'], rows.map((r) => ({ ...r, configured: r.configured ? 'yes' : 'no', token: r.token ? (r.expired ? 'expired' : 'yes') : 'no' }))));
          return 0;
        });
      }
      if (positionals.length !== 1) throw new UsageError('name one source, or use --list');
      const source = positionals[0]!;
      if (!API_SOURCES.includes(source)) throw new UsageError(`unknown source ${source} (known: ${API_SOURCES.join(', ')})`);
      if (typeof options['token-file'] === 'string') {
        if (source !== 'garmin') throw new UsageError('--token-file is for garmin');
        const r = await importGarminTokens(options['token-file'], ctx.env);
        ctx.out(`garmin: tokens imported${r.expires ? `, access token valid until ${r.expires}` : ''}`);
        return 0;
      }
      const r = await authenticateSource(source, ctx.env, { out: ctx.out });
      // On failure the flow has already printed why.
      ctx.out(r.ok ? `${source}: connected${r.expires ? ` (token valid until ${r.expires})` : ''}` : `${source}: not connected`);
      return r.ok ? 0 : 1;
    },
  },
  status: {
    summary: 'what the warehouse holds, per source',
    usage: 'athlete status [--format table|json]',
    options: { format: 'value' },
    help: 'Shows the warehouse file, row counts, and each source with its last sync.',
    async run({ options }, ctx) {
      const format = choiceOption(options.format, 'format', ['table', 'json'] as const, 'table');
      return withWarehouse(ctx, async (wh) => {
        const [counts] = await wh.all<Record<string, number>>(`SELECT
          (SELECT count(*) FROM source_workouts) AS source_workouts,
          (SELECT count(*) FROM workouts) AS workouts,
          (SELECT count(*) FROM workout_streams) AS stream_points,
          (SELECT count(*) FROM source_biometrics) AS source_biometrics,
          (SELECT count(*) FROM biometrics) AS biometrics,
          (SELECT count(*) FROM import_errors) AS import_errors,
          (SELECT count(*) FROM injuries) AS injuries`);
        const sources = await wh.all(`SELECT s.source, count(*) AS workouts, min(s.start_time)::DATE::VARCHAR AS first, max(s.start_time)::DATE::VARCHAR AS last,
            m.sync_status AS status, m.last_sync
          FROM source_workouts s LEFT JOIN sync_metadata m USING (source, athlete_id)
          GROUP BY ALL ORDER BY s.source`);
        const [range] = await wh.all<{ first: string | null; last: string | null }>('SELECT min(start_time)::DATE::VARCHAR AS first, max(start_time)::DATE::VARCHAR AS last FROM workouts');
        if (format === 'json') {
          ctx.out(formatJson([{ database: wh.path, ...counts, first: range?.first ?? null, last: range?.last ?? null, sources }]));
          return 0;
        }
        ctx.out(`warehouse: ${wh.path}`);
        ctx.out(`period:    ${range?.first ?? '-'} .. ${range?.last ?? '-'}`);
        ctx.out(formatTable(['table', 'rows'], Object.entries(counts ?? {}).map(([table, rows]) => ({ table, rows }))));
        ctx.out('');
        ctx.out(sources.length ? formatTable(['source', 'workouts', 'first', 'last', 'status', 'last_sync'], sources) : 'no data yet: run `athlete sync` or `athlete import PATH`');
        return 0;
      });
    },
  },
  sql: {
    summary: 'run SQL on the warehouse',
    usage: 'athlete sql "QUERY" [--format table|json|csv]',
    options: { format: 'value' },
    help: 'Runs one SQL statement on the warehouse (DuckDB dialect). --format json prints an array of row objects.',
    async run({ options, positionals }, ctx) {
      const format = choiceOption(options.format, 'format', ['table', 'json', 'csv'] as const, 'table');
      if (positionals.length !== 1) throw new UsageError('give exactly one query, quoted');
      return withWarehouse(ctx, async (wh) => {
        let res;
        try {
          res = await wh.table(positionals[0]!);
        } catch (err) {
          ctx.err(`query failed: ${(err as Error).message}`);
          return 1;
        }
        if (format === 'json') ctx.out(formatJson(res.rows));
        else if (format === 'csv') ctx.out(formatCsv(res.columns, res.rows));
        else ctx.out(res.columns.length ? formatTable(res.columns, res.rows) + `\n(${res.rows.length} row${res.rows.length === 1 ? '' : 's'})` : 'ok');
        return 0;
      });
    },
  },
  export: {
    summary: 'export the canonical tables (parquet, csv) or the report (pdf)',
    usage: 'athlete export --format parquet|csv|report [--output PATH]',
    options: { format: 'value', output: 'value' },
    help: `parquet/csv: writes workouts, workout_sources, biometrics, injuries and import_errors
into the folder --output (default reports/export). report: writes the PDF report to
--output (default reports/fitness_report.pdf) and its HTML beside it.`,
    async run({ options }, ctx) {
      const format = choiceOption(options.format, 'format', ['parquet', 'csv', 'report'] as const, 'report');
      if (format === 'report') return runReport(typeof options.output === 'string' ? options.output : undefined, ctx);
      const dir = resolve(typeof options.output === 'string' ? options.output : 'reports/export');
      mkdirSync(dir, { recursive: true });
      return withWarehouse(ctx, async (wh) => {
        for (const table of ['workouts', 'workout_sources', 'biometrics', 'injuries', 'import_errors']) {
          const file = join(dir, `${table}.${format}`);
          const how = format === 'parquet' ? '(FORMAT parquet)' : '(FORMAT csv, HEADER true)';
          await wh.run(`COPY (SELECT * FROM ${table} ORDER BY ALL) TO ${sqlLiteral(file)} ${how}`);
          ctx.out(`wrote ${file}`);
        }
        return 0;
      });
    },
  },
  report: {
    summary: 'write the PDF fitness report',
    usage: 'athlete report [--output PATH]',
    options: { output: 'value' },
    help: 'Same as `athlete export --format report`. Default output reports/fitness_report.pdf (and .html).',
    async run({ options }, ctx) {
      return runReport(typeof options.output === 'string' ? options.output : undefined, ctx);
    },
  },
  analyze: {
    summary: 'compute training load, ACWR, fitness/fatigue and recovery status',
    usage: 'athlete analyze [--plugin NAME] [--format table|json]',
    options: { format: 'value', plugin: 'value' },
    help: `Computes each workout's training load and the daily series (ACWR as rolling
averages and EWMA, CTL/ATL/TSB, monotony and strain, sleep, HRV and resting-HR status)
into workout_loads and daily_metrics, and prints the latest day. ATHLETE_MAX_HR,
ATHLETE_REST_HR, ATHLETE_FTP_W and ATHLETE_SEX refine the load; missing values are
estimated from the data.
  --plugin NAME   run only this analysis plugin over the workouts (see athlete plugins list)`,
    async run({ options }, ctx) {
      const format = choiceOption(options.format, 'format', ['table', 'json'] as const, 'table');
      if (typeof options.plugin === 'string') return runOnePlugin(options.plugin, ctx);
      return withWarehouse(ctx, async (wh) => {
        const r = await runAnalysis(wh, athleteSettings(ctx.config));
        if (format === 'json') {
          ctx.out(formatJson([{ ...r }]));
          return 0;
        }
        ctx.out(`analysed ${r.workouts} workouts over ${r.days} athlete-days`);
        for (const l of r.latest) {
          ctx.out(`\n${l.athlete_id}, latest day ${l.date}:`);
          ctx.out(`  ACWR (EWMA)     ${fmt(l.acwr_ewma, 2)}  ${l.acwr_band ?? 'not enough history'}`);
          ctx.out(`  fitness/fatigue CTL ${fmt(l.ctl)}  ATL ${fmt(l.atl)}  form (TSB) ${fmt(l.tsb)}`);
          ctx.out(`  HRV (RMSSD)     ${fmt(l.hrv_rmssd)} ms  ${l.hrv_status ?? 'no baseline yet'}`);
          ctx.out(`  resting HR      ${fmt(l.resting_hr, 0)} bpm  ${l.rhr_status ?? 'no baseline yet'}`);
          ctx.out(`  sleep           ${l.sleep_s === null ? '-' : (l.sleep_s / 3600).toFixed(1)} h`);
        }
        return 0;
      });
    },
  },
  plugins: {
    summary: 'list the analysis plugins and whether they are enabled',
    usage: 'athlete plugins list',
    options: {},
    help: `Lists built-in plugins and those named in PLUGINS (paths or npm packages), with
whether ENABLE_PLUGINS and ENABLE_GPS_ANALYSIS let them run, and plugins that failed to load.`,
    async run({ positionals }, ctx) {
      if (positionals[0] !== 'list' || positionals.length !== 1) throw new UsageError('the only subcommand is: list');
      const { plugins, errors } = await pluginsFromEnv(ctx.env);
      ctx.out(
        formatTable(
          ['plugin', 'version', 'gps', 'enabled', 'description'],
          plugins.map((p) => ({
            plugin: p.name,
            version: p.version,
            gps: p.requiresGps ? 'needs GPS' : '',
            enabled: !ctx.config.ENABLE_PLUGINS ? 'no (ENABLE_PLUGINS=false)' : p.requiresGps && !ctx.config.ENABLE_GPS_ANALYSIS ? 'no (ENABLE_GPS_ANALYSIS=false)' : 'yes',
            description: p.description,
          })),
        ),
      );
      for (const e of errors) ctx.err(`could not load plugin ${e.spec}: ${e.reason}`);
      return errors.length ? 1 : 0;
    },
  },
  injuries: {
    summary: 'record an injury (the labels the injury model learns from) or list them',
    usage: 'athlete injuries add --date YYYY-MM-DD --area AREA [--severity minor|moderate|severe] [--notes TEXT] | athlete injuries list',
    options: { date: 'value', area: 'value', severity: 'value', notes: 'value' },
    help: 'Injuries are stored per athlete and day; adding the same date and area again replaces it.',
    async run({ options, positionals }, ctx) {
      const sub = positionals[0];
      if (positionals.length !== 1 || (sub !== 'add' && sub !== 'list')) throw new UsageError('use: injuries add ... or injuries list');
      return withWarehouse(ctx, async (wh) => {
        if (sub === 'list') {
          const rows = await wh.all('SELECT date, area, severity, notes, source FROM injuries WHERE athlete_id = ? ORDER BY date', [ctx.config.ATHLETE_ID]);
          ctx.out(rows.length ? formatTable(['date', 'area', 'severity', 'notes', 'source'], rows) : 'no injuries recorded');
          return 0;
        }
        if (typeof options.date !== 'string' || typeof options.area !== 'string') throw new UsageError('--date and --area are required');
        let r;
        try {
          r = await addInjury(wh, {
            athleteId: ctx.config.ATHLETE_ID,
            date: options.date,
            area: options.area,
            severity: typeof options.severity === 'string' ? options.severity : undefined,
            notes: typeof options.notes === 'string' ? options.notes : undefined,
          });
        } catch (e) {
          if (e instanceof RangeError) throw new UsageError(e.message);
          throw e;
        }
        ctx.out(`${r.replaced ? 'updated' : 'recorded'} injury on ${r.date}: ${r.area}${r.severity ? ` (${r.severity})` : ''}`);
        return 0;
      });
    },
  },
  train: {
    summary: "train the athlete's injury-risk model on their own history",
    usage: 'athlete train [--horizon DAYS] [--allow-strava-api]',
    options: { horizon: 'value', 'allow-strava-api': 'flag' },
    help: `Trains a random forest on daily_metrics and the injury log (label: an injury begins
within --horizon days, default 7), evaluated forward in time (never shuffled across days),
against an ACWR-only baseline. Saved beside the warehouse as <athlete>.model.json.
Strava's API agreement forbids training models on data obtained through its API: days whose
only source is the Strava API are left out unless --allow-strava-api is given (data you
exported from Strava yourself is always usable).`,
    async run({ options }, ctx) {
      const horizonDays = intOption(options.horizon, 'horizon', 7);
      return withWarehouse(ctx, async (wh) => {
        const r = await trainAthleteModel(wh, { athleteId: ctx.config.ATHLETE_ID, modelDir: modelDir(wh), horizonDays, allowStravaApi: options['allow-strava-api'] === true });
        if (r.status !== 'trained') {
          ctx.out(r.message);
          return r.status === 'no_data' ? 1 : 0;
        }
        ctx.out(`trained on ${r.days} days (${r.droppedStravaApiDays} Strava-API-only days left out), ${r.injuryEvents} injuries; sources: ${r.sources.join(', ')}`);
        ctx.out(`class balance: ${r.samples.positives} positive of ${r.samples.n} days (${(r.samples.prevalence * 100).toFixed(1)} %)`);
        const e = r.evaluation;
        if (e) {
          ctx.out(`forward-chaining evaluation: ROC AUC ${e.rocAuc.toFixed(3)}, PR AUC ${e.prAuc.toFixed(3)}; ACWR-only baseline: ROC AUC ${e.baseline.rocAuc.toFixed(3)}, PR AUC ${e.baseline.prAuc.toFixed(3)}`);
          ctx.out('feature importances (drop in ROC AUC when shuffled):');
          ctx.out(formatTable(['feature', 'importance'], e.importances.slice(0, 8).map((i) => ({ feature: i.name, importance: i.importance }))));
        } else if (r.evaluationNote) ctx.out(`no evaluation: ${r.evaluationNote}`);
        ctx.out(`model saved to ${r.modelPath}`);
        return 0;
      });
    },
  },
  predict: {
    summary: 'injury risk for the latest days, with the features driving it',
    usage: 'athlete predict [--days N] [--model auto|athlete|cohort]',
    options: { days: 'value', model: 'value' },
    help: `Scores the latest N days (default 7) with the athlete's model, or the cohort model
(athlete ml evaluate --cohort PATH --save) when the athlete has none, writes them to the
predictions table and prints them with the top contributing features.`,
    async run({ options }, ctx) {
      const days = intOption(options.days, 'days', 7);
      const model = choiceOption(options.model, 'model', ['auto', 'athlete', 'cohort'] as const, 'auto');
      return withWarehouse(ctx, async (wh) => {
        const r = await predictRisk(wh, { athleteId: ctx.config.ATHLETE_ID, modelDir: modelDir(wh), days, model });
        if (r.status !== 'ok') {
          ctx.out(r.message);
          // No model yet is a state to explain, not a failure; no data to score is.
          return r.status === 'no_model' ? 0 : 1;
        }
        ctx.out(`${r.model} model; risk of an injury beginning within ${r.horizonDays} day(s) after each day:`);
        ctx.out(
          formatTable(
            ['date', 'risk', 'top features'],
            r.predictions.map((p) => ({
              date: p.date,
              risk: `${(p.risk * 100).toFixed(1)} %`,
              'top features': p.top_features.slice(0, 3).map((f) => `${f.name} (${f.contribution >= 0 ? '+' : ''}${(f.contribution * 100).toFixed(1)})`).join(', '),
            })),
          ),
        );
        return 0;
      });
    },
  },
  ml: {
    summary: 'validate the injury model on the public runners cohort (Lövdal et al. 2021)',
    usage: 'athlete ml evaluate --cohort PATH [--repeats N] [--samples-per-class N] [--save]',
    options: { cohort: 'value', repeats: 'value', 'samples-per-class': 'value', save: 'flag' },
    help: `Reads the published day- or week-approach CSV as downloaded (CC0, DataverseNL
doi:10.34894/UWU9PV) and reproduces the paper's protocol: the 10 last-joined athletes held
out, per-athlete normalisation, balanced bagging, Platt calibration; prints ROC AUC per
repeat and the mean (the paper: 0.724 day, 0.678 week). --save trains a cohort model on all
athletes (day file), used by athlete predict when the athlete has too few injuries.`,
    async run({ options, positionals }, ctx) {
      if (positionals[0] !== 'evaluate' || positionals.length !== 1) throw new UsageError('the subcommand is: ml evaluate --cohort PATH');
      if (typeof options.cohort !== 'string') throw new UsageError('--cohort PATH is required');
      const repeats = intOption(options.repeats, 'repeats', 5);
      const samplesPerClass = intOption(options['samples-per-class'], 'samples-per-class', 256);
      const dir = modelDirFor(ctx.config.DATABASE_URL);
      const r = await evaluateCohortFile(options.cohort, { repeats, samplesPerClass, save: options.save ? dir : undefined });
      ctx.out(`${r.input}: ${r.rows} rows, ${r.athletes} athletes, ${r.positives} injury rows (${r.approach} approach); test athletes held out: ${r.testAthletes.join(', ')}`);
      ctx.out(formatTable(['repeat', 'seed', 'roc_auc', 'pr_auc', 'threshold', 'recall', 'specificity'], r.repeats.map((x, i) => ({ repeat: i + 1, seed: x.seed, roc_auc: x.rocAuc, pr_auc: x.prAuc, threshold: x.threshold, recall: x.recall, specificity: x.specificity }))));
      ctx.out(`mean ROC AUC ${r.meanRocAuc.toFixed(3)}, mean PR AUC ${r.meanPrAuc.toFixed(3)} (${r.seconds.evaluate.toFixed(0)} s)`);
      if (r.skipped) ctx.out(`${r.skipped} unreadable row(s) skipped`);
      if (r.savedModel) ctx.out(`cohort model saved to ${r.savedModel}`);
      return 0;
    },
  },
  dedup: {
    summary: 'rebuild the deduplicated workouts; explain a merge; measure against ground truth',
    usage: 'athlete dedup [--explain WORKOUT_ID] [--evaluate [--truth PATH]]',
    options: { explain: 'value', evaluate: 'flag', truth: 'value' },
    help: `Without options: re-runs deduplication and biometric reconciliation over every stored
source record (also done after each sync and import when AUTO_DEDUPLICATE is on).
  --explain ID    why the workout's records were joined (tier, time gap, distance gap, route
                  distance) and which source supplied each field; old ids resolve through aliases
  --evaluate      precision and recall of duplicate links against a ground-truth file
  --truth PATH    ground truth (default: the demo athlete's ground_truth.json)`,
    async run({ options }, ctx) {
      return withWarehouse(ctx, async (wh) => {
        if (typeof options.explain === 'string') return explainWorkout(wh, options.explain, ctx);
        if (options.evaluate) {
          const path = typeof options.truth === 'string' ? options.truth : join(ctx.config.DEMO_DATA_DIR ?? DEFAULT_DEMO_DIR, 'ground_truth.json');
          const e = await evaluateAgainstTruth(wh, path);
          ctx.out(`pairwise duplicate links against ${path}:`);
          ctx.out(`  precision ${e.precision.toFixed(4)}  recall ${e.recall.toFixed(4)}  (true links ${e.tp}, false links ${e.fp}, missed links ${e.fn})`);
          ctx.out(`  near-miss pairs kept apart: ${e.nearMissesApart} of ${e.nearMisses}`);
          return 0;
        }
        const r = await rebuildCanonical(wh);
        await runAnalysis(wh, athleteSettings(ctx.config));
        ctx.out(`${r.sourceRecords} source records -> ${r.workouts} workouts (${r.merged} merged; links by tier: exact id ${r.stats.links.tier1}, time+distance ${r.stats.links.tier2}, route ${r.stats.links.tier3})`);
        ctx.out(`${r.biometricDays} reconciled biometric day-values; ${r.aliases} superseded workout id(s) kept as aliases`);
        await wh.checkpoint();
        return 0;
      });
    },
  },
};

/** Models are kept beside the database file (the warehouse folder by default). */
function modelDirFor(databaseUrl: string | undefined): string {
  const p = databasePath(databaseUrl);
  return p === ':memory:' ? WAREHOUSE_DIR : dirname(p);
}

function modelDir(wh: Warehouse): string {
  return wh.path === ':memory:' ? WAREHOUSE_DIR : dirname(wh.path);
}

async function explainWorkout(wh: Warehouse, id: string, ctx: Context): Promise<number> {
  const resolved = await resolveWorkoutId(wh, id);
  if (!resolved) {
    ctx.err(`no workout ${id} (nor an alias of one)`);
    return 1;
  }
  if (resolved !== id) ctx.out(`${id} was superseded by ${resolved}`);
  const [w] = await wh.all<Record<string, unknown>>('SELECT * EXCLUDE (raw_data) FROM workouts WHERE workout_id = ?', [resolved]);
  const members = await wh.all<Record<string, unknown>>(
    `SELECT ws.source, ws.external_id, ws.match_tier, ws.match_info, sw.start_time, sw.duration_s, sw.distance_m, sw.sport
     FROM workout_sources ws JOIN source_workouts sw USING (record_id) WHERE ws.workout_id = ? ORDER BY ws.match_tier NULLS FIRST, ws.source`,
    [resolved],
  );
  ctx.out(`workout ${resolved}: ${String(w!.sport)} at ${(w!.start_time as Date).toISOString()}, ${members.length} source record(s)`);
  const tiers: Record<string, string> = { '1': 'same external id', '2': 'time + sport + distance', '3': 'time + sport + GPS route' };
  for (const m of members) {
    const info = m.match_info ? (JSON.parse(String(m.match_info)) as Record<string, unknown>) : {};
    const why =
      m.match_tier === null
        ? 'base record (highest precedence)'
        : `tier ${String(m.match_tier)} (${tiers[String(m.match_tier)]}) with ${String(info.with ?? '?')}` +
          [
            info.key ? ` key ${String(info.key)}` : '',
            typeof info.start_gap_s === 'number' ? `, start gap ${info.start_gap_s.toFixed(0)} s` : '',
            typeof info.distance_diff === 'number' ? `, distance gap ${(info.distance_diff * 100).toFixed(1)} %` : '',
            typeof info.route_m === 'number' ? `, route distance ${info.route_m.toFixed(0)} m` : '',
          ].join('');
    ctx.out(`  ${String(m.source)}:${String(m.external_id)}  ${why}`);
  }
  const provenance = w!.provenance ? (JSON.parse(String(w!.provenance)) as Record<string, string>) : {};
  ctx.out('fields and the source that supplied them:');
  ctx.out(formatTable(['field', 'value', 'source'], Object.entries(provenance).map(([field, source]) => ({ field, value: w![field], source }))));
  return 0;
}

async function runOnePlugin(name: string, ctx: Context): Promise<number> {
  const { plugins } = await pluginsFromEnv(ctx.env);
  if (!plugins.some((p) => p.name === name)) throw new UsageError(`no plugin named ${name} (installed: ${plugins.map((p) => p.name).join(', ')})`);
  if (!ctx.config.ENABLE_PLUGINS) {
    ctx.err('plugins are disabled (ENABLE_PLUGINS=false)');
    return 1;
  }
  return withWarehouse(ctx, async (wh) => {
    const r = await runPluginsOnWarehouse(wh, plugins, { enablePlugins: true, enableGps: ctx.config.ENABLE_GPS_ANALYSIS, only: [name] });
    const s = r.byPlugin[name]!;
    ctx.out(`${name}: analysed ${s.ok} workout(s), ${s.error} failed, ${s.skipped} skipped`);
    for (const e of s.errors.slice(0, 5)) ctx.err(`  ${e}`);
    return s.error > 0 && s.ok === 0 ? 1 : 0;
  });
}

async function runReport(output: string | undefined, ctx: Context): Promise<number> {
  const pdf = resolve(output ?? 'reports/fitness_report.pdf');
  if (!pdf.endsWith('.pdf')) throw new UsageError('--output must name a .pdf file');
  mkdirSync(dirname(pdf), { recursive: true });
  return withWarehouse(ctx, async (wh) => {
    const r = await buildReport(wh, { outPdf: pdf, outHtml: pdf.replace(/\.pdf$/, '.html'), athleteId: ctx.config.ATHLETE_ID });
    ctx.out(`wrote ${r.pdf} (${r.pages} pages) and ${r.html}`);
    return 0;
  });
}

function mainHelp(): string {
  const names = Object.keys(COMMANDS);
  const w = Math.max(...names.map((n) => n.length));
  return [
    'athlete — training and recovery data from every source, in one DuckDB warehouse',
    '',
    'usage: athlete <command> [options]   (athlete <command> --help for details)',
    '',
    ...names.map((n) => `  ${n.padEnd(w)}  ${COMMANDS[n]!.summary}`),
    '',
    'Configuration comes from .env and the environment (see .env.example).',
  ].join('\n');
}

/** Run the CLI with `argv` (without node and script); returns the exit code. */
export async function main(argv: readonly string[], io: { out?: (s: string) => void; err?: (s: string) => void } = {}): Promise<number> {
  const out = io.out ?? ((s: string) => process.stdout.write(s + '\n'));
  const err = io.err ?? ((s: string) => process.stderr.write(s + '\n'));
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    out(mainHelp());
    return name ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    err(`athlete: unknown command '${name}'\n\n${mainHelp()}`);
    return 2;
  }
  try {
    const args = parseArgs(rest, cmd.options);
    if (args.options.help) {
      out(`usage: ${cmd.usage}\n\n${cmd.help}`);
      return 0;
    }
    const env = loadEnv();
    const config = loadConfig(env);
    process.env.LOG_LEVEL ??= config.LOG_LEVEL;
    return await cmd.run(args, { config, env, out, err });
  } catch (e) {
    if (e instanceof UsageError) {
      err(`athlete ${name}: ${e.message}\nusage: ${cmd.usage}`);
      return 2;
    }
    if (e instanceof ConfigError) {
      err(`athlete: ${e.message}`);
      return 3;
    }
    err(`athlete ${name}: ${(e as Error).message}`);
    if (process.env.LOG_LEVEL === 'debug') err((e as Error).stack ?? '');
    return 1;
  }
}
