/**
 * External validation on the public runners' cohort (Lövdal, den Hartigh &
 * Azzopardi 2021, IJSPP 16(10):1522; data doi:10.34894/UWU9PV): reading the
 * published day- and week-approach CSVs as they are, and their evaluation
 * protocol at their settings, with this project's gradient-boosted trees
 * (`GradientBoosting`, XGBoost's method) in place of XGBoost.
 *
 * Column order: the dataset README says the unsuffixed block is the day (week)
 * before the event; later analyses found the opposite (`.6` nearest). The
 * columns are used here one feature each, as published, and nothing is
 * derived from their order (no rolling sums or trends), so the protocol's
 * result does not depend on which reading is right; a tree cannot tell either.
 *
 * Rest days carry −0.01 in the perceived-* fields. They are kept as they are:
 * after per-athlete z-scoring they remain a distinct low value a split can
 * isolate, which is how the original models saw them.
 */
import type { ImportError } from '../core/models.ts';
import type { BoostingOptions } from './boosting.ts';
import { Ensemble, trainClassifier, type Classifier, type LearnerOptions } from './ensemble.ts';
import { applyPlatt, fitPlatt, type Platt } from './calibration.ts';
import { prAuc, rocAuc, thresholdAtBalance } from './evaluate.ts';
import { seededRandom } from '../core/random.ts';

/** Which published file. */
export type CohortApproach = 'day' | 'week';

/** The ten daily features of the day approach, in file order. */
export const DAY_FEATURES = [
  'nr. sessions',
  'total km',
  'km Z3-4',
  'km Z5-T1-T2',
  'km sprinting',
  'strength training',
  'hours alternative',
  'perceived exertion',
  'perceived trainingSuccess',
  'perceived recovery',
] as const;

/** The 22 weekly aggregates of the week approach, in file order. */
export const WEEK_FEATURES = [
  'nr. sessions',
  'nr. rest days',
  'total kms',
  'max km one day',
  'total km Z3-Z4-Z5-T1-T2',
  'nr. tough sessions (effort in Z5, T1 or T2)',
  'nr. days with interval session',
  'total km Z3-4',
  'max km Z3-4 one day',
  'total km Z5-T1-T2',
  'max km Z5-T1-T2 one day',
  'total hours alternative training',
  'nr. strength trainings',
  'avg exertion',
  'min exertion',
  'max exertion',
  'avg training success',
  'min training success',
  'max training success',
  'avg recovery',
  'min recovery',
  'max recovery',
] as const;

/** The week file's three week-to-week mileage ratios, after the three weekly blocks. */
export const WEEK_RELATIVE = ['rel total kms week 0_1', 'rel total kms week 0_2', 'rel total kms week 1_2'] as const;

/** The trailing identity and label columns of both files. */
export const COHORT_ID_COLUMNS = ['Athlete ID', 'injury', 'Date'] as const;

/**
 * The feature columns of a file in published order: day = 10 features × 7
 * blocks (suffixes '', '.1' … '.6') = 70; week = 22 × 3 blocks ('', '.1',
 * '.2') + 3 ratios = 69. With the three id columns: 73 and 72 columns.
 */
export function cohortFeatureColumns(approach: CohortApproach): string[] {
  const [names, blocks] = approach === 'day' ? [DAY_FEATURES, 7] : [WEEK_FEATURES, 3];
  const out: string[] = [];
  for (let b = 0; b < blocks; b++) for (const n of names) out.push(b === 0 ? n : `${n}.${b}`);
  if (approach === 'week') out.push(...WEEK_RELATIVE);
  return out;
}

/** One event window of the cohort. */
export interface CohortRow {
  athleteId: number;
  injury: 0 | 1;
  /** Day index from the athlete's first record. */
  date: number;
  /** In `featureNames` order. */
  features: number[];
}

/** A parsed cohort file. */
export interface CohortData {
  approach: CohortApproach;
  featureNames: string[];
  rows: CohortRow[];
  errors: ImportError[];
}

/** Split one CSV line into cells, honouring double quotes ("" inside quotes is a quote). */
function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      cells.push(cur);
      cur = '';
    } else cur += c;
  }
  cells.push(cur);
  return cells;
}

/**
 * Read a published cohort CSV as it is. Columns are found by name (extra
 * columns, such as a pandas index, are ignored). Missing columns make the
 * whole file unreadable: one error naming them and no rows. A row with a
 * non-numeric cell, a wrong cell count or an injury other than 0/1 is
 * reported (record = line number, field = column) and skipped.
 */
