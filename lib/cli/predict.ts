/** `athlete predict`: injury risk of the latest days, with the features driving it. */
import { BAND_WORDS } from '../analysis/daily.ts';
import { riskPercent } from '../ml/meaning.ts';
import { predictRisk } from '../ml/predict.ts';
import { choiceOption, intOption } from './args.ts';
import { withWarehouse, type Command } from './context.ts';
import { modelDir } from './model_dir.ts';
import { formatTable } from './output.ts';

/** The predict command. */
export const command: Command = {
  options: { days: 'value', model: 'value' },
  help: `Scores the latest N days (default 7) with the athlete's model, or the cohort model
(athlete ml evaluate --cohort PATH --save) when the athlete has none, writes them to the
predictions table (which the report and the notebooks read) and prints what the latest
number means, with the top contributing features. Without any model it says why and
shows the ACWR band instead.`,
  async run({ options }, ctx) {
    const days = intOption(options.days, 'days', 7);
    const model = choiceOption(options.model, 'model', ['auto', 'athlete', 'cohort'] as const, 'auto');
    return withWarehouse(ctx, async (wh) => {
      const r = await predictRisk(wh, { athleteId: ctx.config.ATHLETE_ID, modelDir: modelDir(wh), days, model });
      if (r.status === 'no_data') {
        ctx.out(r.message);
        return 1;
      }
      if (r.status === 'no_model') {
        ctx.out(r.message);
        const f = r.fallback;
        if (f && f.acwrEwma !== null && f.band !== null) ctx.out(`instead, the ACWR (EWMA 7:28 days) on ${f.date}: ${f.acwrEwma.toFixed(2)}, ${BAND_WORDS[f.band]}`);
        // No model yet is a state to explain, not a failure.
        return 0;
      }
      ctx.out(r.meaning);
      ctx.out(
        formatTable(
          ['date', 'risk', 'top features (percentage points)'],
          r.predictions.map((p) => ({
            date: p.date,
            risk: riskPercent(p.risk),
            'top features (percentage points)': p.top_features
              .slice(0, 3)
              .map((f) => `${f.name} (${f.contribution >= 0 ? '+' : '−'}${Math.abs(f.contribution * 100).toFixed(1)})`)
              .join(', '),
          })),
        ),
      );
      return 0;
    });
  },
};
