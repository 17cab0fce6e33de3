/**
 * Second-by-second samples of one simulated workout: route, altitude,
 * speed, heart rate, cadence and power. Writers downsample these the way
 * each device or service does.
 */
import { Rng } from './random.ts';
import type { PlannedWorkout } from './athlete.ts';

/** One workout's samples at 1 Hz; `lat`/`lon` null without GPS, `power` null without a power meter. */
export interface Track {
  startMs: number;
  n: number;
  lat: Float64Array | null;
  lon: Float64Array | null;
  alt: Float64Array | null;
  dist: Float64Array;
  speed: Float64Array;
  hr: Float64Array;
  cadence: Float64Array | null;
  power: Float64Array | null;
  /** A run: its cadence counts steps, and its calories follow the distance. */
  run: boolean;
}

/** Totals of a stretch of a track, as a device summarises it. */
export interface TrackSummary {
  elapsedS: number;
  movingS: number;
  distanceM: number;
  avgSpeed: number;
  maxSpeed: number;
  avgHr: number;
  maxHr: number;
  avgCadence: number | null;
  maxCadence: number | null;
  avgPower: number | null;
  maxPower: number | null;
  ascentM: number;
  descentM: number;
  calories: number;
}

/** Where the athlete lives and trains, and where he stays on the trip. */
export const HOME = { lat: 47.37, lon: 8.54, alt: 410 };
const TRIP_HOME = { lat: -27.4705, lon: 153.026, alt: 22 };
/** Centre of the 5-a-side pitch. */
const PITCH = { lat: 47.3918, lon: 8.5216, alt: 425 };
const M_PER_DEG_LAT = 111_320;

/** Physiology the track needs from the athlete. */
export interface TrackAthlete {
  maxHr: number;
  restingHr: number;
  ftpW: number;
  weightKg: number;
}

/** Simulate one workout's samples. */
export function simulateTrack(w: PlannedWorkout, a: TrackAthlete): Track {
  const rng = new Rng(w.seed).fork('track');
  const n = Math.max(60, w.durationS);
  const speed = new Float64Array(n);
  const dist = new Float64Array(n);
  const hr = new Float64Array(n);
  const effort = new Float64Array(n);
  let cadence: Float64Array | null = null;
  let power: Float64Array | null = null;
  let lat: Float64Array | null = null;
  let lon: Float64Array | null = null;
  let alt: Float64Array | null = null;
  const home = w.offsetMin === 600 ? TRIP_HOME : HOME;

  if (w.kind === 'football') {
    ({ lat, lon, alt } = footballTrack(rng, n, speed, dist, effort));
  } else if (w.kind === 'strength') {
    for (let t = 0; t < n; t++) {
      const inSet = t % 150 < 45 && t > 300 && t < n - 240;
      effort[t] = inSet ? 0.62 : 0.3;
    }
  } else if (w.kind === 'road_ride' || w.kind === 'indoor_ride') {
    power = new Float64Array(n);
    cadence = new Float64Array(n);
    const indoor = w.kind === 'indoor_ride';
    const route = indoor ? null : loopRoute(rng, home, 7.2 * n, rng.chance(0.5) ? 1 : 2, rng.range(40, 140));
    let v = 0;
    let d = 0;
    const base = rng.range(0.62, 0.72);
    for (let t = 0; t < n; t++) {
      let frac = base;
      if (indoor) {
        const m = t / 60;
        frac = m < 10 || m > n / 60 - 8 ? 0.55 : (m - 10) % 15 < 10 ? 0.9 : 0.55;
      }
      const grade = route ? route.grade(d) : 0;
      const p = Math.max(0, a.ftpW * frac * (1 + 0.8 * grade * 10) + rng.normal(0, 12));
      v += (cyclingSpeed(p, grade, a.weightKg + 9) - v) * 0.15;
      d += v;
      speed[t] = v;
      dist[t] = d;
      const withPower = w.hasPower;
      power[t] = withPower ? Math.round(p) : 0;
      cadence[t] = Math.round(clamp(88 + rng.normal(0, 3) - (grade > 0.04 ? 10 : 0), 55, 110));
      effort[t] = clamp(p / a.ftpW, 0.3, 1.1) * 0.85;
    }
    if (!w.hasPower) power = null;
    if (route) ({ lat, lon, alt } = route.sample(dist));
  } else if (w.kind === 'swim') {
    let d = 0;
    for (let t = 0; t < n; t++) {
      const resting = t % 150 >= 130;
      const v = resting ? 0 : 0.82 + rng.normal(0, 0.03);
      d += v;
      speed[t] = v;
      dist[t] = d;
      effort[t] = resting ? 0.45 : 0.62;
    }
  } else {
    // Runs: the pace plan of the kind, slowed on climbs.
    cadence = new Float64Array(n);
    const outdoor = w.kind !== 'treadmill_run';
    const planned = n * 3.1;
    const route = outdoor ? loopRoute(rng, home, planned, w.kind === 'long_run' || w.kind === 'race_run' ? 1 : rng.int(1, 2), rng.range(8, 35)) : null;
    const basePace = { easy_run: 2.95, long_run: 3.0, interval_run: 2.9, treadmill_run: 3.1, race_run: 3.75 }[w.kind as 'easy_run'] ?? 3;
    const pace = basePace + rng.normal(0, 0.06);
    let v = 0;
    let d = 0;
    for (let t = 0; t < n; t++) {
      let target = pace;
      if (w.kind === 'interval_run' && t >= 900 && t < n - 600) target = (t - 900) % 300 < 180 ? 4.35 : 2.3;
      if (w.kind === 'race_run') target = pace - 0.15 * (t / n);
      if (w.kind === 'treadmill_run') target = Math.round(pace * 10) / 10;
      const grade = route ? route.grade(d) : 0;
      target *= 1 - clamp(grade * 3, -0.15, 0.3);
      v += (target + (outdoor ? rng.normal(0, 0.05) : 0) - v) * 0.25;
      d += v;
      speed[t] = v;
      dist[t] = d;
      cadence[t] = Math.round(clamp(78 + 3.2 * v + rng.normal(0, 0.8), 70, 100));
      effort[t] = clamp(0.35 + 0.42 * (v - 2.0) + grade * 4, 0.3, 1.0);
    }
    if (route) ({ lat, lon, alt } = route.sample(dist));
  }

  // Heart rate follows effort with a lag, drifting upwards over long sessions.
  let h = a.restingHr + 35;
  const reserve = a.maxHr - a.restingHr;
  for (let t = 0; t < n; t++) {
    const target = a.restingHr + reserve * ((effort[t] ?? 0.3) + 0.04 * (t / 3600));
    const tau = target > h ? 22 : 38;
    h += (target - h) / tau;
    hr[t] = Math.round(clamp(h + rng.normal(0, 0.7), 60, a.maxHr));
  }
  const run = w.kind.endsWith('_run');
  return { startMs: w.startMs, n, lat, lon, alt, dist, speed, hr, cadence, power, run };
}

