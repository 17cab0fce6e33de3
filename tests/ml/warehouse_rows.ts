/** Warehouse rows for the injury-model tests: daily_metrics, workouts with their source records, injuries. */
import type { Warehouse } from '../../lib/core/warehouse.ts';
import type { DailyRow, InjuryRecord } from '../../lib/ml/features.ts';

/** A daily_metrics row (table column order) from a DailyRow; the load columns the features recompute are left empty. */
export function metricsRow(d: DailyRow, sources: string | null = d.sources.join(',') || null): unknown[] {
  return [
    d.athlete_id, d.date, d.load, d.sessions, d.load ?? 0, d.high_intensity_min ?? 0, null, null, null, null, null,
    null, null, null, null, null, null, d.sleep_h === null ? null : d.sleep_h * 3600, d.sleep_efficiency, null,
    d.hrv_ln_rmssd_7d, d.hrv_baseline, null, null, null, d.resting_hr, d.rhr_baseline, null, null, d.diversity_28d, sources, null,
  ];
}

export interface Rec {
  id: string;
  athlete: string;
  start: string;
  offsetMin?: number;
  source: string;
  via?: string;
  sport?: string;
  category?: string;
  durationS?: number;
  distanceM?: number | null;
  avgHr?: number | null;
  rpe?: number | null;
}

/** Rows for source_workouts, workouts and workout_sources: each workout made of the given records (the first is the base). */
export function workoutRows(workouts: { id: string; records: Rec[] }[]): { sw: unknown[][]; w: unknown[][]; ws: unknown[][] } {
  const sw: unknown[][] = [];
  const w: unknown[][] = [];
  const ws: unknown[][] = [];
  const now = new Date(Date.UTC(2024, 0, 1));
  for (const wo of workouts) {
    for (const [k, r] of wo.records.entries()) {
      const start = new Date(r.start);
      const dur = r.durationS ?? 3600;
      const end = new Date(start.getTime() + dur * 1000);
      const raw = r.via ? { id: r.id, via: r.via } : { id: r.id };
      sw.push([
        r.id, r.athlete, r.source, r.id, null, start, end, dur, null, r.offsetMin ?? 0, r.sport ?? 'running', null, r.category ?? 'ENDURANCE',
        r.distanceM ?? null, null, r.avgHr ?? null, null, null, null, null, null, null, r.rpe ?? null, {}, raw, false, false, 0.5, null, null, now,
      ]);
      ws.push([wo.id, r.id, r.source, r.id, k === 0 ? null : 1, null]);
      if (k === 0) {
        w.push([
          wo.id, r.athlete, null, start, end, dur, r.offsetMin ?? 0, r.sport ?? 'running', r.category ?? 'ENDURANCE', r.distanceM ?? null, null,
          r.avgHr ?? null, null, null, null, null, null, null, r.rpe ?? null, r.source, {}, raw, false, false, 0.5, null, wo.records.length,
        ]);
      }
    }
  }
  return { sw, w, ws };
}

export async function loadWorkouts(wh: Warehouse, workouts: { id: string; records: Rec[] }[]): Promise<void> {
  const { sw, w, ws } = workoutRows(workouts);
  await wh.appendRows('source_workouts', sw);
  await wh.appendRows('workouts', w);
  await wh.appendRows('workout_sources', ws);
}

export async function loadInjuryRows(wh: Warehouse, injuries: InjuryRecord[]): Promise<void> {
  await wh.appendRows('injuries', injuries.map((i) => [i.athlete_id, i.date, i.area ?? 'calf', i.severity ?? null, null, 'test', i.end_date ?? null]));
}
