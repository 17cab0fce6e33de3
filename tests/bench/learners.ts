/**
 * Learner benchmark: the runners' cohort protocol (Lövdal et al. 2021) on a
 * generated cohort of the published shape with a planted signal, for
 * ml-random-forest and the project's histogram gradient boosting side by
 * side: seconds per bag of 2,048 rows per class, the protocol's time, and the
 * test athletes' ROC AUC against the planted ceiling (the AUC of the
 * probability each label was drawn from).
 *
 * Quick: gradient boosting runs one repeat of the protocol (9 bags); the
 * forest one bag of 3 trees, its protocol time (5 repeats × 9 bags × 10
 * trees) extrapolated. BENCH_FULL=1: five repeats, a forest bag of 10 trees,
 * and `athlete ml evaluate --cohort` end to end on the generated CSV.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drawEvenly, evaluateCohort, zScoreByAthlete } from '../../lib/ml/cohort.ts';
import { rocAuc } from '../../lib/ml/evaluate.ts';
import { RandomForest } from '../../lib/ml/forest.ts';
import { GradientBoosting } from '../../lib/ml/boosting.ts';
import { seededRandom } from '../../lib/core/random.ts';
import { cohortCsvText, plantedCohort } from '../ml/synthetic.ts';
import { FULL, report } from './measure.ts';

/** CPU seconds (user + system) and wall seconds of `fn`. */
function measured<T>(fn: () => T): { value: T; cpu: number; wall: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  const c = process.cpuUsage(c0);
  return { value, cpu: (c.user + c.system) / 1e6, wall: (performance.now() - t0) / 1000 };
}

/** Print the learner table. */
export async function benchLearners(): Promise<void> {
  console.log('\nlearners: runners\' cohort protocol on a generated cohort of the published shape (74 athletes, 42,766 rows, 70 features)');
  const cohort = plantedCohort();
  const { rows, truth } = cohort;
  const positives = rows.filter((r) => r.injury === 1).length;
  const testIds = new Set([...new Set(rows.map((r) => r.athleteId))].sort((a, b) => a - b).slice(-10));
  const test = rows.flatMap((r, i) => (testIds.has(r.athleteId) ? [i] : []));
  const yTest = test.map((i) => rows[i]!.injury as number);
  const ceiling = rocAuc(yTest, test.map((i) => truth[i]!));
  report('cohort', { rows: rows.length, injuries: positives, 'test rows': test.length, 'planted ceiling ROC AUC': ceiling.toFixed(3) });

  // One bag at the paper's size, the same rows for both learners.
  const X = zScoreByAthlete(rows);
  const pos: number[][] = [];
  const neg: number[][] = [];
  for (const id of [...new Set(rows.map((r) => r.athleteId))]) {
    if (testIds.has(id)) continue;
    const p = rows.flatMap((r, i) => (r.athleteId === id && r.injury ? [i] : []));
    if (p.length === 0) continue;
    pos.push(p);
    neg.push(rows.flatMap((r, i) => (r.athleteId === id && !r.injury ? [i] : [])));
  }
  const random = seededRandom(5);
  const idx = [...drawEvenly(pos, 2048, random), ...drawEvenly(neg, 2048, random)];
  const Xb = idx.map((i) => X[i]!);
  const yb = idx.map((i) => rows[i]!.injury as number);
  const XTest = test.map((i) => X[i]!);

  const trees = FULL ? 10 : 3;
  const rf = measured(() => RandomForest.train(Xb, yb, { nEstimators: trees, maxFeatures: 0.3, maxDepth: 6, minNumSamples: 10, seed: 1 }));
  const rfPerTree = rf.cpu / trees;
  report(`ml-random-forest, one bag of ${trees} trees`, {
    'CPU s/tree': rfPerTree.toFixed(1),
    'one-bag ROC AUC': rocAuc(yTest, rf.value.predictProba(XTest)).toFixed(3),
    'protocol (45 bags × 10 trees), extrapolated': `${Math.round(rfPerTree * 450)} CPU s`,
  });

  const gb = measured(() => GradientBoosting.train(Xb, yb, { learningRate: 0.01, maxDepth: 3, nEstimators: 512, seed: 1 }));
  report('gradient boosting, one bag of 512 trees (depth 3)', {
    'CPU s/bag': gb.cpu.toFixed(1),
    'one-bag ROC AUC': rocAuc(yTest, gb.value.predictProba(XTest)).toFixed(3),
  });

  const repeats = FULL ? 5 : 1;
  const protocol = measured(() => evaluateCohort(rows, { repeats }));
  report(`gradient boosting, the protocol (${repeats} × 9 bags × 2,048/class)`, {
    'wall s': protocol.wall.toFixed(0),
    'CPU s': protocol.cpu.toFixed(0),
    'mean ROC AUC': protocol.value.meanRocAuc.toFixed(3),
    ceiling: ceiling.toFixed(3),
    'mean PR AUC': protocol.value.meanPrAuc.toFixed(3),
    'chance PR AUC': (yTest.filter((v) => v === 1).length / yTest.length).toFixed(3),
  });

  if (FULL) {
    const dir = mkdtempSync(join(tmpdir(), 'app-bench-cohort-'));
    try {
      const csv = join(dir, 'day_approach_maskedID_timeseries.csv');
      writeFileSync(csv, cohortCsvText(rows));
      const t0 = performance.now();
      const out = execFileSync(process.execPath, ['lib/bin/athlete.mjs', 'ml', 'evaluate', '--cohort', csv], {
        encoding: 'utf8',
        env: { ...process.env, DATABASE_URL: join(dir, 'bench.duckdb'), LOG_LEVEL: 'silent' },
      });
      const auc = /mean ROC AUC ([\d.]+)/.exec(out)?.[1] ?? '?';
      report('athlete ml evaluate --cohort (defaults), end to end', { 'wall s': ((performance.now() - t0) / 1000).toFixed(0), 'mean ROC AUC': auc });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
