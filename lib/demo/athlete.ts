/**
 * The simulated demo athlete: two years of a periodised training plan, the
 * physiology that responds to it (resting HR, HRV, sleep, weight), illness,
 * one trip abroad, injuries that follow load spikes, and which devices
 * recorded each workout. Pure: the same options give the same athlete.
 */
import { Rng } from './random.ts';
import { DAY_MS, MINUTE_MS, addDays, dayWallMs, weekday, zurichOffsetMin, zurichWallToUtc } from './clock.ts';

/** The kinds of session the athlete does. */
export type WorkoutKind =
  | 'easy_run'
  | 'long_run'
  | 'interval_run'
  | 'treadmill_run'
  | 'race_run'
  | 'road_ride'
  | 'indoor_ride'
  | 'strength'
  | 'swim'
  | 'football';

/** What a kind of session is: canonical sport, whether it has GPS, its session RPE. */
export interface KindInfo {
  sport: string;
  gps: boolean;
  rpe: number;
}

/** Facts per workout kind. */
export const KINDS: Record<WorkoutKind, KindInfo> = {
  easy_run: { sport: 'running', gps: true, rpe: 3 },
  long_run: { sport: 'running', gps: true, rpe: 4.5 },
  interval_run: { sport: 'running', gps: true, rpe: 7 },
  treadmill_run: { sport: 'treadmill_running', gps: false, rpe: 4 },
  race_run: { sport: 'running', gps: true, rpe: 9 },
  road_ride: { sport: 'cycling', gps: true, rpe: 4 },
  indoor_ride: { sport: 'indoor_cycling', gps: false, rpe: 6 },
  strength: { sport: 'strength_training', gps: false, rpe: 5 },
  swim: { sport: 'swimming', gps: false, rpe: 4 },
  football: { sport: 'soccer', gps: true, rpe: 7 },
};

/** Which sources recorded a workout, and how. */
export interface Coverage {
  /** Index into `profile.devices` of the watch that recorded it, or null. */
  garminDevice: number | null;
  /** `file`: uploaded with a GPX; `row`: synced without a file (indoor); `manual`: typed in by hand. */
  strava: 'file' | 'row' | 'manual' | null;
  /** The Strava GPX is gzipped. */
  stravaGzip: boolean;
  whoop: boolean;
  oura: 'autodetected' | 'manual' | null;
}

/** One real workout the athlete did. */
export interface PlannedWorkout {
  /** Stable id of the real workout (`t0001`), chronological. */
  truthId: string;
  kind: WorkoutKind;
  /** Local day. */
  day: string;
  startMs: number;
  offsetMin: number;
  durationS: number;
  /** Session load (duration in minutes × RPE). */
  load: number;
  /** Set for the legs of a brick session recorded as one multisport file. */
  brick: { id: string; leg: number } | null;
  hasPower: boolean;
  /** Seed of this workout's own random stream (its track and each source's copy). */
  seed: number;
  coverage: Coverage;
}

/** One night of sleep, ending on the morning of its day. */
export interface NightSleep {
  bedStartMs: number;
  bedEndMs: number;
  offsetMin: number;
  asleepS: number;
  deepS: number;
  remS: number;
  lightS: number;
  awakeS: number;
  latencyS: number;
  /** Asleep / in bed, 0–1. */
  efficiency: number;
  avgHr: number;
  lowestHr: number;
  respiratoryRate: number;
}

/** The athlete's state on one local day. */
export interface DayRecord {
  day: string;
  /** UTC offset in minutes that applies to the day's records. */
  offsetMin: number;
  travelling: boolean;
  ill: boolean;
  injured: boolean;
  /** Sum of the day's session loads. */
  load: number;
  /** Acute (7 d) to chronic (28 d) workload ratio after the day. */
  acwr: number;
  restingHr: number;
  /** RMSSD in ms, measured overnight. */
  hrvRmssd: number;
  sleep: NightSleep;
  skinTempC: number;
  spo2Pct: number;
  steps: number;
  /** True weight of the morning (kg). */
  weightKg: number;
  bodyFatPct: number;
  muscleKg: number;
  /** When the athlete stepped on the scale, or null. */
  weighInMs: number | null;
  /** The scale app wrote a 0.0 placeholder instead of a reading. */
  weighInPlaceholder: boolean;
}

