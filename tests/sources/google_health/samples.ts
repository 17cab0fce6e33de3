/**
 * Archive members and API data points built from one description of each
 * exercise, night and day, in the shapes public write-ups and parsers of real
 * Fitbit archives show (see lib/sources/google_health/export.ts) and the
 * Google Health API v4 REST reference documents.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { zipSync } from 'fflate';

/** One exercise as it happened. */
export interface ExerciseSpec {
  logId: string;
  name: string;
  exerciseType: string;
  /** Start instant, ISO UTC. */
  startUtc: string;
  /** Local offset, minutes east. */
  offsetMin: number;
  durationS: number;
  activeS: number;
  distance: number;
  distanceUnit: 'Kilometer' | 'Mile';
  calories: number;
  avgHr: number;
  steps: number;
  elevationM: number;
  /** A GPS track (a TCX) was recorded. */
  gps: boolean;
}

/** One night as it happened (local wall times). */
export interface SleepSpec {
  logId: string;
  startLocal: string;
  endLocal: string;
  offsetMin: number;
  asleepMin: number;
  awakeMin: number;
  inBedMin: number;
  deepMin: number;
  lightMin: number;
  remMin: number;
  main: boolean;
}

export const RUN: ExerciseSpec = {
  logId: '54939192717',
  name: 'Run',
  exerciseType: 'RUNNING',
  // 06:50:26 at UTC+10:00 (as in a public Fitbit TCX).
  startUtc: '2023-04-08T20:50:26.000Z',
  offsetMin: 600,
  durationS: 1800,
  activeS: 1740,
  distance: 5.04,
  distanceUnit: 'Kilometer',
  calories: 412,
  avgHr: 149,
  steps: 5210,
  elevationM: 31.5,
  gps: true,
};

export const WALK: ExerciseSpec = {
  logId: '54950000001',
  name: 'Walk',
  exerciseType: 'WALKING',
  startUtc: '2023-04-09T07:10:00.000Z',
  offsetMin: 600,
  durationS: 1200,
  activeS: 1200,
  distance: 0.8,
  distanceUnit: 'Mile',
  calories: 95,
  avgHr: 98,
  steps: 1610,
  elevationM: 4,
  gps: false,
};

export const NIGHT: SleepSpec = {
  logId: '39958970367',
  startLocal: '2023-04-08T22:47:30',
  endLocal: '2023-04-09T06:01:30',
  offsetMin: 600,
  asleepMin: 392,
  awakeMin: 42,
  inBedMin: 434,
  deepMin: 75,
  lightMin: 269,
  remMin: 48,
  main: true,
};

