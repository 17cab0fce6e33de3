/** `athlete ml evaluate`: the injury model validated on the public runners' cohort (Lövdal et al. 2021). */
import { evaluateCohortFile } from '../ml/cohort_file.ts';
import { UsageError, choiceOption, intOption } from './args.ts';
import type { Command } from './context.ts';
import { modelDirFor } from './model_dir.ts';
import { formatTable } from './output.ts';

/** The ml command. */
export const command: Command = {
  options: { cohort: 'value', repeats: 'value', 'samples-per-class': 'value', bags: 'value', learner: 'value', save: 'flag' },
  help: `Reads the published day- or week-approach CSV as downloaded (CC0, DataverseNL
doi:10.34894/UWU9PV) and runs the paper's protocol at its settings: the 10 last-joined
athletes held out, per-athlete z-scores, 9 bagged gradient-boosted models on 2,048 rows
per class drawn evenly across athletes, Platt calibration and the operating threshold on
held-out calibration athletes, 5 repeats; prints ROC and PR AUC per repeat and the mean
(the paper: ROC AUC 0.724 day, 0.678 week). A few minutes on two cores.
  --repeats N, --bags N, --samples-per-class N   smaller for a quick look
  --learner boosting|forest                       forest: ml-random-forest (much slower)
--save trains a cohort model on all athletes (day file), used by athlete predict when the
athlete has too few injuries for a model of their own.`,
  async run({ options, positionals }, ctx) {
    if (positionals[0] !== 'evaluate' || positionals.length !== 1) throw new UsageError('the subcommand is: ml evaluate --cohort PATH');
    if (typeof options.cohort !== 'string') throw new UsageError('--cohort PATH is required');
    const repeats = intOption(options.repeats, 'repeats', 5);
    const samplesPerClass = intOption(options['samples-per-class'], 'samples-per-class', 2048);
    const bags = intOption(options.bags, 'bags', 9);
    const learner = choiceOption(options.learner, 'learner', ['boosting', 'forest'] as const, 'boosting');
    const dir = modelDirFor(ctx.config.DATABASE_URL);
    const r = await evaluateCohortFile(options.cohort, { repeats, samplesPerClass, bags, learner, save: options.save ? dir : undefined });
    ctx.out(`${r.input}: ${r.rows} rows, ${r.athletes} athletes, ${r.positives} injury rows (${r.approach} approach); test athletes held out: ${r.testAthletes.join(', ')}`);
    ctx.out(formatTable(['repeat', 'seed', 'roc_auc', 'pr_auc', 'threshold', 'recall', 'specificity'], r.repeats.map((x, i) => ({ repeat: i + 1, seed: x.seed, roc_auc: x.rocAuc, pr_auc: x.prAuc, threshold: x.threshold, recall: x.recall, specificity: x.specificity }))));
    ctx.out(`mean ROC AUC ${r.meanRocAuc.toFixed(3)}, mean PR AUC ${r.meanPrAuc.toFixed(3)} (chance: ${(r.testPositives / r.testRows).toFixed(3)}); ${r.bags} bags × ${r.samplesPerClass} rows per class, ${r.learner}; ${r.seconds.evaluate.toFixed(0)} s`);
    ctx.out('threshold: where recall ≈ specificity on the calibration athletes; recall and specificity are on the test athletes.');
    if (r.skipped) ctx.out(`${r.skipped} unreadable row(s) skipped`);
    if (r.savedModel) ctx.out(`cohort model saved to ${r.savedModel}`);
    return 0;
  },
};