/** One injury. Severity: 1 minor, 2 moderate, 3 severe. */
export interface Injury {
  date: string;
  area: string;
  severity: 1 | 2 | 3;
  notes: string;
  /** Return to full training: the first day after the injured days. */
  endDate: string;
}

/** Two different real workouts close enough in time to tempt a deduplicator. */
export interface NearMissPair {
  a: string;
  b: string;
  kind: 'double_run' | 'brick' | 'strength_after_run';
}

/** A Garmin watch the athlete wore. */
export interface Device {
  product: number;
  productName: string;
  serialNumber: number;
  /** First local day it recorded. */
  from: string;
}

/** The athlete's profile, as written to athlete.json. */
export interface AthleteProfile {
  athlete_id: string;
  name: string;
  birth_year: number;
  sex: 'male' | 'female';
  height_cm: number;
  max_hr: number;
  resting_hr: number;
  ftp_w: number;
  home_timezone: string;
  devices: Device[];
}

/** The whole simulated athlete. */
export interface DemoAthlete {
  profile: AthleteProfile;
  firstDay: string;
  lastDay: string;
  trip: { firstDay: string; lastDay: string; timezone: string; offsetMin: number };
  days: DayRecord[];
  workouts: PlannedWorkout[];
  injuries: Injury[];
  nearMisses: NearMissPair[];
}

/** Options of the simulation. */
export interface SimulationOptions {
  seed: number;
  /** Last local day, `YYYY-MM-DD`. */
  endDate: string;
  days: number;
  /** How this athlete differs from the demo athlete (a member of the demo squad); none by default. */
  variation?: AthleteVariation;
}

/** A squad member's own profile and physiology; what is left out is the demo athlete's. */
export interface AthleteVariation {
  profile?: Partial<Pick<AthleteProfile, 'athlete_id' | 'name' | 'birth_year' | 'sex' | 'max_hr' | 'resting_hr' | 'ftp_w'>>;
  /** Typical body weight, kg (demo athlete: 72). */
  weightKg?: number;
  /** Typical overnight RMSSD, ms (demo athlete: 70). */
  hrvMs?: number;
  /** Training volume relative to the demo athlete's plan (1). */
  volume?: number;
}

const HEIGHT_M = 1.78;
const TRIP_OFFSET_MIN = 600;
const TRIP_DAYS = 10;

interface Session {
  kind: WorkoutKind;
  /** Local start, minutes after midnight. */
  startMin: number;
  durationMin: number;
  brickLeg?: number;
  /** Starts right after the previous session of the day ends (minutes of gap). */
  after?: number;
  nearMiss?: NearMissPair['kind'];
}

