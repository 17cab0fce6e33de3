/**
 * Garmin watch FIT activity files for the demo athlete, written as the
 * official FIT SDK's Encoder writes them (fit_writer.ts). Records follow
 * "smart recording": every few seconds, denser for football where sprints matter.
 */
import { Profile } from '@garmin/fitsdk';
import { FitWriter } from './fit_writer.ts';
import type { Device, PlannedWorkout, WorkoutKind } from './athlete.ts';
import { Rng } from './random.ts';
import { summarise, type Track, type TrackAthlete, type TrackSummary } from './track.ts';

/** One session of a FIT file: the workout, its samples and their summary. */
export interface FitLeg {
  workout: PlannedWorkout;
  track: Track;
  summary: TrackSummary;
}

const FIT_EPOCH_S = 631_065_600;

function mesgNum(name: string): number {
  const num = (Profile.MesgNum as Record<string, number | undefined>)[name];
  if (num === undefined) throw new Error(`FIT profile has no message ${name}`);
  return num;
}
/** Write one message; field names and enum strings are the SDK profile's (camelCase). */
function put(enc: FitWriter, num: number, fields: Record<string, unknown>): void {
  enc.onMesg(num, fields);
}

const MESG = {
  FILE_ID: mesgNum('FILE_ID'),
  DEVICE_INFO: mesgNum('DEVICE_INFO'),
  EVENT: mesgNum('EVENT'),
  RECORD: mesgNum('RECORD'),
  LAP: mesgNum('LAP'),
  SESSION: mesgNum('SESSION'),
  ACTIVITY: mesgNum('ACTIVITY'),
};
const SEMICIRCLES_PER_DEGREE = 2 ** 31 / 180;

const FIT_SPORT: Record<WorkoutKind, { sport: string; subSport: string }> = {
  easy_run: { sport: 'running', subSport: 'road' },
  long_run: { sport: 'running', subSport: 'road' },
  interval_run: { sport: 'running', subSport: 'road' },
  race_run: { sport: 'running', subSport: 'road' },
  treadmill_run: { sport: 'running', subSport: 'treadmill' },
  road_ride: { sport: 'cycling', subSport: 'road' },
  indoor_ride: { sport: 'cycling', subSport: 'indoorCycling' },
  strength: { sport: 'training', subSport: 'strengthTraining' },
  swim: { sport: 'swimming', subSport: 'lapSwimming' },
  football: { sport: 'soccer', subSport: 'generic' },
};

/** Seconds between records (min, max) per kind, like Garmin's smart recording. */
function recordGap(kind: WorkoutKind): [number, number] {
  if (kind === 'football') return [2, 5];
  if (kind === 'interval_run') return [3, 6];
  if (kind === 'strength' || kind === 'swim') return [10, 15];
  return [8, 12];
}

/** Indices of the 1 Hz samples a watch keeps. */
export function recordIndices(kind: WorkoutKind, n: number, rng: Rng): number[] {
  const [lo, hi] = recordGap(kind);
  const out: number[] = [];
  for (let t = 0; t < n; t += rng.int(lo, hi)) out.push(t);
  if (out[out.length - 1] !== n - 1) out.push(n - 1);
  return out;
}