export function readCohortCsv(text: string, approach: CohortApproach, input = `${approach}_approach_maskedID_timeseries.csv`): CohortData {
  const featureNames = cohortFeatureColumns(approach);
  const data: CohortData = { approach, featureNames, rows: [], errors: [] };
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? '').map((h) => h.trim());
  const at = new Map<string, number>();
  header.forEach((h, i) => {
    if (!at.has(h)) at.set(h, i);
  });
  const wanted = [...featureNames, ...COHORT_ID_COLUMNS];
  const missing = wanted.filter((c) => !at.has(c));
  if (missing.length) {
    const shown = missing.slice(0, 12).map((c) => `"${c}"`).join(', ');
    data.errors.push({
      input,
      record: 'header',
      field: missing.join(', '),
      reason: `not a ${approach}-approach cohort file: ${missing.length} expected column(s) missing: ${shown}${missing.length > 12 ? ', …' : ''}`,
    });
    return data;
  }
  const cols = wanted.map((c) => at.get(c)!);
  for (let li = 1; li < lines.length; li++) {
    const line = lines[li]!;
    if (line.trim() === '') continue;
    const cells = splitCsvLine(line);
    const record = `line ${li + 1}`;
    if (cells.length !== header.length) {
      data.errors.push({ input, record, reason: `${cells.length} cells, the header has ${header.length}` });
      continue;
    }
    const values: number[] = [];
    let bad = false;
    for (let k = 0; k < cols.length; k++) {
      const cell = cells[cols[k]!]!.trim();
      const v = cell === '' ? NaN : Number(cell);
      if (!Number.isFinite(v)) {
        data.errors.push({ input, record, field: wanted[k]!, reason: `"${cell}" is not a number` });
        bad = true;
        break;
      }
      values.push(v);
    }
    if (bad) continue;
    const [athleteId, injury, date] = values.slice(featureNames.length) as [number, number, number];
    if (injury !== 0 && injury !== 1) {
      data.errors.push({ input, record, field: 'injury', reason: `${injury} is not 0 or 1` });
      continue;
    }
    data.rows.push({ athleteId, injury, date, features: values.slice(0, featureNames.length) });
  }
  return data;
}

/**
 * Z-score every row's features against its own athlete's non-injury rows
 * (mean and population SD; all rows when an athlete has no non-injury row;
 * SD 0 is taken as 1, centring only).
 */
export function zScoreByAthlete(rows: CohortRow[]): number[][] {
  const groups = new Map<number, number[]>();
  rows.forEach((r, i) => groups.set(r.athleteId, [...(groups.get(r.athleteId) ?? []), i]));
  const out: number[][] = new Array(rows.length);
  for (const idx of groups.values()) {
    const healthy = idx.filter((i) => rows[i]!.injury === 0);
    const ref = healthy.length ? healthy : idx;
    const width = rows[idx[0]!]!.features.length;
    const mean = new Array<number>(width).fill(0);
    const sd = new Array<number>(width).fill(0);
    for (const i of ref) rows[i]!.features.forEach((v, j) => (mean[j]! += v / ref.length));
    for (const i of ref) rows[i]!.features.forEach((v, j) => (sd[j]! += (v - mean[j]!) ** 2 / ref.length));
    const scale = sd.map((v) => (Math.sqrt(v) > 1e-12 ? Math.sqrt(v) : 1));
    for (const i of idx) out[i] = rows[i]!.features.map((v, j) => (v - mean[j]!) / scale[j]!);
  }
  return out;
}

/**
 * The paper's learner settings (Lövdal et al.'s code: XGBoost with learning
 * rate 0.01, each bag's depth drawn from {2, 3} and its number of trees from
 * {256, 512}).
 */
export const PAPER_BOOSTING = { learningRate: 0.01, depths: [2, 3], trees: [256, 512] } as const;

/** Options of `evaluateCohort`; the defaults are the paper's protocol. */
export interface CohortOptions extends LearnerOptions {
  /** Repeated experiments, each with its own seed (5). */
  repeats?: number;
  seed?: number;
  /** Athletes with the highest ids held out whole as the test set (10). */
  testAthletes?: number;
  /** Bagged models averaged (9). */
  bags?: number;
  /** Rows drawn per class for each bag, spread evenly over the athletes, with replacement (2,048). */
  samplesPerClass?: number;
  /** Share of the training athletes held out for Platt calibration and the threshold (0.2). */
  calibrationShare?: number;
}