const MM_PER = { Kilometer: 1_000_000, Mile: 1_609_344 };

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
/** Fitbit's "MM/DD/YY HH:MM:SS" of an instant, in UTC. */
export function fitbitShort(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${pad(d.getUTCFullYear() % 100)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}
const offsetText = (min: number) => `${min < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(min) / 60))}:${pad(Math.abs(min) % 60)}`;
/** ISO local time with its offset, as Fitbit's TCX writes it. */
export function localIso(ms: number, offsetMin: number): string {
  return `${new Date(ms + offsetMin * 60_000).toISOString().slice(0, 23)}${offsetText(offsetMin)}`;
}
const civil = (local: string) => {
  const [d, t] = local.split('T') as [string, string];
  const [y, mo, da] = d.split('-').map(Number) as [number, number, number];
  const [h, mi, s] = t.split(':').map(Number) as [number, number, number];
  return { date: { year: y, month: mo, day: da }, time: { hours: h, minutes: mi, seconds: s, nanos: 0 } };
};

/** Heart rate inside an exercise: a sample every 5 s, 120-149 bpm. */
export function exerciseHr(x: ExerciseSpec): { time: number[]; bpm: number[] } {
  const t0 = Date.parse(x.startUtc);
  const time: number[] = [];
  const bpm: number[] = [];
  for (let s = 0; s < x.durationS; s += 5) {
    time.push(t0 + s * 1000);
    bpm.push(120 + ((s / 5) % 30));
  }
  return { time, bpm };
}

/** A Fitbit TCX of the exercise: local times with offset, a point every 5 s heading north at 2.8 m/s, with heart rate. */
export function fitbitTcx(x: ExerciseSpec): string {
  const t0 = Date.parse(x.startUtc);
  const hr = exerciseHr(x);
  const points = hr.time
    .map((t, i) => {
      const d = i * 5 * 2.8;
      return `<Trackpoint><Time>${localIso(t, x.offsetMin)}</Time><Position><LatitudeDegrees>${(-35.2803 + d / 111_195).toFixed(7)}</LatitudeDegrees><LongitudeDegrees>149.1292</LongitudeDegrees></Position><AltitudeMeters>${(625 + (i % 20)).toFixed(1)}</AltitudeMeters><DistanceMeters>${d.toFixed(2)}</DistanceMeters><HeartRateBpm><Value>${hr.bpm[i]}</Value></HeartRateBpm></Trackpoint>`;
    })
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">
<Activities><Activity Sport="Running"><Id>${localIso(t0, x.offsetMin)}</Id>
<Lap StartTime="${localIso(t0, x.offsetMin)}"><TotalTimeSeconds>${x.durationS}</TotalTimeSeconds><DistanceMeters>${x.distance * 1000}</DistanceMeters><Calories>${x.calories}</Calories><Intensity>Active</Intensity><TriggerMethod>Manual</TriggerMethod>
<Track>
${points}
</Track></Lap></Activity></Activities></TrainingCenterDatabase>
`;
}

/** An `exercise-N.json` entry (startTime in UTC, per the archive rules). */
export function exerciseEntry(x: ExerciseSpec): Record<string, unknown> {
  const t0 = Date.parse(x.startUtc);
  return {
    logId: Number(x.logId),
    activityName: x.name,
    activityTypeId: x.name === 'Run' ? 90009 : 90013,
    activityLevel: [{ minutes: 2, name: 'sedentary' }, { minutes: 28, name: 'very' }],
    averageHeartRate: x.avgHr,
    calories: x.calories,
    duration: x.durationS * 1000,
    activeDuration: x.activeS * 1000,
    steps: x.steps,
    logType: 'tracker',
    lastModified: fitbitShort(t0 + x.durationS * 1000 + 600_000),
    startTime: fitbitShort(t0),
    originalStartTime: fitbitShort(t0),
    originalDuration: x.durationS * 1000,
    elevationGain: x.elevationM,
    hasGps: x.gps,
    shouldFetchDetails: x.gps,
    ...(x.gps ? { tcxLink: `https://www.fitbit.com/activities/exercise/${x.logId}?export=tcx` } : {}),
    distance: x.distance,
    distanceUnit: x.distanceUnit,
    source: { type: 'tracker', name: 'Charge 5', id: '2033482', url: 'https://www.fitbit.com/', trackerFeatures: ['HEARTRATE', 'GPS'] },
  };
}

/** The API's `exercise` data point of the same exercise. */
export function exercisePoint(x: ExerciseSpec): Record<string, unknown> {
  const t0 = Date.parse(x.startUtc);
  const t1 = t0 + x.durationS * 1000;
  const off = `${x.offsetMin * 60}s`;
  return {
    name: `users/me/dataTypes/exercise/dataPoints/${x.logId}`,
    dataSource: { platform: 'FITBIT', recordingMethod: 'ACTIVELY_MEASURED', device: { formFactor: 'FITNESS_BAND', manufacturer: 'Fitbit', displayName: 'Charge 5' } },
    exercise: {
      interval: {
        startTime: new Date(t0).toISOString(),
        startUtcOffset: off,
        endTime: new Date(t1).toISOString(),
        endUtcOffset: off,
        civilStartTime: civil(localIso(t0, x.offsetMin).slice(0, 19)),
        civilEndTime: civil(localIso(t1, x.offsetMin).slice(0, 19)),
      },
      exerciseType: x.exerciseType,
      displayName: x.name,
      activeDuration: `${x.activeS}s`,
      metricsSummary: {
        caloriesKcal: x.calories,
        distanceMillimeters: x.distance * MM_PER[x.distanceUnit],
        steps: String(x.steps),
        averageHeartRateBeatsPerMinute: String(x.avgHr),
        elevationGainMillimeters: x.elevationM * 1000,
        activeZoneMinutes: '24',
      },
      exerciseMetadata: { hasGps: x.gps },
      createTime: new Date(t1 + 60_000).toISOString(),
      updateTime: new Date(t1 + 60_000).toISOString(),
    },
  };
}

