/** `athlete train`: the athlete's injury-risk model, trained and evaluated on their own history. */
import type { TimeAwareReport } from '../ml/predictor.ts';
import { MIN_INJURIES } from '../ml/predictor.ts';
import { trainAthleteModel } from '../ml/train.ts';
import { intOption } from './args.ts';
import { withWarehouse, type Command } from './context.ts';
import { modelDir } from './model_dir.ts';
import { formatTable } from './output.ts';

const f3 = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : '–');

/** The evaluation's lines: pooled AUCs with their intervals, the baseline beside them, the verdict, and each fold. */
export function evaluationLines(e: TimeAwareReport): string[] {
  const b = e.bootstrap;
  const ci = (i: { low: number; high: number } | undefined): string => (i ? ` (95 % CI ${f3(i.low)}–${f3(i.high)})` : '');
  const lines = [
    `forward-chaining evaluation on ${e.classBalance.n} days (${e.classBalance.positives} before an injury, chance PR AUC ${f3(e.classBalance.prevalence)}):`,
    `  model:              ROC AUC ${f3(e.rocAuc)}${ci(b?.rocAuc)}, PR AUC ${f3(e.prAuc)}${ci(b?.prAuc)}`,
    `  ACWR (EWMA) alone:  ROC AUC ${f3(e.baseline.rocAuc)}${ci(b?.baselineRocAuc)}, PR AUC ${f3(e.baseline.prAuc)}${ci(b?.baselinePrAuc)}`,
    e.beatsBaseline
      ? '  the model ranks risky days better than the ACWR alone.'
      : '  caveat: the model does not beat the ACWR alone on this history; read its risk as no more informative than the ACWR.',
    formatTable(
      ['test block', 'days', 'injuries', 'model ROC AUC', 'model PR AUC', 'ACWR ROC AUC', 'ACWR PR AUC'],
      e.folds.map((f) => ({
        'test block': `${f.testStart} to ${f.testEnd}`,
        days: f.testRows,
        injuries: f.testInjuries,
        'model ROC AUC': f3(f.rocAuc),
        'model PR AUC': f3(f.prAuc),
        'ACWR ROC AUC': f3(f.baseline.rocAuc),
        'ACWR PR AUC': f3(f.baseline.prAuc),
      })),
    ),
  ];
  return lines;
}

/** The train command; too few injuries is exit 0 with the reason, no data at all exit 1. */
export const command: Command = {
  options: { horizon: 'value', 'allow-strava-api': 'flag' },
  help: `Trains gradient-boosted trees on daily_metrics and the injury log (label: an injury
begins within --horizon days, default 7), evaluated forward in time (never shuffled across
days) against an ACWR-only baseline, with fold-level AUCs and bootstrap intervals; the risk
is calibrated on the evaluation's test days. A personal model needs ${MIN_INJURIES} or more injuries;
with fewer, predictions use the cohort model or the ACWR bands. The model is saved beside
the warehouse as <athlete>.model.json and its evaluation in model_evaluations.
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
      const e = r.evaluation;
      if (e) {
        for (const line of evaluationLines(e)) ctx.out(line);
        ctx.out('feature importances (drop in ROC AUC when shuffled):');
        ctx.out(formatTable(['feature', 'importance'], e.importances.slice(0, 8).map((i) => ({ feature: i.name, importance: i.importance }))));
      } else if (r.evaluationNote) ctx.out(`no evaluation: ${r.evaluationNote}`);
      ctx.out(r.calibration === 'uncalibrated' ? 'risk not calibrated (the evaluation could not fit a calibration)' : 'risk calibrated (Platt) on the evaluation\'s test days');
      ctx.out(`model saved to ${r.modelPath}`);
      return 0;
    });
  },
};
