/** `athlete predict`: injury risk of the latest days, with the features driving it. */
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
predictions table and prints them with the top contributing features.`,
  async run({ options }, ctx) {
    const days = intOption(options.days, 'days', 7);
    const model = choiceOption(options.model, 'model', ['auto', 'athlete', 'cohort'] as const, 'auto');
    return withWarehouse(ctx, async (wh) => {
      const r = await predictRisk(wh, { athleteId: ctx.config.ATHLETE_ID, modelDir: modelDir(wh), days, model });
      if (r.status !== 'ok') {
        ctx.out(r.message);
        // No model yet is a state to explain, not a failure; no data to score is.
        return r.status === 'no_model' ? 0 : 1;
      }
      ctx.out(`${r.model} model; risk of an injury beginning within ${r.horizonDays} day(s) after each day:`);
      ctx.out(
        formatTable(
          ['date', 'risk', 'top features'],
          r.predictions.map((p) => ({
            date: p.date,
            risk: `${(p.risk * 100).toFixed(1)} %`,
            'top features': p.top_features.slice(0, 3).map((f) => `${f.name} (${f.contribution >= 0 ? '+' : ''}${(f.contribution * 100).toFixed(1)})`).join(', '),
          })),
        ),
      );
      return 0;
    });
  },
};
