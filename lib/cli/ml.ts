/** `athlete ml evaluate`: the injury model validated on the public runners' cohort (Lövdal et al. 2021). */
import { evaluateCohortFile } from '../ml/cohort_file.ts';
import { UsageError, intOption } from './args.ts';
import type { Command } from './context.ts';
import { modelDirFor } from './model_dir.ts';
import { formatTable } from './output.ts';

/** The ml command. */
export const command: Command = {
  options: { cohort: 'value', repeats: 'value', 'samples-per-class': 'value', save: 'flag' },
  help: `Reads the published day- or week-approach CSV as downloaded (CC0, DataverseNL
doi:10.34894/UWU9PV) and reproduces the paper's protocol: the 10 last-joined athletes held
out, per-athlete normalisation, balanced bagging, Platt calibration; prints ROC AUC per
repeat and the mean (the paper: 0.724 day, 0.678 week). --save trains a cohort model on all
athletes (day file), used by athlete predict when the athlete has too few injuries.`,
  async run({ options, positionals }, ctx) {
    if (positionals[0] !== 'evaluate' || positionals.length !== 1) throw new UsageError('the subcommand is: ml evaluate --cohort PATH');
    if (typeof options.cohort !== 'string') throw new UsageError('--cohort PATH is required');
    const repeats = intOption(options.repeats, 'repeats', 5);
    const samplesPerClass = intOption(options['samples-per-class'], 'samples-per-class', 256);
    const dir = modelDirFor(ctx.config.DATABASE_URL);
    const r = await evaluateCohortFile(options.cohort, { repeats, samplesPerClass, save: options.save ? dir : undefined });
    ctx.out(`${r.input}: ${r.rows} rows, ${r.athletes} athletes, ${r.positives} injury rows (${r.approach} approach); test athletes held out: ${r.testAthletes.join(', ')}`);
    ctx.out(formatTable(['repeat', 'seed', 'roc_auc', 'pr_auc', 'threshold', 'recall', 'specificity'], r.repeats.map((x, i) => ({ repeat: i + 1, seed: x.seed, roc_auc: x.rocAuc, pr_auc: x.prAuc, threshold: x.threshold, recall: x.recall, specificity: x.specificity }))));
    ctx.out(`mean ROC AUC ${r.meanRocAuc.toFixed(3)}, mean PR AUC ${r.meanPrAuc.toFixed(3)} (${r.seconds.evaluate.toFixed(0)} s)`);
    if (r.skipped) ctx.out(`${r.skipped} unreadable row(s) skipped`);
    if (r.savedModel) ctx.out(`cohort model saved to ${r.savedModel}`);
    return 0;
  },
};
