/** `athlete sql`: run one SQL statement on the warehouse. */
import { UsageError, choiceOption } from './args.ts';
import { withWarehouse, type Command } from './context.ts';
import { formatCsv, formatJson, formatTable } from './output.ts';

/** The sql command; a failing query is exit 1 with DuckDB's message. */
export const command: Command = {
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
    }, 'read');
  },
};
