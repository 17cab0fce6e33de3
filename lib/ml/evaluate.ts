/**
 * Honest evaluation of a risk score: rank metrics (ROC AUC, average
 * precision), class balance, and splits that never let the future or the same
 * athlete leak into training.
 */
import { dayNumber } from '../analysis/daily.ts';
import { seededRandom } from '../core/random.ts';

function checkPair(y: number[], p: number[]): void {
  if (y.length !== p.length) throw new RangeError(`metrics: ${y.length} labels but ${p.length} scores`);
}

/**
 * ROC AUC in its Mann–Whitney form (Hanley & McNeil 1982, Radiology 143:29):
 * (sum of positive ranks − n₊(n₊+1)/2)/(n₊·n₋), tied scores taking their mean
 * rank, so a tied positive–negative pair counts one half. NaN when either class
 * is absent.
 */
export function rocAuc(y: number[], p: number[]): number {
  checkPair(y, p);
  const order = p.map((_, i) => i).sort((a, b) => p[a]! - p[b]!);
  let rankSumPos = 0;
  let nPos = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && p[order[j + 1]!] === p[order[i]!]) j++;
    const meanRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (y[order[k]!] === 1) {
        rankSumPos += meanRank;
        nPos++;
      }
    }
    i = j + 1;
  }
  const nNeg = y.length - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * Area under the precision–recall curve as average precision: Σ (Rₖ − Rₖ₋₁)·Pₖ
 * over thresholds from the highest score down (the step-wise form used by
 * scikit-learn, no interpolation). Tied scores are one threshold. NaN without
 * positives. Chance level is the prevalence, not 0.5.
 */
export function prAuc(y: number[], p: number[]): number {
  checkPair(y, p);
  const total = y.filter((v) => v === 1).length;
  if (total === 0) return NaN;
  const order = p.map((_, i) => i).sort((a, b) => p[b]! - p[a]!);
  let tp = 0;
  let fp = 0;
  let prevRecall = 0;
  let ap = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && p[order[j + 1]!] === p[order[i]!]) j++;
    for (let k = i; k <= j; k++) {
      if (y[order[k]!] === 1) tp++;
      else fp++;
    }
    const recall = tp / total;
    ap += (recall - prevRecall) * (tp / (tp + fp));
    prevRecall = recall;
    i = j + 1;
  }
  return ap;
}

/** Counts of each class. */
export interface ClassBalance {
  n: number;
  positives: number;
  negatives: number;
  /** positives / n; NaN for no rows. */
  prevalence: number;
}

/** How many labels are 1 and how many are not. */
export function classBalance(y: number[]): ClassBalance {
  const positives = y.filter((v) => v === 1).length;
  return { n: y.length, positives, negatives: y.length - positives, prevalence: y.length ? positives / y.length : NaN };
}

/** The threshold where recall and specificity meet, and both at it. */
export interface BalancedThreshold {
  threshold: number;
  recall: number;
  specificity: number;
}

/**
 * The score threshold (predict positive when p ≥ threshold) where recall is
 * closest to specificity, as Lövdal et al. (2021) report their operating
 * point; among equally close, the higher threshold. NaNs when a class is absent.
 */
export function thresholdAtBalance(y: number[], p: number[]): BalancedThreshold {
  checkPair(y, p);
  const pos = y.filter((v) => v === 1).length;
  const neg = y.length - pos;
  if (pos === 0 || neg === 0) return { threshold: NaN, recall: NaN, specificity: NaN };
  const order = p.map((_, i) => i).sort((a, b) => p[b]! - p[a]!);
  let tp = 0;
  let fp = 0;
  let best: BalancedThreshold = { threshold: Infinity, recall: 0, specificity: 1 };
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && p[order[j + 1]!] === p[order[i]!]) j++;
    for (let k = i; k <= j; k++) {
      if (y[order[k]!] === 1) tp++;
      else fp++;
    }
    const cand = { threshold: p[order[i]!]!, recall: tp / pos, specificity: 1 - fp / neg };
    if (Math.abs(cand.recall - cand.specificity) < Math.abs(best.recall - best.specificity)) best = cand;
    i = j + 1;
  }
  return best;
}

/** Row indices of one train/test split. */
export interface Split {
  train: number[];
  test: number[];
}

/** One fold of forward chaining, with its date bounds. */
export interface TimeSplit extends Split {
  /** Last date in the training rows. */
  trainEnd: string;
  testStart: string;
  testEnd: string;
}

/**
 * Forward-chaining splits over `YYYY-MM-DD` dates (one per row): the distinct
 * dates are cut into `nFolds + 1` consecutive blocks; fold k trains on every
 * row dated before block k and tests on block k. Rows dated within `gapDays`
 * before the test block are left out of training (a purge: with labels that
 * look `gapDays` ahead, they would see the test period). Folds whose training
 * set would be empty are skipped. Never shuffles days.
 */