/** The API's `heart-rate` points of samples. */
export function heartRatePoints(hr: { time: number[]; bpm: number[] }, offsetMin: number): Record<string, unknown>[] {
  return hr.time.map((t, i) => ({
    dataSource: { platform: 'FITBIT', recordingMethod: 'PASSIVELY_MEASURED' },
    heartRate: { sampleTime: { physicalTime: new Date(t).toISOString(), utcOffset: `${offsetMin * 60}s` }, beatsPerMinute: String(hr.bpm[i]), metadata: { sensorLocation: 'WRIST' } },
  }));
}

/** `heart_rate-YYYY-MM-DD.json` in Fitbit's layout: UTC "MM/DD/YY HH:MM:SS". */
export function heartRateJson(hr: { time: number[]; bpm: number[] }): string {
  return `[${hr.time.map((t, i) => `{\n  "dateTime" : "${fitbitShort(t)}",\n  "value" : {\n    "bpm" : ${hr.bpm[i]},\n    "confidence" : 2\n  }\n}`).join(',')}]`;
}

/** `heart_rate_YYYY-MM-DD.csv`: ISO UTC with Z. */
export function heartRateCsv(hr: { time: number[]; bpm: number[] }): string {
  return `timestamp,beats per minute,data source\n${hr.time.map((t, i) => `${new Date(t).toISOString().slice(0, 19)}Z,${hr.bpm[i]}.0,Charge 5`).join('\n')}\n`;
}

/** A `sleep-*.json` entry: local wall times without offset. */
export function sleepEntry(n: SleepSpec): Record<string, unknown> {
  return {
    logId: Number(n.logId),
    dateOfSleep: n.endLocal.slice(0, 10),
    startTime: `${n.startLocal}.000`,
    endTime: `${n.endLocal}.000`,
    duration: n.inBedMin * 60_000,
    minutesToFallAsleep: 0,
    minutesAsleep: n.asleepMin,
    minutesAwake: n.awakeMin,
    minutesAfterWakeup: 0,
    timeInBed: n.inBedMin,
    efficiency: 93,
    type: n.main ? 'stages' : 'classic',
    infoCode: 0,
    logType: 'auto_detected',
    levels: n.main
      ? {
          summary: {
            deep: { count: 5, minutes: n.deepMin, thirtyDayAvgMinutes: 70 },
            wake: { count: 29, minutes: n.awakeMin, thirtyDayAvgMinutes: 40 },
            light: { count: 30, minutes: n.lightMin, thirtyDayAvgMinutes: 260 },
            rem: { count: 4, minutes: n.remMin, thirtyDayAvgMinutes: 60 },
          },
          data: [{ dateTime: `${n.startLocal}.000`, level: 'wake', seconds: 30 }],
          shortData: [],
        }
      : { summary: { restless: { count: 2, minutes: 3 }, awake: { count: 0, minutes: 0 }, asleep: { count: 0, minutes: n.asleepMin } }, data: [] },
    mainSleep: n.main,
  };
}

/** The API's `sleep` data point of the same night. */
export function sleepPoint(n: SleepSpec): Record<string, unknown> {
  const toUtc = (local: string) => new Date(Date.parse(`${local}Z`) - n.offsetMin * 60_000).toISOString();
  const off = `${n.offsetMin * 60}s`;
  return {
    name: `users/me/dataTypes/sleep/dataPoints/${n.logId}`,
    dataSource: { platform: 'FITBIT', recordingMethod: 'PASSIVELY_MEASURED' },
    sleep: {
      interval: { startTime: toUtc(n.startLocal), startUtcOffset: off, endTime: toUtc(n.endLocal), endUtcOffset: off, civilStartTime: civil(n.startLocal), civilEndTime: civil(n.endLocal) },
      type: n.main ? 'STAGES' : 'CLASSIC',
      metadata: { nap: !n.main, processed: true, stagesStatus: 'SUCCEEDED' },
      summary: {
        minutesAsleep: String(n.asleepMin),
        minutesAwake: String(n.awakeMin),
        minutesInSleepPeriod: String(n.inBedMin),
        stagesSummary: [
          { type: 'DEEP', minutes: String(n.deepMin), count: '5' },
          { type: 'LIGHT', minutes: String(n.lightMin), count: '30' },
          { type: 'REM', minutes: String(n.remMin), count: '4' },
          { type: 'AWAKE', minutes: String(n.awakeMin), count: '29' },
        ],
      },
    },
  };
}

