/** `athlete train`: the athlete's injury-risk model, trained and evaluated on their own history. */
import { trainAthleteModel } from '../ml/train.ts';
import { intOption } from './args.ts';
import { withWarehouse, type Command } from './context.ts';
import { modelDir } from './model_dir.ts';
import { formatTable } from './output.ts';

/** The train command; too few injuries is exit 0 with the reason, no data at all exit 1. */
export const command: Command = {
  options: { horizon: 'value', 'allow-strava-api': 'flag' },
  help: `Trains a random forest on daily_metrics and the injury log (label: an injury begins
within --horizon days, default 7), evaluated forward in time (never shuffled across days),
against an ACWR-only baseline. Saved beside the warehouse as <athlete>.model.json.
Strava's API agreement forbids training models on data obtained through its API: days whose
only source is the Strava API are left out unless --allow-strava-api is given (data you
exported from Strava yourself is always usable).`,
  async run({ options }, ctx) {
    const horizonDays = intOption(options.horizon, 'horizon', 7);
    return withWarehouse(ctx, async (wh) => {
      const r = await trainAthleteModel(wh, { athleteId: ctx.config.ATHLETE_ID, modelDir: modelDir(wh), horizonDays, allowStravaApi: options['allow-strava-api'] === true });
      if (r.status !== 'trained') {
        ctx.out(r.message);
        return r.status === 'no_data' ? 1 : 0;
      }
      ctx.out(`trained on ${r.days} days (${r.droppedStravaApiDays} Strava-API-only days left out), ${r.injuryEvents} injuries; sources: ${r.sources.join(', ')}`);
      ctx.out(`class balance: ${r.samples.positives} positive of ${r.samples.n} days (${(r.samples.prevalence * 100).toFixed(1)} %)`);
      const e = r.evaluation;
      if (e) {
        ctx.out(`forward-chaining evaluation: ROC AUC ${e.rocAuc.toFixed(3)}, PR AUC ${e.prAuc.toFixed(3)}; ACWR-only baseline: ROC AUC ${e.baseline.rocAuc.toFixed(3)}, PR AUC ${e.baseline.prAuc.toFixed(3)}`);
        ctx.out('feature importances (drop in ROC AUC when shuffled):');
        ctx.out(formatTable(['feature', 'importance'], e.importances.slice(0, 8).map((i) => ({ feature: i.name, importance: i.importance }))));
      } else if (r.evaluationNote) ctx.out(`no evaluation: ${r.evaluationNote}`);
      ctx.out(`model saved to ${r.modelPath}`);
      return 0;
    });
  },
};