/** Summarise samples [from, to) like a device does. Calories: power → kJ ≈ kcal, runs 1 kcal/kg/km, else Keytel et al. 2005 (J Sports Sci 23:289). */
export function summarise(track: Track, a: TrackAthlete, from = 0, to = track.n): TrackSummary {
  let moving = 0;
  let hrSum = 0;
  let maxHr = 0;
  let maxSpeed = 0;
  let cadSum = 0;
  let maxCad = 0;
  let powSum = 0;
  let maxPow = 0;
  let ascent = 0;
  let descent = 0;
  for (let t = from; t < to; t++) {
    const v = track.speed[t] ?? 0;
    if (v > 0.3) moving++;
    maxSpeed = Math.max(maxSpeed, v);
    const h = track.hr[t] ?? 0;
    hrSum += h;
    maxHr = Math.max(maxHr, h);
    if (track.cadence) {
      cadSum += track.cadence[t] ?? 0;
      maxCad = Math.max(maxCad, track.cadence[t] ?? 0);
    }
    if (track.power) {
      powSum += track.power[t] ?? 0;
      maxPow = Math.max(maxPow, track.power[t] ?? 0);
    }
    if (track.alt && t > from) {
      const dh = (track.alt[t] ?? 0) - (track.alt[t - 1] ?? 0);
      if (dh > 0) ascent += dh;
      else descent -= dh;
    }
  }
  const count = Math.max(1, to - from);
  const distanceM = (track.dist[to - 1] ?? 0) - (from > 0 ? (track.dist[from - 1] ?? 0) : 0);
  const avgHr = hrSum / count;
  let calories: number;
  if (track.power) calories = powSum / 1000;
  // Rides without a power meter go by heart rate: 1 kcal/kg/km is a runner's cost, not a cyclist's.
  else if (track.run && maxSpeed > 1.5 && distanceM > 0 && avgSpeedOf(distanceM, count) > 1.8) calories = (a.weightKg * distanceM) / 1000;
  else calories = (count / 60) * ((-55.0969 + 0.6309 * avgHr + 0.1988 * a.weightKg + 0.2017 * 35) / 4.184);
  return {
    elapsedS: count,
    movingS: moving || count,
    distanceM,
    avgSpeed: avgSpeedOf(distanceM, moving || count),
    maxSpeed,
    avgHr,
    maxHr,
    avgCadence: track.cadence ? cadSum / count : null,
    maxCadence: track.cadence ? maxCad : null,
    avgPower: track.power ? powSum / count : null,
    maxPower: track.power ? maxPow : null,
    ascentM: ascent,
    descentM: descent,
    calories: Math.max(0, calories),
  };
}

function avgSpeedOf(distanceM: number, seconds: number): number {
  return seconds > 0 ? distanceM / seconds : 0;
}

interface Route {
  grade(d: number): number;
  sample(dist: Float64Array): { lat: Float64Array; lon: Float64Array; alt: Float64Array };
}