/** Simulate the athlete day by day. */
export function simulateAthlete(opts: SimulationOptions): DemoAthlete {
  const { seed, endDate, days } = opts;
  if (!Number.isInteger(days) || days < 14) throw new Error(`days must be an integer of at least 14, got ${days}`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(endDate)) throw new Error(`endDate must be YYYY-MM-DD, got ${endDate}`);
  const rng = Rng.from(seed, 'athlete');
  const firstDay = addDays(endDate, -(days - 1));
  const tripStart = Math.floor(days * 0.5);
  const trip = {
    firstDay: addDays(firstDay, tripStart),
    lastDay: addDays(firstDay, tripStart + TRIP_DAYS - 1),
    timezone: 'Australia/Brisbane',
    offsetMin: TRIP_OFFSET_MIN,
  };
  const switchDay = addDays(firstDay, Math.floor(days * 0.45));
  const profile: AthleteProfile = {
    athlete_id: 'me',
    name: 'Demo Athlete',
    birth_year: 1991,
    sex: 'male',
    height_cm: HEIGHT_M * 100,
    max_hr: 191,
    resting_hr: 50,
    ftp_w: 265,
    ...opts.variation?.profile,
    home_timezone: 'Europe/Zurich',
    devices: [
      { product: 4024, productName: 'fr955', serialNumber: 3398712345, from: firstDay },
      { product: 4315, productName: 'fr965', serialNumber: 3463047291, from: switchDay },
    ],
  };

  const mondayIdx = (weekday(firstDay) + 6) % 7;
  const weeks = Math.ceil((days + mondayIdx) / 7);
  const weekOf = (i: number): number => Math.floor((i + mondayIdx) / 7);
  const raceWeeks = weeks >= 20 ? [Math.round(weeks * 0.3), Math.round(weeks * 0.8)] : [];
  const spikeWeeks = new Set<number>();
  for (let w = 3; w < weeks - 1; w++) {
    const nearRace = raceWeeks.some((r) => w >= r - 3 && w <= r + 1);
    if (!nearRace && w % 4 === 1 && (w % 16 === 5 || rng.chance(0.15))) spikeWeeks.add(w);
  }
  // Back from the trip, the athlete makes up for lost time: too much too soon.
  const returnWeek = weekOf(tripStart + TRIP_DAYS);
  if (!raceWeeks.some((r) => returnWeek >= r - 3 && returnWeek <= r + 1)) spikeWeeks.add(returnWeek);
  const weekFactor = (w: number): number => {
    for (const r of raceWeeks) {
      if (w === r - 2) return 0.75;
      if (w === r - 1) return 0.6;
      if (w === r) return 0.5;
      if (w === r + 1) return 0.45;
    }
    if (spikeWeeks.has(w)) return 2.0;
    return [0.7, 0.9, 1.0, 1.1][w % 4] ?? 1;
  };

  const dayRecords: DayRecord[] = [];
  const workouts: PlannedWorkout[] = [];
  const injuries: Injury[] = [];
  const nearIdx: { a: number; b: number; kind: NearMissPair['kind'] }[] = [];
  const loads: number[] = [];
  let atl = 250;
  let ctl = 250;
  let illUntil = -1;
  let illnesses = 0;
  let injuredUntil = -1;
  const baseWeight = opts.variation?.weightKg ?? 72;
  const baseHrv = opts.variation?.hrvMs ?? 70;
  const volume = opts.variation?.volume ?? 1;
  let weight = baseWeight + 0.4;
  let lastFootball = -10;
  const maxIllness = Math.max(1, Math.round(days / 240));
  const maxInjuries = Math.max(1, Math.min(12, Math.round(days / 60)));

  for (let i = 0; i < days; i++) {
    const day = addDays(firstDay, i);
    const travelling = day >= trip.firstDay && day <= trip.lastDay;
    const noonWall = dayWallMs(day) + 12 * 60 * MINUTE_MS;
    const offsetMin = travelling ? TRIP_OFFSET_MIN : zurichOffsetMin(zurichWallToUtc(noonWall));
    const toUtc = (wallMs: number): number => (travelling ? wallMs - TRIP_OFFSET_MIN * MINUTE_MS : zurichWallToUtc(wallMs));
    const month = Number(day.slice(5, 7));
    const winter = month >= 11 || month <= 2;
    const wd = weekday(day);
    const week = weekOf(i);
    const factor = weekFactor(week) * (month === 12 ? 0.85 : 1) * volume;
    const yLoad = loads[i - 1] ?? 250;
    const jetlag = (i >= tripStart && i < tripStart + 3) || (i > tripStart + TRIP_DAYS - 1 && i <= tripStart + TRIP_DAYS + 1);

    if (i > illUntil && !travelling && illnesses < maxIllness && i > 14 && rng.chance(0.004)) {
      illUntil = i + rng.int(3, 6);
      illnesses++;
    }
    const ill = i <= illUntil;
    const injured = i <= injuredUntil;

    // The night that ended this morning.
    const weekendMorning = wd === 6 || wd === 0;
    let asleepH = 7.35 + rng.normal(0, 0.45) + (weekendMorning ? 0.35 : 0) - (lastFootball === i - 1 ? 0.5 : 0);
    if (jetlag) asleepH -= 1.3;
    if (ill) asleepH += 0.5;
    asleepH = clamp(asleepH, 5.2, 9.3);
    const efficiency = clamp(0.905 + rng.normal(0, 0.022), 0.8, 0.97);
    const latencyS = Math.round(rng.range(4, 22)) * 60;
    const inBedS = Math.round((asleepH * 3600) / efficiency / 60) * 60;
    const asleepS = Math.round((inBedS * efficiency) / 30) * 30;
    const deepS = Math.round((asleepS * clamp(rng.normal(0.19, 0.03), 0.1, 0.3)) / 30) * 30;
    const remS = Math.round((asleepS * clamp(rng.normal(0.22, 0.03), 0.12, 0.32)) / 30) * 30;
    const bedWallMin = 22 * 60 + 40 + rng.normal(0, 20) + (wd === 6 || wd === 0 ? 40 : 0) + (lastFootball === i - 1 ? 50 : 0);
    const bedStartMs = toUtc(dayWallMs(day) - DAY_MS + Math.round(bedWallMin) * MINUTE_MS);

    const tsb = atl - ctl;
    const restingHr = Math.round(
      clamp(
        profile.resting_hr + 0.5 + 0.012 * tsb + 0.004 * yLoad - 0.9 * (asleepH - 7.35) + (ill ? 6 : 0) + (jetlag ? 3 : 0) + rng.normal(0, 1.1),
        profile.resting_hr - 7,
        profile.resting_hr + 16,
      ),
    );
    const season = Math.sin((2 * Math.PI * i) / 365 + 0.6);
    const hrvRmssd = clamp(
      baseHrv + 4 * season - 0.06 * tsb - 0.012 * yLoad + 3 * (asleepH - 7.35) - (ill ? 22 : 0) - (jetlag ? 10 : 0) + rng.normal(0, 5),
      32,
      110,
    );
    const sleep: NightSleep = {
      bedStartMs,
      bedEndMs: bedStartMs + inBedS * 1000,
      offsetMin,
      asleepS,
      deepS,
      remS,
      lightS: asleepS - deepS - remS,
      awakeS: inBedS - asleepS,
      latencyS,
      efficiency: asleepS / inBedS,
      avgHr: Math.round(restingHr + 5 + rng.normal(0, 1)),
      lowestHr: restingHr,
      respiratoryRate: clamp(14.6 + rng.normal(0, 0.35) + (ill ? 1.6 : 0), 12, 20),
    };

    // The day's training.
    const sessions: Session[] = [];
    if (!ill && !(travelling && (i === tripStart || i === tripStart + TRIP_DAYS - 1))) {
      if (travelling) {
        if (rng.chance(0.75)) sessions.push({ kind: 'easy_run', startMin: 6 * 60 + 20, durationMin: 45 });
        if (rng.chance(0.2)) sessions.push({ kind: 'swim', startMin: 16 * 60, durationMin: 40 });
      } else {
        planWeekday(rng, sessions, wd, factor, winter, spikeWeeks.has(week), raceWeeks.includes(week) && wd === 0);
      }
    }
    const todays: PlannedWorkout[] = [];
    let prevEnd = 0;
    for (const s of sessions) {
      let kind = s.kind;
      if (injured && (kind.endsWith('_run') || kind === 'football')) {
        // An injured athlete skips a brick's run leg, and swaps other runs for cross-training half the time.
        if (s.brickLeg !== undefined || !rng.chance(0.5)) continue;
        kind = rng.chance(0.5) ? 'swim' : 'indoor_ride';
      }
      if (s.after === undefined && kind !== 'race_run' && rng.chance(0.07)) continue;
      const jitterMin = s.after === undefined ? Math.round(rng.normal(0, 12)) : 0;
      const durationS = Math.round(s.durationMin * 60 * rng.range(0.93, 1.07));
      const startMs =
        s.after !== undefined && prevEnd > 0
          ? prevEnd + s.after * 1000
          : toUtc(dayWallMs(day) + (s.startMin + jitterMin) * MINUTE_MS) + rng.int(0, 59) * 1000;
      if (s.after !== undefined && prevEnd === 0) continue;
      const prev = todays[todays.length - 1];
      if (prev && startMs < prevEnd) continue;
      const w: PlannedWorkout = {
        truthId: '',
        kind,
        day,
        startMs,
        offsetMin: travelling ? TRIP_OFFSET_MIN : zurichOffsetMin(startMs),
        durationS,
        load: Math.round((durationS / 60) * KINDS[kind].rpe * (injured ? 0.7 : 1)),
        brick: null,
        hasPower: kind === 'indoor_ride' || (kind === 'road_ride' && day >= switchDay),
        seed: 0,
        coverage: { garminDevice: null, strava: null, stravaGzip: false, whoop: false, oura: null },
      };
      if (s.brickLeg !== undefined) w.brick = { id: `b${day}`, leg: s.brickLeg };
      if (s.nearMiss && prev) nearIdx.push({ a: workouts.length + todays.length - 1, b: workouts.length + todays.length, kind: s.nearMiss });
      todays.push(w);
      prevEnd = startMs + durationS * 1000;
      if (kind === 'football') lastFootball = i;
    }
    // A brick whose run leg was skipped is just a ride.
    for (const w of todays) {
      if (w.brick && !todays.some((o) => o !== w && o.brick?.id === w.brick?.id)) w.brick = null;
    }
    const load = todays.reduce((sum, w) => sum + w.load, 0);
    workouts.push(...todays);
    loads.push(load);

    atl += (load - atl) / 7;
    ctl += (load - ctl) / 42;
    const acute = sumLast(loads, 7);
    const chronic = sumLast(loads, 28) / 4;
    const acwr = i >= 27 && chronic > 0 ? acute / chronic : 1;

    // Load spikes raise injury risk (ACWR > 1.5: Gabbett 2016, Br J Sports Med 50:273).
    if (!injured && !ill && i >= 28 && injuries.length < maxInjuries) {
      const hazard = 0.003 + (acwr > 1.5 ? 0.6 : acwr > 1.3 ? 0.08 : 0);
      if (rng.chance(hazard)) {
        const footballToday = todays.some((w) => w.kind === 'football');
        const area = footballToday ? rng.pick(['ankle', 'hamstring', 'knee']) : rng.pick(['calf', 'achilles', 'knee', 'shin', 'hamstring', 'lower back']);
        const severity = rng.pick([1, 1, 1, 2, 2, 3] as const);
        injuredUntil = i + [6, 14, 28][severity - 1]! + rng.int(-2, 3);
        injuries.push({ date: day, area, severity, notes: injuryNote(area, severity, footballToday), endDate: addDays(firstDay, injuredUntil + 1) });
      }
    }

    const target = baseWeight + 1.1 * Math.sin((2 * Math.PI * i) / 365 + 1.2) + (0.6 * i) / days;
    weight += 0.12 * (target - weight) + rng.normal(0, 0.08) - load / 60000;
    const measured = weight + rng.normal(0, 0.22);
    const bodyFatPct = clamp(14.8 + (measured - baseWeight) * 0.55 + rng.normal(0, 0.35), 9, 25);
    const weighs = !travelling && rng.chance(0.58);
    const runKm = todays.filter((w) => w.kind.endsWith('_run')).reduce((s, w) => s + w.durationS / 330, 0);
    dayRecords.push({
      day,
      offsetMin,
      travelling,
      ill,
      injured,
      load,
      acwr,
      restingHr,
      hrvRmssd,
      sleep,
      skinTempC: 33.9 + rng.normal(0, 0.18) + (ill ? 0.7 : 0),
      spo2Pct: clamp(96.6 + rng.normal(0, 0.7), 93, 99.5),
      steps: Math.max(1500, Math.round(7800 + runKm * 1350 + rng.normal(0, 1600) - (ill ? 4000 : 0))),
      weightKg: measured,
      bodyFatPct,
      muscleKg: measured * (1 - bodyFatPct / 100) * 0.94,
      weighInMs: weighs ? toUtc(dayWallMs(day) + Math.round(6 * 60 + 50 + rng.normal(0, 12)) * MINUTE_MS) + rng.int(0, 59) * 1000 : null,
      weighInPlaceholder: weighs && rng.chance(0.012),
    });
  }

  workouts.forEach((w, idx) => {
    w.truthId = `t${String(idx + 1).padStart(4, '0')}`;
    w.seed = rng.fork(`workout:${idx}`).int(1, 2 ** 31);
  });
  const pairs: NearMissPair[] = [];
  for (const p of nearIdx) {
    const a = workouts[p.a];
    const b = workouts[p.b];
    if (a && b) pairs.push({ a: a.truthId, b: b.truthId, kind: p.kind });
  }
  for (const w of workouts) {
    if (w.brick) {
      const other = workouts.find((o) => o !== w && o.brick?.id === w.brick?.id);
      if (other && w.brick.leg === 0) pairs.push({ a: w.truthId, b: other.truthId, kind: 'brick' });
    }
  }
  assignCoverage(Rng.from(seed, 'coverage'), workouts, profile.devices);
  return { profile, firstDay, lastDay: endDate, trip, days: dayRecords, workouts, injuries, nearMisses: pairs };
}

