/** `athlete report`: write the PDF fitness report (and its HTML). */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { buildReport } from '../report/index.ts';
import { UsageError } from './args.ts';
import { withWarehouse, type Command, type Context } from './context.ts';

/** Write the report to `output` (a .pdf; default reports/fitness_report.pdf) and the HTML beside it. */
export async function writeReport(output: string | undefined, ctx: Context): Promise<number> {
  const pdf = resolve(output ?? 'reports/fitness_report.pdf');
  if (!pdf.endsWith('.pdf')) throw new UsageError('--output must name a .pdf file');
  mkdirSync(dirname(pdf), { recursive: true });
  return withWarehouse(ctx, async (wh) => {
    const r = await buildReport(wh, { outPdf: pdf, outHtml: pdf.replace(/\.pdf$/, '.html'), athleteId: ctx.config.ATHLETE_ID });
    ctx.out(`wrote ${r.pdf} (${r.pages} pages) and ${r.html}`);
    return 0;
  }, 'read');
}

/** The report command. */
export const command: Command = {
  options: { output: 'value' },
  help: 'Same as `athlete export --format report`. Default output reports/fitness_report.pdf (and .html).',
  async run({ options }, ctx) {
    return writeReport(typeof options.output === 'string' ? options.output : undefined, ctx);
  },
};
