/**
 * A synthetic squad for the squad benchmark, generated deterministically in
 * batches of parse results (what the importers hand to storeResult): per
 * athlete and day, 0–2 sessions (1.37 a day on average: ~5,000 in ten years),
 * each recorded by the watch with a 1 Hz track and half of them uploaded to
 * Strava too (the same activity, linked by the watch's id: dedup merges
 * them); every night resting HR, HRV and sleep from a ring.
 */
import { emptyResult, type ParseResult, type SportCategory } from '../../lib/core/models.ts';
import { seededRandom as rng } from '../../lib/core/random.ts';

/** How big the squad is. */
export interface SquadSize {
  athletes: number;
  years: number;
  /** Samples of each session's track (1 Hz, so also its duration in seconds). */
  samplesPerWorkout: number;
}

const DAY_MS = 86_400_000;
/** The squad's last day. */
export const SQUAD_END = Date.UTC(2025, 11, 31);

const SPORTS: readonly { sport: string; category: SportCategory; speed: number; power: boolean }[] = [
  { sport: 'running', category: 'ENDURANCE', speed: 3.1, power: false },
  { sport: 'cycling', category: 'ENDURANCE', speed: 7.5, power: true },
  { sport: 'running', category: 'ENDURANCE', speed: 2.8, power: false },
  { sport: 'soccer', category: 'BALL_SPORT', speed: 1.9, power: false },
];

/** The athlete id of squad member `i` (0-based). */
export function squadAthleteId(i: number): string {
  return `ath-${String(i + 1).padStart(3, '0')}`;
}

/** Days of the squad's history. */
export function squadDays(size: SquadSize): number {
  return Math.round(size.years * 365.25);
}

/**
 * Athlete `i`'s records in batches of about `batchDays` days: workouts,
 * streams and biometrics, as one parse result per batch.
 */
export function* athleteBatches(i: number, size: SquadSize, batchDays = 365): Generator<ParseResult> {
  const r = rng(1000 + i);
  const days = squadDays(size);
  const first = SQUAD_END - (days - 1) * DAY_MS;
  const restHr = 44 + Math.floor(r() * 16);
  const hrv = 45 + r() * 50;
  const lat0 = 46 + r() * 2;
  const lon0 = 7 + r() * 3;
  let batch = emptyResult();
  for (let d = 0; d < days; d++) {
    const day = first + d * DAY_MS;
    const date = new Date(day).toISOString().slice(0, 10);
    batch.biometrics.push(
      { athlete_id: squadAthleteId(i), date, metric_type: 'resting_hr', value: restHr + Math.round(r() * 6), unit: 'bpm', source: 'oura', input: 'oura.json' },
      { athlete_id: squadAthleteId(i), date, metric_type: 'hrv_rmssd', value: Math.round((hrv + (r() - 0.5) * 20) * 10) / 10, unit: 'ms', source: 'oura', input: 'oura.json' },
      { athlete_id: squadAthleteId(i), date, metric_type: 'sleep_duration', value: 24_000 + Math.round(r() * 7200), unit: 's', source: 'oura', input: 'oura.json' },
    );
    const u = r();
    const sessions = u < 0.08 ? 0 : u < 0.55 ? 1 : 2;
    for (let s = 0; s < sessions; s++) {
      const kind = SPORTS[Math.floor(r() * SPORTS.length)]!;
      const n = size.samplesPerWorkout;
      // 06:30 or 17:30 local, UTC+1.
      const start = day + (s === 0 ? 5.5 : 16.5) * 3_600_000 + Math.floor(r() * 900) * 1000;
      const id = `${squadAthleteId(i)}-${date}-${s}`;
      const avgHr = 130 + Math.floor(r() * 30);
      const base = {
        athlete_id: squadAthleteId(i),
        start_time: new Date(start),
        end_time: new Date(start + n * 1000),
        duration_s: n,
        utc_offset_min: 60,
        sport: kind.sport,
        sport_category: kind.category,
        distance_m: Math.round(n * kind.speed),
        avg_hr: avgHr,
        max_hr: avgHr + 25,
        has_gps: true,
        has_power: kind.power,
        avg_power_w: kind.power ? 180 + Math.floor(r() * 60) : null,
      };
      batch.workouts.push({ ...base, source: 'garmin', external_id: `g-${id}`, name: kind.sport, external_ids: { garmin: `g-${id}` }, input: `garmin/${id}.fit` });
      if (r() < 0.5) {
        batch.workouts.push({ ...base, source: 'strava', external_id: `s-${id}`, name: `Afternoon ${kind.sport}`, external_ids: { strava: `s-${id}`, garmin: `g-${id}` }, input: 'strava/activities.csv' });
      }
      const time = new Float64Array(n);
      const lat = new Float64Array(n);
      const lon = new Float64Array(n);
      const alt = new Float64Array(n);
      const dist = new Float64Array(n);
      const speed = new Float64Array(n);
      const hr = new Float64Array(n);
      const cadence = new Float64Array(n);
      const power = kind.power ? new Float64Array(n) : undefined;
      // Smooth like a watch's channels: slow random walks, values at the device's resolution.
      let la = lat0 + (r() - 0.5) * 0.05;
      let lo = lon0 + (r() - 0.5) * 0.05;
      let h = Math.round((400 + r() * 200) * 10) / 10;
      let v = kind.speed;
      let beat = avgHr;
      const steps = kind.power ? 88 : 172;
      let x = 0;
      for (let k = 0; k < n; k++) {
        const u = r();
        if (u < 0.1) v = Math.min(kind.speed * 1.3, Math.max(kind.speed * 0.7, v + (u < 0.05 ? -0.05 : 0.05)));
        else if (u < 0.2) beat = Math.min(avgHr + 15, Math.max(avgHr - 15, beat + (u < 0.15 ? -1 : 1)));
        else if (u < 0.25) h = Math.round((h + (u < 0.225 ? -0.2 : 0.2)) * 10) / 10;
        time[k] = start + k * 1000;
        la += v * 6e-6;
        lo += v * 4e-6;
        x += v;
        lat[k] = Math.round(la * 1e7) / 1e7;
        lon[k] = Math.round(lo * 1e7) / 1e7;
        alt[k] = h;
        dist[k] = Math.round(x * 10) / 10;
        speed[k] = Math.round(v * 100) / 100;
        hr[k] = beat;
        cadence[k] = steps + (k % 7 === 0 ? 1 : 0);
        if (power) power[k] = Math.round((base.avg_power_w ?? 200) * (v / kind.speed));
      }
      batch.streams.push({ source: 'garmin', external_id: `g-${id}`, time, channels: { lat, lon, altitude_m: alt, distance_m: dist, speed_mps: speed, hr, cadence, ...(power ? { power_w: power } : {}) } });
    }
    if ((d + 1) % batchDays === 0 || d === days - 1) {
      yield batch;
      batch = emptyResult();
    }
  }
}