/** Heart rate of a local day: the exercises' samples plus one every 10 min outside them. */
export function dayOfHeartRate(dayStartUtc: number, exercises: ExerciseSpec[]): { time: number[]; bpm: number[] } {
  const time: number[] = [];
  const bpm: number[] = [];
  const inside = (t: number) => exercises.some((x) => t >= Date.parse(x.startUtc) && t < Date.parse(x.startUtc) + x.durationS * 1000);
  for (let t = dayStartUtc; t < dayStartUtc + 86_400_000; t += 600_000) {
    if (inside(t)) continue;
    time.push(t);
    bpm.push(61);
  }
  for (const x of exercises) {
    const hr = exerciseHr(x);
    time.push(...hr.time);
    bpm.push(...hr.bpm);
  }
  const order = time.map((_, i) => i).sort((a, b) => time[a]! - time[b]!);
  return { time: order.map((i) => time[i]!), bpm: order.map((i) => bpm[i]!) };
}

/** The older archive (fitbit.com export / Takeout "Fitbit"): per-type JSON, an account in pounds at UTC+10:00. */
export function olderArchive(): Record<string, string> {
  const root = 'MyFitbitData/Ana';
  // The local day 2023-04-09 at UTC+10:00 starts at 2023-04-08T14:00Z.
  const hr = dayOfHeartRate(Date.parse('2023-04-08T14:00:00Z'), [RUN, WALK]);
  return {
    [`${root}/Physical Activity/exercise-0.json`]: JSON.stringify([exerciseEntry(RUN), exerciseEntry(WALK)], null, 2),
    [`${root}/Physical Activity/heart_rate-2023-04-09.json`]: heartRateJson(hr),
    [`${root}/Sleep/sleep-2023-04-08.json`]: JSON.stringify([
      sleepEntry(NIGHT),
      sleepEntry({ ...NIGHT, logId: '39958970999', startLocal: '2023-04-09T14:00:00', endLocal: '2023-04-09T14:40:00', asleepMin: 38, inBedMin: 40, awakeMin: 2, main: false }),
    ]),
    [`${root}/Physical Activity/resting_heart_rate-2023-04-09.json`]: JSON.stringify([
      { dateTime: '04/09/23 00:00:00', value: { date: '04/09/23', value: 52.61, error: 6.78 } },
      { dateTime: '04/10/23 00:00:00', value: { date: null, value: 0.0, error: 0.0 } },
    ]),
    [`${root}/Sleep/Daily Heart Rate Variability Summary - 2023-04-(09).csv`]: 'timestamp,rmssd,nremhr,entropy\n2023-04-09T00:00:00,38.412,55.873,2.911\n',
    [`${root}/Personal & Account/weight-2023-04-01.json`]: JSON.stringify([
      { logId: 1681024360000, weight: 176.4, bmi: 24.61, fat: 19.5, date: '04/09/23', time: '07:12:40', source: 'Aria' },
    ]),
    [`${root}/tcx/${RUN.logId}.tcx`]: fitbitTcx(RUN),
  };
}

/** Write a file tree under `dir`. */
export function writeTree(dir: string, files: Record<string, string | Uint8Array>): void {
  for (const [rel, body] of Object.entries(files)) {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, body);
  }
}

/** A zip (deflated) of a file tree. */
export function zipOf(files: Record<string, string | Uint8Array>): Uint8Array {
  const enc = new TextEncoder();
  return zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, typeof v === 'string' ? enc.encode(v) : v])));
}
