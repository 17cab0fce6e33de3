/** `athlete export`: the canonical tables as parquet or CSV files, or the report. */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError, choiceOption } from './args.ts';
import { withWarehouse, type Command } from './context.ts';

const TABLES = ['workouts', 'workout_sources', 'biometrics', 'injuries', 'import_errors'];

/** A path as an SQL string literal (COPY takes no parameter for its target). */
function sqlLiteral(s: string): string {
  if (s.includes('\u0000')) throw new UsageError('path contains a NUL character');
  return `'${s.replace(/'/g, "''")}'`;
}

/** The export command. */
export const command: Command = {
  options: { format: 'value', output: 'value' },
  help: `parquet/csv: writes workouts, workout_sources, biometrics, injuries and import_errors
into the folder --output (default reports/export). report: writes the PDF report to
--output (default reports/fitness_report.pdf) and its HTML beside it.
lake: every athlete's source and canonical tables, stream samples, daily metrics and
predictions as hive-partitioned Parquet, <table>/athlete_id=ID/year=YYYY/part-N.parquet, in
the folder --output (default reports/lake), with timestamps as UTC instants; exporting
again rewrites only the partitions whose rows changed. Spark, Trino and DuckDB read it as
it is (see README); athlete import --lake DIR reads it back.`,
  async run({ options }, ctx) {
    const format = choiceOption(options.format, 'format', ['parquet', 'csv', 'report', 'lake'] as const, 'report');
    const output = typeof options.output === 'string' ? options.output : undefined;
    // The report's renderer is loaded only when a report is asked for.
    if (format === 'report') return (await import('./report.ts')).writeReport(output, ctx);
    if (format === 'lake') return (await import('./lake.ts')).writeLake(output, ctx);
    const dir = resolve(output ?? 'reports/export');
    mkdirSync(dir, { recursive: true });
    return withWarehouse(ctx, async (wh) => {
      for (const table of TABLES) {
        const file = join(dir, `${table}.${format}`);
        const how = format === 'parquet' ? '(FORMAT parquet)' : '(FORMAT csv, HEADER true)';
        await wh.run(`COPY (SELECT * FROM ${table} ORDER BY ALL) TO ${sqlLiteral(file)} ${how}`);
        ctx.out(`wrote ${file}`);
      }
      return 0;
    }, 'read');
  },
};
