/** Injury-risk prediction: features, tree learners, ensembles, evaluation, the runners' cohort and the predictor. */
export * from './features.ts';
export * from './boosting.ts';
export * from './forest.ts';
export * from './ensemble.ts';
export * from './calibration.ts';
export * from './evaluate.ts';
export * from './cohort.ts';
export * from './predictor.ts';
export * from '../core/random.ts';
