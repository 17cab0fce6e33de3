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
    // The demo athlete, whose data are all the demo's files, is called by the demo's name.
    const displayName = ctx.config.ATHLETE_NAME ?? (await (await import('../demo/files.ts')).demoAthleteName(wh, ctx.config.ATHLETE_ID, ctx.config.DEMO_DATA_DIR));
    const r = await buildReport(wh, { outPdf: pdf, outHtml: pdf.replace(/\.pdf$/, '.html'), athleteId: ctx.config.ATHLETE_ID, displayName });
    ctx.out(`wrote ${r.pdf} (${r.pages} pages) and ${r.html}`);
    return 0;
  }, 'read');
}

/** The report command. */
export const command: Command = {
  options: { output: 'value', squad: 'flag', 'as-of': 'value' },
  help: `Same as \`athlete export --format report\`. Default output reports/fitness_report.pdf (and .html).
  --squad         the squad report instead (default reports/squad_report.pdf): a first page with
                  every athlete (last sync, data freshness, 7-day load, ACWR band, HRV status,
                  injury risk, open injuries) sorted by concern, then one page per athlete
  --as-of DAY     (squad) the day freshness and open injuries are judged on (default today)`,
  async run({ options }, ctx) {
    if (options.squad) return (await import('./squad_report.ts')).writeSquadReport(typeof options.output === 'string' ? options.output : undefined, typeof options['as-of'] === 'string' ? options['as-of'] : undefined, ctx);
    if (options['as-of'] !== undefined) throw new UsageError('--as-of is for --squad');
    return writeReport(typeof options.output === 'string' ? options.output : undefined, ctx);
  },
};
