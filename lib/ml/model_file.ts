/**
 * Saved injury models: JSON files in a model folder, `<athlete>.model.json`
 * (the athlete id URI-encoded) and `cohort.model.json`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CohortApproach, CohortRepeat } from './cohort.ts';
import type { InjuryModelJSON, TimeAwareReport } from './predictor.ts';

/** A model file as saved by `trainAthleteModel` or `evaluateCohortFile`. */
export interface SavedModel {
  format: 'athlete-injury-model/1';
  kind: 'athlete' | 'cohort';
  /** The athlete the model was trained on; null for the cohort. */
  athleteId: string | null;
  trainedAt: string;
  /** An injury beginning within this many days after the scored day is what the risk is of. */
  horizonDays: number;
  featureNames: string[];
  /** Lineage tags of the training data. */
  sources: string[];
  counts: Record<string, number>;
  /** Athlete: the time-aware report (NaN saved as null); cohort: the protocol's result; null when it could not run. */
  evaluation: TimeAwareReport | CohortEvaluation | null;
  /** Cohort models: how an athlete's data is mapped to the cohort's features. */
  featureMapping?: string;
  predictor: InjuryModelJSON;
}

/** The athlete model's path: `<modelDir>/<athlete id, URI-encoded>.model.json`. */
export function athleteModelPath(modelDir: string, athleteId: string): string {
  return join(modelDir, `${encodeURIComponent(athleteId)}.model.json`);
}

/** The cohort model's path: `<modelDir>/cohort.model.json`. */
export function cohortModelPath(modelDir: string): string {
  return join(modelDir, 'cohort.model.json');
}
/** Write a model file, creating its folder. */
export function saveModel(path: string, dir: string, model: SavedModel): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path, JSON.stringify(model));
}

/** Read a saved model file; throws naming the file when it is not one. */
export function readModelFile(path: string): SavedModel {
  let json: SavedModel;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as SavedModel;
  } catch (e) {
    throw new Error(`${path}: cannot read the model file: ${(e as Error).message}`);
  }
  if (json?.format !== 'athlete-injury-model/1' || !json.predictor) {
    throw new Error(`${path}: not a saved injury model (format must be "athlete-injury-model/1")`);
  }
  return json;
}

/** The protocol's result as saved with a cohort model. */
export interface CohortEvaluation {
  approach: CohortApproach;
  /** The tree learner of the bags, how many, and the rows per class each drew. */
  learner: string;
  bags: number;
  samplesPerClass: number;
  repeats: Omit<CohortRepeat, 'calibration' | 'calibrationAthletes'>[];
  meanRocAuc: number;
  meanPrAuc: number;
  testAthletes: number[];
  testRows: number;
  testPositives: number;
}
