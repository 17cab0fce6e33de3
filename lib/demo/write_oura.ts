/** An Oura export (oura.json): API v2 collections keyed by name. */
import type { DayRecord, PlannedWorkout, WorkoutKind } from './athlete.ts';
import { DAY_MS, dayWallMs, localIso } from './clock.ts';
import { Rng } from './random.ts';
import { uuidFrom } from './source_ids.ts';
import type { TrackSummary } from './track.ts';

const OURA_ACTIVITY: Record<WorkoutKind, string> = {
  easy_run: 'running', long_run: 'running', interval_run: 'running', race_run: 'running', treadmill_run: 'running',
  road_ride: 'cycling', indoor_ride: 'cycling', strength: 'strength_training', swim: 'swimming', football: 'walking',
};

/** One workout as the ring saw it. */
export interface OuraInput {
  workout: PlannedWorkout;
  summary: TrackSummary;
}

/** The JSON text and each recorded workout's Oura id. */
export interface OuraOutput {
  text: string;
  ids: Map<string, string>;
  counts: Record<string, number>;
}

/** Build oura.json. */
export function writeOura(days: DayRecord[], inputs: OuraInput[], seed: number): OuraOutput {
  const rng = Rng.from(seed, 'oura');
  const sleep: object[] = [];
  const dailySleep: object[] = [];
  const readiness: object[] = [];
  const activity: object[] = [];
  for (const d of days) {
    const s = d.sleep;
    const midnight = dayWallMs(d.day) - d.offsetMin * 60_000;
    const stamp = localIso(midnight, d.offsetMin);
    const sleepScore = Math.round(clamp(40 + (s.asleepS / 3600) * 6 + s.efficiency * 10 + rng.normal(0, 3), 35, 98));
    sleep.push({
      id: uuidFrom(String(seed), 'oura-sleep', d.day),
      average_breath: Math.round(s.respiratoryRate * 1000) / 1000,
      average_heart_rate: Math.round((s.avgHr + rng.normal(0, 0.5)) * 1000) / 1000,
      average_hrv: Math.round(d.hrvRmssd + rng.normal(0, 2)),
      awake_time: s.awakeS,
      bedtime_end: localIso(s.bedEndMs, s.offsetMin),
      bedtime_start: localIso(s.bedStartMs, s.offsetMin),
      day: d.day,
      deep_sleep_duration: s.deepS,
      efficiency: Math.round(s.efficiency * 100),
      latency: s.latencyS,
      light_sleep_duration: s.lightS,
      lowest_heart_rate: s.lowestHr + rng.int(-1, 1),
      period: 0,
      readiness_score_delta: null,
      rem_sleep_duration: s.remS,
      restless_periods: rng.int(120, 320),
      sleep_score_delta: null,
      time_in_bed: Math.round((s.bedEndMs - s.bedStartMs) / 1000),
      total_sleep_duration: s.asleepS,
      type: 'long_sleep',
    });
    dailySleep.push({
      id: uuidFrom(String(seed), 'oura-daily-sleep', d.day),
      contributors: {
        deep_sleep: clampScore((s.deepS / 5400) * 100), efficiency: clampScore(s.efficiency * 105), latency: clampScore(100 - s.latencyS / 60),
        rem_sleep: clampScore((s.remS / 6300) * 100), restfulness: rng.int(60, 90), timing: rng.int(70, 95), total_sleep: clampScore((s.asleepS / 28800) * 100),
      },
      day: d.day,
      score: sleepScore,
      timestamp: stamp,
    });
    readiness.push({
      id: uuidFrom(String(seed), 'oura-readiness', d.day),
      contributors: {
        activity_balance: rng.int(60, 95), body_temperature: d.ill ? 55 : rng.int(85, 100), hrv_balance: clampScore(50 + (d.hrvRmssd - 60) * 1.5),
        previous_day_activity: rng.int(60, 95), previous_night: sleepScore, recovery_index: rng.int(50, 100),
        resting_heart_rate: clampScore(100 - (d.restingHr - 46) * 4), sleep_balance: rng.int(60, 95),
      },
      day: d.day,
      score: clampScore(60 + (d.hrvRmssd - 62) * 0.8 - (d.restingHr - 51) * 2 - (d.ill ? 25 : 0)),
      temperature_deviation: Math.round((d.skinTempC - 33.9) * 100) / 100,
      temperature_trend_deviation: Math.round((d.skinTempC - 33.9) * 50) / 100,
      timestamp: stamp,
    });
    const active = Math.round(250 + d.load * 1.4 + rng.normal(0, 60));
    activity.push({
      id: uuidFrom(String(seed), 'oura-activity', d.day),
      active_calories: active,
      class_5_min: classFiveMin(d, rng),
      contributors: { meet_daily_targets: rng.int(40, 100), move_every_hour: rng.int(70, 100), recovery_time: rng.int(60, 100), stay_active: rng.int(50, 95), training_frequency: rng.int(60, 100), training_volume: rng.int(60, 100) },
      day: d.day,
      equivalent_walking_distance: Math.round(d.steps * 0.78),
      score: rng.int(60, 98),
      steps: d.steps,
      target_calories: 550,
      total_calories: 1750 + active,
      timestamp: stamp,
    });
  }
  const ids = new Map<string, string>();
  const workout: object[] = [];
  for (const { workout: w, summary: s } of inputs) {
    const mode = w.coverage.oura;
    if (!mode) continue;
    const r = new Rng(w.seed).fork('oura');
    const start = mode === 'manual' ? w.startMs : w.startMs + r.int(2, 8) * 60_000;
    const end = w.startMs + s.elapsedS * 1000 - (mode === 'manual' ? 0 : r.int(1, 5) * 60_000);
    const id = uuidFrom(String(seed), 'oura-workout', w.truthId);
    ids.set(w.truthId, id);
    workout.push({
      id,
      activity: OURA_ACTIVITY[w.kind],
      calories: Math.round(s.calories * r.range(0.85, 1.1)),
      day: w.day,
      distance: s.distanceM > 0 && r.chance(0.6) ? Math.round(s.distanceM * r.range(0.93, 1.05)) : null,
      end_datetime: localIso(end, w.offsetMin),
      intensity: w.load / (s.elapsedS / 60) >= 6 ? 'hard' : w.load / (s.elapsedS / 60) >= 4 ? 'moderate' : 'easy',
      label: null,
      source: mode,
      start_datetime: localIso(start, w.offsetMin),
    });
  }
  const body = { sleep, daily_sleep: dailySleep, daily_readiness: readiness, daily_activity: activity, workout };
  const counts = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, v.length]));
  return { text: `${JSON.stringify(body, null, 1)}\n`, ids, counts };
}

/** One character per 5 minutes: 0 non-wear, 1 rest, 2 inactive, 3 low, 4 medium, 5 high. */
function classFiveMin(d: DayRecord, rng: Rng): string {
  let out = '';
  for (let k = 0; k < DAY_MS / 300_000; k++) {
    const hour = k / 12;
    out += hour < 6.5 || hour > 22.5 ? '1' : rng.chance(0.08) ? '4' : rng.chance(0.4) ? '3' : '2';
  }
  return d.load > 0 ? out.replace(/2{12}/, '555555555555') : out;
}

function clampScore(x: number): number {
  return Math.round(clamp(x, 1, 100));
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