/** A wobbly loop through home, `laps` times around for the planned distance. */
function loopRoute(rng: Rng, home: { lat: number; lon: number; alt: number }, plannedM: number, laps: number, hill: number): Route {
  const perimeter = plannedM / laps;
  const radius = perimeter / (2 * Math.PI);
  const phi0 = rng.range(0, 2 * Math.PI);
  const dir = rng.chance(0.5) ? 1 : -1;
  const wob = rng.range(0, 2 * Math.PI);
  const cx = -radius * Math.cos(phi0);
  const cy = -radius * Math.sin(phi0);
  const hillPhase = rng.range(0, 2 * Math.PI);
  const altAt = (d: number): number => {
    const th = (2 * Math.PI * d) / perimeter;
    return home.alt + hill * 0.5 * (Math.sin(th + hillPhase) - Math.sin(hillPhase)) + hill * 0.15 * Math.sin(3 * th);
  };
  const mPerDegLon = M_PER_DEG_LAT * Math.cos((home.lat * Math.PI) / 180);
  return {
    grade: (d) => (altAt(d + 5) - altAt(d - 5)) / 10,
    sample(dist) {
      const lat = new Float64Array(dist.length);
      const lon = new Float64Array(dist.length);
      const alt = new Float64Array(dist.length);
      for (let t = 0; t < dist.length; t++) {
        const d = dist[t] ?? 0;
        const th = phi0 + (dir * 2 * Math.PI * d) / perimeter;
        const r = radius * (1 + 0.12 * (Math.sin(3 * th + wob) - Math.sin(3 * phi0 + wob)));
        lat[t] = home.lat + (cy + r * Math.sin(th)) / M_PER_DEG_LAT;
        lon[t] = home.lon + (cx + r * Math.cos(th)) / mPerDegLon;
        alt[t] = altAt(d);
      }
      return { lat, lon, alt };
    },
  };
}

/** A player on a 100 × 64 m pitch: walking, jogging, running and short sprints, with a break at half time. */
function footballTrack(rng: Rng, n: number, speed: Float64Array, dist: Float64Array, effort: Float64Array): { lat: Float64Array; lon: Float64Array; alt: Float64Array } {
  const lat = new Float64Array(n);
  const lon = new Float64Array(n);
  const alt = new Float64Array(n);
  const states = [0.4, 1.3, 2.6, 4.2, 6.9];
  let x = 50;
  let y = 32;
  let heading = rng.range(0, 2 * Math.PI);
  let v = 0;
  let state = 1;
  let left = 5;
  let d = 0;
  const rot = (20 * Math.PI) / 180;
  const mPerDegLon = M_PER_DEG_LAT * Math.cos((PITCH.lat * Math.PI) / 180);
  const half = Math.floor(n / 2);
  for (let t = 0; t < n; t++) {
    const onBreak = t >= half - 150 && t < half + 150;
    if (--left <= 0) {
      const r = rng.next();
      state = r < 0.2 ? 0 : r < 0.5 ? 1 : r < 0.78 ? 2 : r < 0.93 ? 3 : 4;
      left = state === 4 ? rng.int(2, 5) : rng.int(3, 15);
      heading += rng.normal(0, 1.2);
    }
    const target = onBreak ? 0.6 : (states[state] ?? 1) * rng.range(0.9, 1.1);
    const dv = clamp(target - v, -4, 3.2);
    v = Math.max(0, v + dv);
    x += v * Math.cos(heading);
    y += v * Math.sin(heading);
    if (x < 1 || x > 99) {
      heading = Math.PI - heading;
      x = clamp(x, 1, 99);
    }
    if (y < 1 || y > 63) {
      heading = -heading;
      y = clamp(y, 1, 63);
    }
    speed[t] = v;
    d += v;
    dist[t] = d;
    effort[t] = onBreak ? 0.45 : clamp(0.6 + 0.06 * v, 0.6, 1.0);
    const ex = (x - 50) * Math.cos(rot) - (y - 32) * Math.sin(rot);
    const ny = (x - 50) * Math.sin(rot) + (y - 32) * Math.cos(rot);
    lat[t] = PITCH.lat + ny / M_PER_DEG_LAT;
    lon[t] = PITCH.lon + ex / mPerDegLon;
    alt[t] = PITCH.alt;
  }
  return { lat, lon, alt };
}

/** Steady speed (m/s) for a power on a grade: aerodynamic drag, rolling resistance and gravity, by Newton's method. */
function cyclingSpeed(power: number, grade: number, massKg: number): number {
  const cda = 0.5 * 1.2 * 0.32;
  const lin = massKg * 9.81 * (0.004 + grade);
  let v = 8;
  for (let k = 0; k < 8; k++) {
    const f = cda * v * v * v + lin * v - power;
    const df = 3 * cda * v * v + lin;
    v = Math.max(1, v - f / Math.max(df, 1e-3));
  }
  return clamp(v, 1.5, 22);
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
