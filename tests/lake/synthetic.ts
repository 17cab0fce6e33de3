/**
 * A small synthetic squad stored through the real import path (storeResult):
 * per athlete, a run every third day recorded by a watch (with a 1 Hz track)
 * and again on Strava (the same activity: dedup joins them), daily resting HR,
 * HRV and sleep from a ring. Deterministic.
 */
import { emptyResult, type ParseResult } from '../../lib/core/models.ts';
import type { Warehouse } from '../../lib/core/warehouse.ts';
import { storeResult } from '../../lib/ingest/store.ts';

const DAY_MS = 86_400_000;

/** One athlete's records from `first` (YYYY-MM-DD) for `days` days; `shift` makes athletes differ. */
export function athleteRecords(athleteId: string, first: string, days: number, shift: number, samples = 240): ParseResult {
  const r = emptyResult();
  const t0 = Date.parse(`${first}T00:00:00Z`);
  for (let d = 0; d < days; d++) {
    const date = new Date(t0 + d * DAY_MS).toISOString().slice(0, 10);
    r.biometrics.push(
      { athlete_id: athleteId, date, metric_type: 'resting_hr', value: 48 + shift + (d % 5), unit: 'bpm', source: 'oura', input: 'oura.json' },
      { athlete_id: athleteId, date, metric_type: 'hrv_rmssd', value: 60 + ((d * 7 + shift) % 23), unit: 'ms', source: 'oura', input: 'oura.json' },
      { athlete_id: athleteId, date, metric_type: 'sleep_duration', value: 25_000 + ((d * 13) % 7) * 600, unit: 's', source: 'oura', input: 'oura.json' },
    );
    if (d % 3 !== shift % 3) continue;
    // 06:30 local at UTC+1 (winter) or +2 (summer), as Zurich.
    const month = Number(date.slice(5, 7));
    const offset = month >= 4 && month <= 10 ? 120 : 60;
    const start = t0 + d * DAY_MS + 6.5 * 3_600_000 - offset * 60_000;
    const duration = 1800 + ((d * 37 + shift * 11) % 40) * 60;
    const distance = duration * (2.6 + shift * 0.1);
    const id = `${athleteId}-${date}`;
    const base = {
      athlete_id: athleteId,
      start_time: new Date(start),
      end_time: new Date(start + duration * 1000),
      duration_s: duration,
      utc_offset_min: offset,
      sport: 'running',
      sport_category: 'ENDURANCE' as const,
      distance_m: distance,
      avg_hr: 140 + ((d + shift) % 15),
      max_hr: 170 + ((d + shift) % 10),
      has_gps: true,
    };
    r.workouts.push(
      { ...base, source: 'garmin', external_id: `g-${id}`, name: 'Morning run', external_ids: { garmin: `g-${id}` }, input: `garmin/${id}.fit` },
      { ...base, source: 'strava', external_id: `s-${id}`, name: 'Run', external_ids: { strava: `s-${id}`, garmin: `g-${id}` }, input: 'strava/activities.csv' },
    );
    const n = samples;
    const time = new Float64Array(n);
    const hr = new Float64Array(n);
    const lat = new Float64Array(n);
    const lon = new Float64Array(n);
    const dist = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      time[i] = start + i * 1000;
      hr[i] = 120 + ((i + d + shift) % 40);
      lat[i] = 47.37 + i * 1e-5;
      lon[i] = 8.54 + shift * 0.01;
      dist[i] = i * 2.7;
    }
    r.streams.push({ source: 'garmin', external_id: `g-${id}`, time, channels: { lat, lon, hr, distance_m: dist } });
  }
  return r;
}

/** Store `records` as athlete `athleteId`'s, failing on any invalid record. */
export async function store(wh: Warehouse, athleteId: string, records: ParseResult): Promise<void> {
  const s = await storeResult(wh, records, { athleteId, now: new Date(Date.UTC(2025, 6, 1)) });
  if (s.invalid > 0) throw new Error(`${s.invalid} synthetic records failed validation`);
}
