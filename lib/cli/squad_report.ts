/** `athlete report --squad`: every athlete by concern, then a page per athlete. */
import { resolve } from 'node:path';
import { buildSquadReport } from '../report/squad.ts';
import { UsageError } from './args.ts';
import { withWarehouse, type Context } from './context.ts';

/** Write the squad report to `output` (a .pdf; default reports/squad_report.pdf) and the HTML beside it. */
export async function writeSquadReport(output: string | undefined, asOf: string | undefined, ctx: Context): Promise<number> {
  const pdf = resolve(output ?? 'reports/squad_report.pdf');
  if (!pdf.endsWith('.pdf')) throw new UsageError('--output must name a .pdf file');
  if (asOf !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || Number.isNaN(Date.parse(`${asOf}T00:00:00Z`)))) throw new UsageError(`--as-of needs a date YYYY-MM-DD, got ${asOf}`);
  return withWarehouse(
    ctx,
    async (wh) => {
      const r = await buildSquadReport(wh, { outPdf: pdf, asOf });
      ctx.out(`wrote ${r.pdf} (${r.athletes} athletes, ${r.pages} pages) and ${r.html}`);
      return 0;
    },
    'read',
  );
}