/** One repeated experiment. */
export interface CohortRepeat {
  seed: number;
  rocAuc: number;
  prAuc: number;
  /**
   * Calibrated probability where recall ≈ specificity on the calibration
   * athletes' rows (never on the test rows), and recall and specificity at
   * that threshold on the test rows.
   */
  threshold: number;
  recall: number;
  specificity: number;
  calibration: Platt;
  calibrationAthletes: number[];
}

/** The protocol's outcome. */
export interface CohortResult {
  repeats: CohortRepeat[];
  meanRocAuc: number;
  meanPrAuc: number;
  trainAthletes: number[];
  testAthletes: number[];
  testRows: number;
  testPositives: number;
  /** Every test row's calibrated probability, averaged over the repeats (test rows in file order). */
  testScores: number[];
}

/**
 * `perClass` row indices spread evenly over `groups` (one group per athlete):
 * each athlete gives ⌊perClass / athletes⌋ rows, the remainder one more from
 * athletes picked at random, each drawn with replacement within the athlete,
 * as the paper's balanced subsets are.
 */
export function drawEvenly(groups: readonly (readonly number[])[], perClass: number, random: () => number): number[] {
  const base = Math.floor(perClass / groups.length);
  const extra = new Set<number>();
  const order = groups.map((_, i) => i);
  for (let i = 0; i < perClass - base * groups.length; i++) {
    const k = i + Math.floor(random() * (order.length - i));
    [order[i], order[k]] = [order[k]!, order[i]!];
    extra.add(order[i]!);
  }
  const out: number[] = [];
  groups.forEach((rows, g) => {
    for (let k = 0; k < base + (extra.has(g) ? 1 : 0); k++) out.push(rows[Math.floor(random() * rows.length)]!);
  });
  return out;
}

/** The learner of one bag: the given options, or the paper's XGBoost settings with depth and trees drawn per bag. */
function bagLearner(options: LearnerOptions, random: () => number): LearnerOptions {
  if (options.learner === 'forest' || options.boosting) return options;
  const boosting: BoostingOptions = {
    learningRate: PAPER_BOOSTING.learningRate,
    maxDepth: PAPER_BOOSTING.depths[Math.floor(random() * PAPER_BOOSTING.depths.length)]!,
    nEstimators: PAPER_BOOSTING.trees[Math.floor(random() * PAPER_BOOSTING.trees.length)]!,
  };
  return { learner: 'boosting', boosting };
}

/** What `trainCohortBags` needs: z-scored rows, labels, and the athletes to draw from. */
export interface BagData {
  X: number[][];
  y: readonly number[];
  /** Row indices of each athlete's positives and negatives. */
  byAthlete: ReadonlyMap<number, { pos: number[]; neg: number[] }>;
}

/**
 * `bags` models, each on `samplesPerClass` positives and as many negatives
 * drawn evenly over the athletes in `athletes` that have both (`drawEvenly`).
 */
export function trainCohortBags(
  data: BagData,
  athletes: readonly number[],
  o: LearnerOptions & { bags: number; samplesPerClass: number; seed: number },
): Ensemble {
  const random = seededRandom(o.seed);
  const both = athletes.map((id) => data.byAthlete.get(id)!).filter((g) => g && g.pos.length > 0 && g.neg.length > 0);
  if (both.length === 0) throw new RangeError('cohort: no training athlete has both injury and injury-free rows');
  const models: Classifier[] = [];
  for (let b = 0; b < o.bags; b++) {
    const idx = [...drawEvenly(both.map((g) => g.pos), o.samplesPerClass, random), ...drawEvenly(both.map((g) => g.neg), o.samplesPerClass, random)];
    const learner = bagLearner(o, random);
    models.push(trainClassifier(idx.map((i) => data.X[i]!), idx.map((i) => data.y[i]!), learner, (o.seed + 7 * (b + 1)) | 0));
  }
  return new Ensemble(models);
}

/** Rows of each athlete, by class. */
function rowsByAthlete(rows: readonly CohortRow[]): Map<number, { pos: number[]; neg: number[] }> {
  const out = new Map<number, { pos: number[]; neg: number[] }>();
  rows.forEach((r, i) => {
    const g = out.get(r.athleteId) ?? { pos: [], neg: [] };
    (r.injury ? g.pos : g.neg).push(i);
    out.set(r.athleteId, g);
  });
  return out;
}

/**
 * The paper's protocol: the `testAthletes` highest athlete ids are the test
 * set; features are z-scored per athlete against that athlete's non-injury
 * rows (test athletes against their own, as the paper does); per repeat, a
 * random `calibrationShare` of the training athletes (at least one with an
 * injury) is set aside, `bags` models are each trained on a balanced draw from
 * the rest (`trainCohortBags`), their probabilities averaged and
 * Platt-calibrated on the set-aside athletes, where the operating threshold
 * (recall ≈ specificity) is chosen too; then the test athletes are scored.
 */
