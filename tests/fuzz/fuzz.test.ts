/**
 * The short fuzz run of the test suite (`make fuzz` runs 100,000 inputs):
 * mutated fixtures, account exports and archives imported for real, with no
 * crash, no input over 10 s, bounded memory, every input accounted for, and
 * nothing stored outside the plausibility gate. A new seed each day
 * (FUZZ_SEED pins one) widens what CI covers over time.
 */
import { describe, expect, it } from 'vitest';
import { runFuzz } from './supervise.ts';

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Date.now() / 86_400_000));

describe('fuzzing the importer', () => {
  it(`imports 150 hostile inputs (seed ${SEED}) without a crash, a hang, a memory spike or a value outside the gate`, async () => {
    const report = await runFuzz({ inputs: 150, seed: SEED, batch: 25, maxFailures: 3 });
    expect(report.failures, `reproduce with FUZZ_SEED=${SEED}`).toEqual([]);
    expect(report.inputs).toBe(150);
    expect(report.files).toBeGreaterThanOrEqual(150);
    // The mutations keep much of what they damage: a run stores records and records problems.
    expect(report.workouts + report.biometrics).toBeGreaterThan(0);
    expect(report.problems).toBeGreaterThan(0);
  }, 180_000);
});