function planWeekday(rng: Rng, out: Session[], wd: number, f: number, winter: boolean, spike: boolean, raceDay: boolean): void {
  const scale = (min: number): number => Math.max(20, Math.round(min * f));
  switch (wd) {
    case 1:
      if (rng.chance(0.8)) out.push({ kind: 'strength', startMin: 18 * 60 + 30, durationMin: 50 });
      break;
    case 2:
      out.push({ kind: winter && rng.chance(0.6) ? 'treadmill_run' : 'interval_run', startMin: 6 * 60 + 45, durationMin: scale(60) });
      if (rng.chance(0.2)) out.push({ kind: 'easy_run', startMin: 18 * 60 + 30, durationMin: 30, nearMiss: 'double_run' });
      break;
    case 3:
      if (spike) out.push({ kind: 'easy_run', startMin: 6 * 60 + 40, durationMin: 50 });
      if (rng.chance(0.25)) out.push({ kind: 'swim', startMin: 12 * 60 + 15, durationMin: 45 });
      out.push(winter ? { kind: 'indoor_ride', startMin: 18 * 60, durationMin: scale(70) } : { kind: 'road_ride', startMin: 17 * 60 + 30, durationMin: scale(85) });
      break;
    case 4:
      if (rng.chance(0.9)) out.push({ kind: 'football', startMin: 19 * 60 + 30, durationMin: 60 });
      break;
    case 5:
      if (f > 0.6 && rng.chance(0.85)) {
        out.push({ kind: 'easy_run', startMin: 7 * 60, durationMin: scale(40) });
        if (rng.chance(0.3)) out.push({ kind: 'strength', startMin: 0, durationMin: 35, after: rng.int(120, 400), nearMiss: 'strength_after_run' });
      }
      if (spike) out.push({ kind: 'strength', startMin: 18 * 60, durationMin: 45 });
      break;
    case 6:
      if (!winter && f >= 1 && rng.chance(0.4)) {
        out.push({ kind: 'road_ride', startMin: 8 * 60 + 30, durationMin: scale(90), brickLeg: 0 });
        out.push({ kind: 'easy_run', startMin: 0, durationMin: 25, after: rng.int(60, 150), brickLeg: 1 });
      } else if (winter) {
        out.push({ kind: 'indoor_ride', startMin: 9 * 60, durationMin: scale(75) });
      } else {
        out.push({ kind: 'road_ride', startMin: 8 * 60 + 30, durationMin: scale(150) });
      }
      break;
    case 0:
      if (raceDay) out.push({ kind: 'race_run', startMin: 9 * 60, durationMin: 95 });
      else out.push({ kind: 'long_run', startMin: 9 * 60 + 30, durationMin: Math.min(150, scale(90)) });
      break;
  }
}