export function evaluateCohort(rows: CohortRow[], options: CohortOptions = {}): CohortResult {
  const { repeats = 5, seed = 1, testAthletes = 10, bags = 9, samplesPerClass = 2048, calibrationShare = 0.2 } = options;
  const athletes = [...new Set(rows.map((r) => r.athleteId))].sort((a, b) => a - b);
  if (athletes.length < testAthletes + 2) {
    throw new RangeError(`evaluateCohort: ${athletes.length} athletes; need more than ${testAthletes + 1} to hold out ${testAthletes} for testing`);
  }
  const testIds = athletes.slice(-testAthletes);
  const trainIds = athletes.slice(0, -testAthletes);
  const testSet = new Set(testIds);
  const X = zScoreByAthlete(rows);
  const y = rows.map((r) => r.injury as number);
  const test = rows.flatMap((r, i) => (testSet.has(r.athleteId) ? [i] : []));
  const yTest = test.map((i) => y[i]!);
  const XTest = test.map((i) => X[i]!);
  const byAthlete = rowsByAthlete(rows);
  const injured = trainIds.filter((id) => byAthlete.get(id)!.pos.length > 0);
  if (injured.length < 2) throw new RangeError(`evaluateCohort: ${injured.length} training athlete(s) with injuries; need at least 2 (one to fit, one to calibrate)`);
  const out: CohortRepeat[] = [];
  const testScores = new Array<number>(test.length).fill(0);
  for (let r = 0; r < repeats; r++) {
    const runSeed = (seed + 1009 * r) | 0;
    const random = seededRandom(runSeed);
    const shuffled = trainIds.slice();
    for (let i = shuffled.length - 1; i > 0; i--) {
      const k = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[k]] = [shuffled[k]!, shuffled[i]!];
    }
    const nCal = Math.min(shuffled.length - 1, Math.max(1, Math.round(calibrationShare * shuffled.length)));
    const calIds = shuffled.slice(0, nCal);
    // Calibration needs injuries, and so does fitting.
    if (!calIds.some((id) => byAthlete.get(id)!.pos.length)) calIds[0] = injured.find((id) => !calIds.includes(id))!;
    const fitIds = trainIds.filter((id) => !calIds.includes(id));
    if (!fitIds.some((id) => byAthlete.get(id)!.pos.length)) {
      const give = calIds.findIndex((id) => byAthlete.get(id)!.pos.length);
      fitIds.push(calIds.splice(give, 1)[0]!);
    }
    const ensemble = trainCohortBags({ X, y, byAthlete }, fitIds, { ...options, bags, samplesPerClass, seed: runSeed });
    const calSet = new Set(calIds);
    const cal = rows.flatMap((row, i) => (calSet.has(row.athleteId) ? [i] : []));
    const yCal = cal.map((i) => y[i]!);
    const calScores = ensemble.predictProba(cal.map((i) => X[i]!));
    const platt = fitPlatt(calScores, yCal);
    const { threshold } = thresholdAtBalance(yCal, calScores.map((s) => applyPlatt(platt, s)));
    const scores = ensemble.predictProba(XTest);
    const calibrated = scores.map((s) => applyPlatt(platt, s));
    calibrated.forEach((p, i) => (testScores[i]! += p / repeats));
    const pos = yTest.filter((v) => v === 1).length;
    const tp = calibrated.filter((p, i) => p >= threshold && yTest[i] === 1).length;
    const tn = calibrated.filter((p, i) => p < threshold && yTest[i] === 0).length;
    // Ranked on the raw scores: equal to the calibrated ones' ranking unless a poor fit turned the slope round.
    out.push({
      seed: runSeed,
      rocAuc: rocAuc(yTest, scores),
      prAuc: prAuc(yTest, scores),
      threshold,
      recall: pos ? tp / pos : NaN,
      specificity: yTest.length - pos ? tn / (yTest.length - pos) : NaN,
      calibration: platt,
      calibrationAthletes: calIds.slice().sort((a, b) => a - b),
    });
  }
  const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
  return {
    repeats: out,
    meanRocAuc: mean(out.map((o) => o.rocAuc)),
    meanPrAuc: mean(out.map((o) => o.prAuc)),
    trainAthletes: trainIds,
    testAthletes: testIds,
    testRows: test.length,
    testPositives: yTest.filter((v) => v === 1).length,
    testScores,
  };
}
