/** Injury-risk prediction: features, forests, evaluation, the runners' cohort and the predictor. */
export * from './features.ts';
export * from './forest.ts';
export * from './evaluate.ts';
export * from './cohort.ts';
export * from './predictor.ts';
