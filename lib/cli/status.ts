/** `athlete status`: what the warehouse holds, per source. */
import { choiceOption } from './args.ts';
import { withWarehouse, type Command } from './context.ts';
import { formatJson, formatTable } from './output.ts';

/** The status command. */
export const command: Command = {
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
    }, 'read');
  },
};