function injuryNote(area: string, severity: number, football: boolean): string {
  const how = football ? 'during the 5-a-side match' : 'after training';
  const what = ['niggle', 'strain', 'pain that stopped running'][severity - 1] ?? 'pain';
  return `${area} ${what} ${how}`;
}

/** Decide which sources recorded each workout (watch ~90%, Strava ~77%, WHOOP ~60%, Oura ~30% of endurance). */
function assignCoverage(rng: Rng, workouts: PlannedWorkout[], devices: Device[]): void {
  const brickGarmin = new Map<string, boolean>();
  for (const w of workouts) {
    let garmin = rng.chance(0.9);
    if (w.brick) {
      const known = brickGarmin.get(w.brick.id);
      if (known === undefined) brickGarmin.set(w.brick.id, garmin);
      else garmin = known;
    }
    let device: number | null = null;
    if (garmin) {
      device = 0;
      devices.forEach((d, idx) => {
        if (w.day >= d.from) device = idx;
      });
    }
    const c = w.coverage;
    c.garminDevice = device;
    if (garmin) c.strava = rng.chance(0.86) ? (KINDS[w.kind].gps ? 'file' : 'row') : null;
    else c.strava = rng.chance(0.5) ? 'manual' : null;
    c.stravaGzip = c.strava === 'file' && rng.chance(0.3);
    c.whoop = rng.chance(0.6);
    const endurance = w.kind !== 'strength' && w.kind !== 'football';
    c.oura = endurance && rng.chance(0.35) ? 'autodetected' : w.kind === 'strength' && rng.chance(0.12) ? 'manual' : null;
  }
}

function sumLast(xs: number[], n: number): number {
  let s = 0;
  for (let k = Math.max(0, xs.length - n); k < xs.length; k++) s += xs[k] ?? 0;
  return s;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

/** BMI from weight with the athlete's height. */
export function bmi(weightKg: number): number {
  return weightKg / (HEIGHT_M * HEIGHT_M);
}