/** Encode one activity file: one session per leg (two for a brick). */
export function encodeFitActivity(legs: FitLeg[], device: Device, athlete: TrackAthlete): Uint8Array {
  const first = legs[0];
  const last = legs[legs.length - 1];
  if (!first || !last) throw new Error('a FIT activity needs at least one leg');
  const enc = new FitWriter();
  const start = new Date(first.workout.startMs);
  put(enc, MESG.FILE_ID, {
    type: 'activity',
    manufacturer: 'garmin',
    product: device.product,
    serialNumber: device.serialNumber,
    timeCreated: start,
  });
  put(enc, MESG.DEVICE_INFO, {
    timestamp: start,
    deviceIndex: 'creator',
    manufacturer: 'garmin',
    product: device.product,
    serialNumber: device.serialNumber,
    softwareVersion: 19.18,
  });
  let lapIndex = 0;
  let timer = 0;
  legs.forEach((leg, legIndex) => {
    const { workout: w, track } = leg;
    const rng = new Rng(w.seed).fork('fit');
    const legStart = new Date(w.startMs);
    const legEnd = new Date(w.startMs + (track.n - 1) * 1000);
    put(enc, MESG.EVENT, { timestamp: legStart, event: 'timer', eventType: 'start', eventGroup: 0 });
    for (const t of recordIndices(w.kind, track.n, rng)) {
      put(enc, MESG.RECORD, {
        timestamp: new Date(w.startMs + t * 1000),
        positionLat: track.lat ? Math.round((track.lat[t] ?? 0) * SEMICIRCLES_PER_DEGREE) : undefined,
        positionLong: track.lon ? Math.round((track.lon[t] ?? 0) * SEMICIRCLES_PER_DEGREE) : undefined,
        enhancedAltitude: track.alt ? round1(track.alt[t] ?? 0) : undefined,
        distance: w.kind === 'strength' ? undefined : round2(track.dist[t] ?? 0),
        enhancedSpeed: w.kind === 'strength' ? undefined : round3(track.speed[t] ?? 0),
        heartRate: track.hr[t],
        cadence: track.cadence ? track.cadence[t] : undefined,
        power: track.power ? track.power[t] : undefined,
      });
    }
    put(enc, MESG.EVENT, { timestamp: legEnd, event: 'timer', eventType: 'stopAll', eventGroup: 0 });
    const laps = lapBounds(w.kind, track);
    const firstLap = lapIndex;
    for (const [from, to] of laps) {
      const s = summarise(track, athlete, from, to);
      put(enc, MESG.LAP, {
        messageIndex: lapIndex++,
        timestamp: new Date(w.startMs + (to - 1) * 1000),
        startTime: new Date(w.startMs + from * 1000),
        event: 'lap',
        eventType: 'stop',
        lapTrigger: to === track.n ? 'sessionEnd' : 'distance',
        ...totals(s, track),
        sport: FIT_SPORT[w.kind].sport,
        subSport: FIT_SPORT[w.kind].subSport,
      });
    }
    const s = leg.summary;
    timer += s.elapsedS;
    put(enc, MESG.SESSION, {
      messageIndex: legIndex,
      timestamp: legEnd,
      startTime: legStart,
      event: 'session',
      eventType: 'stop',
      trigger: 'activityEnd',
      sport: FIT_SPORT[w.kind].sport,
      subSport: FIT_SPORT[w.kind].subSport,
      firstLapIndex: firstLap,
      numLaps: laps.length,
      startPositionLat: track.lat ? Math.round((track.lat[0] ?? 0) * SEMICIRCLES_PER_DEGREE) : undefined,
      startPositionLong: track.lon ? Math.round((track.lon[0] ?? 0) * SEMICIRCLES_PER_DEGREE) : undefined,
      poolLength: w.kind === 'swim' ? 25 : undefined,
      ...totals(s, track),
    });
  });
  const end = last.workout.startMs + (last.track.n - 1) * 1000;
  put(enc, MESG.ACTIVITY, {
    timestamp: new Date(end),
    totalTimerTime: timer,
    numSessions: legs.length,
    type: 'manual',
    event: 'activity',
    eventType: 'stop',
    // Local time as FIT seconds: the offset is localTimestamp - timestamp.
    localTimestamp: Math.floor(end / 1000) - FIT_EPOCH_S + last.workout.offsetMin * 60,
  });
  return enc.close();
}

function totals(s: TrackSummary, track: Track): Record<string, number | undefined> {
  const hasDistance = s.distanceM > 0;
  return {
    totalElapsedTime: s.elapsedS,
    totalTimerTime: s.elapsedS,
    totalDistance: hasDistance ? round2(s.distanceM) : undefined,
    enhancedAvgSpeed: hasDistance ? round3(s.avgSpeed) : undefined,
    enhancedMaxSpeed: hasDistance ? round3(s.maxSpeed) : undefined,
    totalCalories: Math.round(s.calories),
    avgHeartRate: Math.round(s.avgHr),
    maxHeartRate: Math.round(s.maxHr),
    avgCadence: s.avgCadence === null ? undefined : Math.round(s.avgCadence),
    maxCadence: s.maxCadence === null ? undefined : Math.round(s.maxCadence),
    avgPower: s.avgPower === null ? undefined : Math.round(s.avgPower),
    maxPower: s.maxPower === null ? undefined : Math.round(s.maxPower),
    totalAscent: track.alt ? Math.round(s.ascentM) : undefined,
    totalDescent: track.alt ? Math.round(s.descentM) : undefined,
  };
}

/** Auto-laps: every km on foot, every 5 km on the bike, one lap otherwise. */
function lapBounds(kind: WorkoutKind, track: Track): [number, number][] {
  const every = kind.endsWith('_run') ? 1000 : kind.endsWith('_ride') ? 5000 : 0;
  if (every === 0) return [[0, track.n]];
  const out: [number, number][] = [];
  let from = 0;
  let next = every;
  for (let t = 0; t < track.n; t++) {
    if ((track.dist[t] ?? 0) >= next) {
      out.push([from, t + 1]);
      from = t + 1;
      next += every;
    }
  }
  if (from < track.n) out.push([from, track.n]);
  return out;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
