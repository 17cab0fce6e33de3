/**
 * `athlete sql`: run one SQL statement on the warehouse, in the query
 * sandbox (no file, network or extension access; settings locked) and
 * read-only unless `--write` is given.
 */
import { sandboxRefusal, QUERY_SANDBOX } from '../core/query_sandbox.ts';
import { UsageError, choiceOption } from './args.ts';
import { withWarehouse, type Command } from './context.ts';
import { formatCsv, formatJson, formatTable } from './output.ts';

/** The sql command; a failing or refused query is exit 1 with the reason. */
export const command: Command = {
  options: { format: 'value', write: 'flag' },
  help: `Runs one SQL statement on the warehouse (DuckDB dialect), read-only: queries see
the warehouse's tables and nothing else (no files, URLs, other databases or extensions).
  --format table|json|csv   json prints an array of row objects
  --write                   allow the statement to change the warehouse (still no files or URLs)`,
  async run({ options, positionals }, ctx) {
    const format = choiceOption(options.format, 'format', ['table', 'json', 'csv'] as const, 'table');
    if (positionals.length !== 1) throw new UsageError('give exactly one query, quoted');
    const write = options.write === true;
    return withWarehouse(
      ctx,
      async (wh) => {
        if (write) ctx.err(`athlete sql: --write: changes this statement makes to the warehouse ${wh.path} are saved`);
        let res;
        try {
          res = await wh.table(positionals[0]!);
        } catch (err) {
          const message = (err as Error).message;
          const refusal = sandboxRefusal(message);
          ctx.err(refusal ? `athlete sql: refused: ${refusal}` : `query failed: ${message}`);
          return 1;
        }
        if (format === 'json') ctx.out(formatJson(res.rows));
        else if (format === 'csv') ctx.out(formatCsv(res.columns, res.rows));
        else ctx.out(res.columns.length ? formatTable(res.columns, res.rows) + `\n(${res.rows.length} row${res.rows.length === 1 ? '' : 's'})` : 'ok');
        return 0;
      },
      write ? 'write' : 'read',
      QUERY_SANDBOX,
    );
  },
};