export function forwardChainingSplits(dates: string[], nFolds: number, options: { gapDays?: number } = {}): TimeSplit[] {
  const { gapDays = 0 } = options;
  if (!Number.isInteger(nFolds) || nFolds < 1) throw new RangeError(`forwardChainingSplits: nFolds must be a positive integer, got ${nFolds}`);
  const days = dates.map((d, i) => dayNumber(d, `dates[${i}]`));
  const distinct = [...new Set(days)].sort((a, b) => a - b);
  const blocks = nFolds + 1;
  if (distinct.length < blocks) throw new RangeError(`forwardChainingSplits: ${distinct.length} distinct dates cannot make ${nFolds} folds`);
  const blockStart = (k: number): number => distinct[Math.floor((k * distinct.length) / blocks)]!;
  const out: TimeSplit[] = [];
  for (let k = 1; k <= nFolds; k++) {
    const start = blockStart(k);
    const end = k === nFolds ? Infinity : blockStart(k + 1);
    const train: number[] = [];
    const test: number[] = [];
    days.forEach((d, i) => {
      if (d >= start && d < end) test.push(i);
      else if (d < start - gapDays) train.push(i);
    });
    if (train.length === 0 || test.length === 0) continue;
    const trainEnd = Math.max(...train.map((i) => days[i]!));
    const testEnd = Math.max(...test.map((i) => days[i]!));
    out.push({ train, test, trainEnd: dates[train.find((i) => days[i] === trainEnd)!]!, testStart: dates[test.find((i) => days[i] === start)!]!, testEnd: dates[test.find((i) => days[i] === testEnd)!]! });
  }
  return out;
}

/** Rows of the athletes in `testIds` for testing, all others for training: no athlete is in both. */
export function groupSplit(athleteIds: string[], testIds: Iterable<string>): Split {
  const held = new Set(testIds);
  const train: number[] = [];
  const test: number[] = [];
  athleteIds.forEach((id, i) => (held.has(id) ? test : train).push(i));
  return { train, test };
}

/** A two-sided interval. */
export interface Interval {
  low: number;
  high: number;
}

/**
 * The central `level` interval of some values by the percentile method
 * (Efron & Tibshirani 1993, "An Introduction to the Bootstrap", ch. 13):
 * the (1 − level)/2 and (1 + level)/2 quantiles, linearly interpolated (R
 * type 7). NaN values are left out; NaNs when none is left.
 */
export function percentileInterval(values: readonly number[], level = 0.95): Interval {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return { low: NaN, high: NaN };
  const at = (p: number): number => {
    const h = (sorted.length - 1) * p;
    const lo = Math.floor(h);
    const hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
  };
  return { low: at((1 - level) / 2), high: at((1 + level) / 2) };
}

/** Bootstrap intervals of a model's ROC and PR AUC, of a baseline's, and of the model's advantage over it. */
export interface BootstrapAucs {
  replicates: number;
  rocAuc: Interval;
  prAuc: Interval;
  baselineRocAuc: Interval;
  baselinePrAuc: Interval;
  /** Model minus baseline, paired (the same resampled rows for both). */
  rocAucGain: Interval;
  prAucGain: Interval;
}

/**
 * 95 % percentile intervals of ROC and PR AUC by a block bootstrap (Künsch
 * 1989, Ann Stat 17:1217): whole blocks of rows (e.g. weeks) are resampled
 * with replacement, so days that share an injury's label window stay
 * together instead of being counted as independent. Replicates that draw a
 * single class are left out of the intervals. Seeded, so reproducible.
 */
export function blockBootstrapAucs(
  y: readonly number[],
  model: readonly number[],
  baseline: readonly number[],
  blocks: readonly (string | number)[],
  options: { replicates?: number; seed?: number; level?: number } = {},
): BootstrapAucs {
  const { replicates = 1000, seed = 1, level = 0.95 } = options;
  if (y.length !== model.length || y.length !== baseline.length || y.length !== blocks.length) {
    throw new RangeError(`bootstrap: ${y.length} labels, ${model.length} scores, ${baseline.length} baseline scores and ${blocks.length} blocks must match`);
  }
  const groups = new Map<string | number, number[]>();
  blocks.forEach((b, i) => groups.set(b, [...(groups.get(b) ?? []), i]));
  const list = [...groups.values()];
  const random = seededRandom(seed);
  const stats = { roc: [] as number[], pr: [] as number[], bRoc: [] as number[], bPr: [] as number[], gRoc: [] as number[], gPr: [] as number[] };
  for (let r = 0; r < replicates; r++) {
    const idx: number[] = [];
    for (let k = 0; k < list.length; k++) idx.push(...list[Math.floor(random() * list.length)]!);
    const yy = idx.map((i) => y[i]!);
    const roc = rocAuc(yy, idx.map((i) => model[i]!));
    if (Number.isNaN(roc)) continue;
    const pr = prAuc(yy, idx.map((i) => model[i]!));
    const bRoc = rocAuc(yy, idx.map((i) => baseline[i]!));
    const bPr = prAuc(yy, idx.map((i) => baseline[i]!));
    stats.roc.push(roc);
    stats.pr.push(pr);
    stats.bRoc.push(bRoc);
    stats.bPr.push(bPr);
    stats.gRoc.push(roc - bRoc);
    stats.gPr.push(pr - bPr);
  }
  return {
    replicates: stats.roc.length,
    rocAuc: percentileInterval(stats.roc, level),
    prAuc: percentileInterval(stats.pr, level),
    baselineRocAuc: percentileInterval(stats.bRoc, level),
    baselinePrAuc: percentileInterval(stats.bPr, level),
    rocAucGain: percentileInterval(stats.gRoc, level),
    prAucGain: percentileInterval(stats.gPr, level),
  };
}
