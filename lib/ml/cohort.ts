/**
 * External validation on the public runners' cohort (Lövdal, den Hartigh &
 * Azzopardi 2021, IJSPP 16(10):1522; data doi:10.34894/UWU9PV): reading the
 * published day- and week-approach CSVs as they are, and their evaluation
 * protocol with random forests in place of XGBoost.
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
import { prAuc, rocAuc, thresholdAtBalance } from './evaluate.ts';
import { ForestEnsemble, RandomForest, seededRandom } from './forest.ts';
import type { ForestOptions } from './forest.ts';

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

/** A fitted Platt sigmoid: p = 1 / (1 + e^−(a·score + b)). */
export interface Platt {
  a: number;
  b: number;
}

const softplus = (z: number): number => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/**
 * Platt scaling (Platt 1999, "Probabilistic outputs for support vector
 * machines"): a logistic fit of labels on scores, with his smoothed targets
 * (N₊+1)/(N₊+2) and 1/(N₋+2), by Newton's method with step halving.
 */
export function fitPlatt(scores: number[], labels: number[]): Platt {
  const nPos = labels.filter((v) => v === 1).length;
  const nNeg = labels.length - nPos;
  const tPos = (nPos + 1) / (nPos + 2);
  const tNeg = 1 / (nNeg + 2);
  const t = labels.map((v) => (v === 1 ? tPos : tNeg));
  const loss = (a: number, b: number): number =>
    scores.reduce((s, x, i) => {
      const z = a * x + b;
      return s + t[i]! * softplus(-z) + (1 - t[i]!) * softplus(z);
    }, 0);
  let a = 0;
  let b = Math.log((nPos + 1) / (nNeg + 1));
  let f = loss(a, b);
  for (let iter = 0; iter < 100; iter++) {
    let ga = 0;
    let gb = 0;
    let haa = 1e-12;
    let hab = 0;
    let hbb = 1e-12;
    scores.forEach((x, i) => {
      const p = sigmoid(a * x + b);
      const d = p - t[i]!;
      const w = p * (1 - p);
      ga += d * x;
      gb += d;
      haa += w * x * x;
      hab += w * x;
      hbb += w;
    });
    const det = haa * hbb - hab * hab;
    if (!(Math.abs(det) > 1e-300)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    let step = 1;
    let improved = false;
    while (step > 1e-10) {
      const fa = loss(a - step * da, b - step * db);
      if (fa < f) {
        a -= step * da;
        b -= step * db;
        improved = Math.abs(f - fa) > 1e-12 * Math.max(1, Math.abs(f));
        f = fa;
        break;
      }
      step /= 2;
    }
    if (!improved) break;
  }
  return { a, b };
}

/** Apply a Platt fit to a score. */
export function applyPlatt(platt: Platt, score: number): number {
  return sigmoid(platt.a * score + platt.b);
}

/** Options of `evaluateCohort`; defaults follow the paper except the forest size. */
export interface CohortOptions {
  /** Repeated experiments, each with its own seed (5). */
  repeats?: number;
  seed?: number;
  /** Athletes with the highest ids held out whole as the test set (10). */
  testAthletes?: number;
  /** Bagged models averaged (9). */
  bags?: number;
  /** Rows drawn per class for each bag, athletes chosen evenly, with replacement (2,048). */
  samplesPerClass?: number;
  /** Share of the training athletes held out for Platt calibration (0.2). */
  calibrationShare?: number;
  /**
   * Forest per bag. Default 20 trees, 30 % of features, depth 6, leaves of 10 or
   * fewer samples. ml-random-forest's split search is quadratic in the rows of
   * a node, so 2 × 2,048 rows × 9 bags × 5 repeats takes many minutes:
   * lower `samplesPerClass` for a quick look.
   */
  forest?: ForestOptions;
}

/** One repeated experiment. */
export interface CohortRepeat {
  seed: number;
  rocAuc: number;
  prAuc: number;
  /** Calibrated probability where recall ≈ specificity on the test rows, and both at it. */
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
}

/** `count` draws, athletes chosen uniformly, then a row uniformly within the athlete. */
function drawEvenly(byAthlete: number[][], count: number, random: () => number): number[] {
  const out: number[] = [];
  for (let k = 0; k < count; k++) {
    const rows = byAthlete[Math.floor(random() * byAthlete.length)]!;
    out.push(rows[Math.floor(random() * rows.length)]!);
  }
  return out;
}

/**
 * The paper's protocol: the `testAthletes` highest athlete ids are the test
 * set; features are z-scored per athlete against that athlete's non-injury
 * rows (test athletes against their own, as the paper does); per repeat, a
 * random `calibrationShare` of the training athletes (at least one with an
 * injury) is set aside, `bags` forests are each trained on a balanced
 * resample of the rest, their probabilities averaged and Platt-calibrated on
 * the set-aside athletes, then scored on the test athletes.
 */
export function evaluateCohort(rows: CohortRow[], options: CohortOptions = {}): CohortResult {
  const {
    repeats = 5,
    seed = 1,
    testAthletes = 10,
    bags = 9,
    samplesPerClass = 2048,
    calibrationShare = 0.2,
    forest = {},
  } = options;
  const forestOptions: ForestOptions = { nEstimators: 20, maxFeatures: 0.3, maxDepth: 6, minNumSamples: 10, ...forest };
  const athletes = [...new Set(rows.map((r) => r.athleteId))].sort((a, b) => a - b);
  if (athletes.length < testAthletes + 2) {
    throw new RangeError(`evaluateCohort: ${athletes.length} athletes; need more than ${testAthletes + 1} to hold out ${testAthletes} for testing`);
  }
  const testIds = athletes.slice(-testAthletes);
  const trainIds = athletes.slice(0, -testAthletes);
  const testSet = new Set(testIds);
  const X = zScoreByAthlete(rows);
  const test = rows.flatMap((r, i) => (testSet.has(r.athleteId) ? [i] : []));
  const yTest = test.map((i) => rows[i]!.injury);
  const XTest = test.map((i) => X[i]!);
  const rowsOf = new Map<number, { neg: number[]; pos: number[] }>();
  rows.forEach((r, i) => {
    if (testSet.has(r.athleteId)) return;
    const g = rowsOf.get(r.athleteId) ?? { neg: [], pos: [] };
    (r.injury ? g.pos : g.neg).push(i);
    rowsOf.set(r.athleteId, g);
  });
  const injured = trainIds.filter((id) => rowsOf.get(id)!.pos.length > 0);
  if (injured.length < 2) throw new RangeError(`evaluateCohort: ${injured.length} training athlete(s) with injuries; need at least 2 (one to fit, one to calibrate)`);
  const out: CohortRepeat[] = [];
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
    if (!calIds.some((id) => rowsOf.get(id)!.pos.length)) calIds[0] = injured.find((id) => !calIds.includes(id))!;
    const fitIds = trainIds.filter((id) => !calIds.includes(id));
    if (!fitIds.some((id) => rowsOf.get(id)!.pos.length)) {
      const give = calIds.findIndex((id) => rowsOf.get(id)!.pos.length);
      fitIds.push(calIds.splice(give, 1)[0]!);
    }
    const posGroups = fitIds.map((id) => rowsOf.get(id)!.pos).filter((g) => g.length);
    const negGroups = fitIds.map((id) => rowsOf.get(id)!.neg).filter((g) => g.length);
    const forests: RandomForest[] = [];
    for (let b = 0; b < bags; b++) {
      const idx = [...drawEvenly(posGroups, samplesPerClass, random), ...drawEvenly(negGroups, samplesPerClass, random)];
      const y = idx.map((i) => rows[i]!.injury as number);
      forests.push(RandomForest.train(idx.map((i) => X[i]!), y, { ...forestOptions, seed: (runSeed + 7 * (b + 1)) | 0 }));
    }
    const ensemble = new ForestEnsemble(forests);
    const cal = rows.flatMap((row, i) => (calIds.includes(row.athleteId) ? [i] : []));
    const platt = fitPlatt(ensemble.predictProba(cal.map((i) => X[i]!)), cal.map((i) => rows[i]!.injury));
    const scores = ensemble.predictProba(XTest);
    const balanced = thresholdAtBalance(yTest, scores.map((s) => applyPlatt(platt, s)));
    // Ranked on the raw scores: equal to the calibrated ones' ranking unless a poor fit turned the slope round.
    out.push({
      seed: runSeed,
      rocAuc: rocAuc(yTest, scores),
      prAuc: prAuc(yTest, scores),
      ...balanced,
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
  };
}
