/** `athlete import`: read export files, folders or zip archives into the warehouse. */
import { importPaths } from '../ingest/importer.ts';
import { UsageError } from './args.ts';
import { dedupAfter } from './after_import.ts';
import { withWarehouse, type Command } from './context.ts';
import { progressBar } from './output.ts';

/** The import command. */
export const command: Command = {
  options: { source: 'value', lake: 'value' },
  help: `Reads FIT, GPX and TCX files and account exports (Strava, WHOOP, Oura, scale CSV,
the earlier version's strava_activities.json / activities.csv), as files, folders or
.zip archives. The format is detected from the content. Unreadable inputs are recorded
in import_errors and the rest goes on.
Records are the athlete's chosen with --athlete (default ATHLETE_ID).
  --source NAME   attribute records to NAME when the files do not say (e.g. strava)
  --lake DIR      read a lake written by athlete export --format lake: each athlete in it
                  replaces that athlete's rows, in one transaction`,
  async run({ options, positionals }, ctx) {
    if (typeof options.lake === 'string') {
      if (positionals.length > 0 || options.source !== undefined) throw new UsageError('--lake DIR takes no other paths and no --source');
      return (await import('./lake.ts')).readLake(options.lake, ctx);
    }
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
};
