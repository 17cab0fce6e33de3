/**
 * Work left for the steps after a load (warehouse/090_incremental.sql). A
 * load marks what it changed in the same transaction as its rows; each later
 * step reads its marks and clears them in the transaction that does its work.
 * Every statement takes a SELECT of keys, so marks are made in set form.
 */
import type { Warehouse } from './warehouse.ts';

/** Mark source workouts for deduplication: `select` yields `record_id`. */
export async function markRecords(wh: Warehouse, select: string, params: readonly unknown[] = []): Promise<void> {
  await wh.run(`INSERT INTO pending_records SELECT DISTINCT record_id FROM (${select}) ON CONFLICT DO NOTHING`, params);
}

/** Mark local days for biometric reconciliation: `select` yields `athlete_id, date`. */
export async function markBiometricDays(wh: Warehouse, select: string, params: readonly unknown[] = []): Promise<void> {
  await wh.run(`INSERT INTO pending_biometric_days SELECT DISTINCT athlete_id, date FROM (${select}) ON CONFLICT DO NOTHING`, params);
}

/** Mark analysis out of date from each athlete's earliest day: `select` yields `athlete_id, date`. */
export async function markAnalysisFrom(wh: Warehouse, select: string, params: readonly unknown[] = []): Promise<void> {
  await wh.run(
    `INSERT INTO pending_analysis SELECT athlete_id, min(date) FROM (${select}) WHERE date IS NOT NULL GROUP BY athlete_id
     ON CONFLICT (athlete_id) DO UPDATE SET from_date = least(pending_analysis.from_date, excluded.from_date)`,
    params,
  );
}

/** Mark workouts for the plugins: `select` yields `workout_id`. */
export async function markPlugins(wh: Warehouse, select: string, params: readonly unknown[] = []): Promise<void> {
  await wh.run(`INSERT INTO pending_plugins SELECT DISTINCT workout_id FROM (${select}) WHERE workout_id IS NOT NULL ON CONFLICT DO NOTHING`, params);
}
