/** `athlete migrate PATH`: carry over everything the earlier Python version kept. */
import { migrateLegacy, type MigrationSummary } from '../ingest/migrate.ts';
import { tokenStoreFor } from '../sources/http/token_store.ts';
import { choiceOption, UsageError } from './args.ts';
import { dedupAfter } from './after_import.ts';
import { withWarehouse, type Command } from './context.ts';
import { formatJson, formatTable } from './output.ts';

/** The summary as lines for people: found, taken, left out (with reasons), token and settings. */
export function migrationReport(s: MigrationSummary): string[] {
  const lines = [`earlier version: ${s.root}`];
  if (s.database) lines.push(`its database: ${s.database.file}, ${s.database.shape} shape (${Object.entries(s.database.tables).map(([t, n]) => `${t} ${n}`).join(', ')})`);
  for (const a of s.database?.athletes ?? []) lines.push(`  its athlete ${a.name ?? a.oldId} -> athlete ${a.athleteId}`);
  lines.push('', 'found:');
  lines.push(
    formatTable(
      ['file', 'what', 'workouts', 'readings', 'profile', 'left_out', 'unreadable'],
      s.files.map((f) => ({ file: f.file, what: f.what, workouts: f.workouts, readings: f.readings, profile: f.profileValues, left_out: f.leftOut, unreadable: f.unreadable })),
    ),
  );
  lines.push('', 'taken:');
  for (const h of s.history) lines.push(`  athlete ${h.athleteId}: ${h.workouts} activities${h.first ? ` from ${h.first} to ${h.last}` : ''}`);
  lines.push(`  ${s.workouts} workout records (one per file that holds an activity: dedup joins them), ${s.readings} biometric readings, ${s.profileValues} profile values`);
  lines.push(`  Strava token: ${s.token.outcome}${s.token.from ? ` (from ${s.token.from})` : ''}`);
  lines.push('', s.leftOut.length ? 'left out (each item is a row of import_errors):' : 'left out: nothing');
  for (const l of s.leftOut) lines.push(`  ${String(l.count).padStart(6)}  ${l.reason}`);
  if (s.unreadable) lines.push(`  ${String(s.unreadable).padStart(6)}  records that could not be read (see import_errors for the file, record and field)`);
  if (s.settings.length) lines.push('', 'settings:', ...s.settings.map((x) => `  ${x}`));
  return lines;
}

/** The migrate command. */
export const command: Command = {
  options: { format: 'value' },
  help: `Carries over what the earlier Python version kept, given its folder or its data/ folder:
strava_activities.json, activities.csv, its SQLite warehouse (any of its three shapes, at
DATABASE_PATH or data/athlete_performance.db), the VeSync collector's files, its exports, and
the Strava refresh token of its .env or database (into the token store). Invented values are
not carried: placeholder calories become unknown, zero weights absent, account statistics and
profile snapshots are not biometrics. Prints what it found, took and left out (each left-out
item is also a row of import_errors). Running it again changes nothing.
  --format table|json   the summary as text (default) or JSON`,
  async run({ options, positionals }, ctx) {
    if (positionals.length !== 1) throw new UsageError("name the earlier version's folder (or its data/ folder)");
    const format = choiceOption(options.format, 'format', ['table', 'json'] as const, 'table');
    return withWarehouse(ctx, async (wh) => {
      const summary = await migrateLegacy(wh, positionals[0]!, { athleteId: ctx.config.ATHLETE_ID, tokenStore: tokenStoreFor(ctx.env) });
      if (format === 'json') ctx.out(formatJson([summary as unknown as Record<string, unknown>]));
      else for (const line of migrationReport(summary)) ctx.out(line);
      await dedupAfter(wh, format === 'json' ? { ...ctx, out: ctx.err } : ctx);
      await wh.checkpoint();
      return 0;
    });
  },
};
