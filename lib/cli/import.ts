/** `athlete import`: read export files, folders or zip archives into the warehouse. */
import { importPaths } from '../ingest/importer.ts';
import { limitsFromConfig } from '../ingest/limits.ts';
import { UsageError } from './args.ts';
import { dedupAfter } from './after_import.ts';
import { withWarehouse, type Command } from './context.ts';
import { progressBar } from './output.ts';

/** Exit code of an import that stored what it could but left something out (see import_errors). */
export const EXIT_PARTIAL = 4;

/** The import command; exit 4 (partial) when something could not be imported. */
export const command: Command = {
  options: { source: 'value', lake: 'value', again: 'flag' },
  help: `Reads FIT, GPX and TCX files and account exports (Strava, WHOOP, Oura, scale CSV,
the earlier version's strava_activities.json / activities.csv), as files, folders or
.zip archives. The format is detected from the content. Unreadable inputs are recorded
in import_errors and the rest goes on; the exit code is then 4 (partial).
A file that would expand beyond IMPORT_MAX_EXPANDED_GB, IMPORT_MAX_EXPANSION_RATIO or
IMPORT_MAX_ARCHIVE_DEPTH, or is larger than IMPORT_MAX_FILE_MB to read whole, is not imported.
Records are the athlete's chosen with --athlete (default ATHLETE_ID).
  --source NAME   attribute records to NAME when the files do not say (e.g. strava)
  --again         read files imported before unchanged too (they are skipped otherwise)
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
      const limits = limitsFromConfig(ctx.config);
      const s = await importPaths(wh, positionals, {
        athleteId: ctx.config.ATHLETE_ID,
        source,
        limits,
        again: options.again === true,
        onProgress: (d, t, n) => bar.update(d, t, n),
      });
      bar.end();
      ctx.out(`imported ${s.files} file(s): ${s.workouts} workouts, ${s.biometrics} biometric readings, ${s.points} track points`);
      if (s.unchanged) ctx.out(`${s.unchanged} file(s) unchanged since they were imported: not read again (--again reads them)`);
      if (s.skipped) ctx.out(`skipped ${s.skipped} file(s): nothing to import, not a format athlete reads, or the same content twice`);
      if (s.warnings) ctx.out(`${s.warnings} implausible value(s) stored as null`);
      if (s.problems) ctx.out(`${s.problems} problem(s): a file, archive member, record or value was not imported`);
      if (s.errors) ctx.out(`each is a row of import_errors (athlete sql "SELECT * FROM import_errors")`);
      await dedupAfter(wh, ctx);
      await wh.checkpoint();
      return s.problems > 0 ? EXIT_PARTIAL : 0;
    });
  },
};
