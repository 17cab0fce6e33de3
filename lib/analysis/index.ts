/** Training-load, recovery and variety analysis: the public surface of `lib/analysis`. */
export * from './load.ts';
export * from './daily.ts';
export * from './recovery.ts';
export * from './variety.ts';
