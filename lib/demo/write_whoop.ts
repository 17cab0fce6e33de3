/**
 * A WHOOP account export: physiological_cycles.csv, sleeps.csv, workouts.csv
 * and journal_entries.csv, local wall-clock times with the cycle's offset.
 */
import type { DayRecord, PlannedWorkout, WorkoutKind } from './athlete.ts';
import { localWall, offsetLabel } from './clock.ts';
import { csvText } from './csv.ts';
import { Rng } from './random.ts';
import { whoopExternalId } from './source_ids.ts';
import type { TrackSummary } from './track.ts';

const CYCLE = ['Cycle start time', 'Cycle end time', 'Cycle timezone'];
const SLEEP = [
  'Sleep onset', 'Wake onset', 'Sleep performance %', 'Respiratory rate (rpm)', 'Asleep duration (min)',
  'In bed duration (min)', 'Light sleep duration (min)', 'Deep (SWS) duration (min)', 'REM duration (min)',
  'Awake duration (min)', 'Sleep need (min)', 'Sleep debt (min)', 'Sleep efficiency %', 'Sleep consistency %',
];
/** Header of physiological_cycles.csv. */
export const WHOOP_CYCLES_HEADER: readonly string[] = [
  ...CYCLE, 'Recovery score %', 'Resting heart rate (bpm)', 'Heart rate variability (ms)', 'Skin temp (celsius)',
  'Blood oxygen %', 'Day Strain', 'Energy burned (cal)', 'Max HR (bpm)', 'Average HR (bpm)', ...SLEEP,
];
/** Header of sleeps.csv. */
export const WHOOP_SLEEPS_HEADER: readonly string[] = [...CYCLE, ...SLEEP, 'Nap'];
/** Header of workouts.csv. */
export const WHOOP_WORKOUTS_HEADER: readonly string[] = [
  ...CYCLE, 'Workout start time', 'Workout end time', 'Duration (min)', 'Activity name', 'Activity Strain',
  'Energy burned (cal)', 'Max HR (bpm)', 'Average HR (bpm)', 'HR Zone 1 %', 'HR Zone 2 %', 'HR Zone 3 %', 'HR Zone 4 %',
  'HR Zone 5 %', 'GPS enabled', 'Distance (meters)', 'Altitude gain (meters)', 'Altitude change (meters)',
];
/** Header of journal_entries.csv. */
export const WHOOP_JOURNAL_HEADER: readonly string[] = [...CYCLE, 'Question text', 'Answered yes', 'Notes'];

const WHOOP_ACTIVITY: Record<WorkoutKind, string> = {
  easy_run: 'Running', long_run: 'Running', interval_run: 'Running', race_run: 'Running', treadmill_run: 'Running',
  road_ride: 'Cycling', indoor_ride: 'Cycling', strength: 'Weightlifting', swim: 'Swimming', football: 'Soccer',
};

/** One workout as WHOOP saw it. */
export interface WhoopInput {
  workout: PlannedWorkout;
  summary: TrackSummary;
}

/** Files by relative path and each recorded workout's WHOOP external id. */
export interface WhoopOutput {
  files: Map<string, string>;
  ids: Map<string, string>;
  cycles: number;
}

/** Write the four WHOOP CSV files; rows newest first, as WHOOP exports them. */
export function writeWhoop(days: DayRecord[], inputs: WhoopInput[], maxHr: number, seed: number): WhoopOutput {
  const rng = Rng.from(seed, 'whoop');
  const cycleCells: string[][] = [];
  const cycleRows: (string | number)[][] = [];
  const sleepRows: (string | number)[][] = [];
  const journalRows: (string | number)[][] = [];
  const byDay = new Map<string, number>();
  days.forEach((d, i) => {
    byDay.set(d.day, i);
    const next = days[i + 1];
    const onset = d.sleep.bedStartMs + d.sleep.latencyS * 1000;
    const end = next ? localWall(next.sleep.bedStartMs + next.sleep.latencyS * 1000, d.offsetMin) : '';
    const cycle = [localWall(onset, d.offsetMin), end, `UTC${offsetLabel(d.offsetMin)}`];
    cycleCells.push(cycle);
    const s = d.sleep;
    const needMin = Math.round(450 + d.load / 20);
    const asleepMin = Math.round(s.asleepS / 60);
    const sleep = [
      localWall(onset, d.offsetMin), localWall(s.bedEndMs, d.offsetMin), Math.min(100, Math.round((100 * asleepMin) / needMin)),
      s.respiratoryRate.toFixed(1), asleepMin, Math.round((s.bedEndMs - s.bedStartMs) / 60000) - Math.round(s.latencyS / 60),
      Math.round(s.lightS / 60), Math.round(s.deepS / 60), Math.round(s.remS / 60), Math.round(s.awakeS / 60), needMin,
      Math.max(0, needMin - asleepMin), Math.round(s.efficiency * 100), rng.int(62, 94),
    ];
    const recovery = Math.round(clamp(55 + (d.hrvRmssd - 66) * 2.2 - (d.restingHr - 51) * 3, 3, 99));
    const strain = Math.min(21, 4 + 15 * (1 - Math.exp(-d.load / 450)));
    cycleRows.push([
      ...cycle, recovery, d.restingHr, Math.round(d.hrvRmssd), d.skinTempC.toFixed(2), d.spo2Pct.toFixed(2), strain.toFixed(1),
      Math.round(2150 + d.load * 1.6), Math.round(d.load > 0 ? 150 + d.load / 20 : 118 + rng.int(0, 15)), 64 + rng.int(-3, 6), ...sleep,
    ]);
    sleepRows.push([...cycle, ...sleep, 'false']);
    if (rng.chance(0.55)) {
      journalRows.push([...cycle, 'Have any alcoholic drinks?', rng.chance(0.2) ? 'true' : 'false', '']);
      journalRows.push([...cycle, 'Feeling sick or ill? ', d.ill ? 'true' : 'false', d.ill ? 'sore throat' : '']);
      if (d.travelling) journalRows.push([...cycle, 'Travel across time zones?', 'true', 'Brisbane trip']);
    }
  });

  const ids = new Map<string, string>();
  const workoutRows: { start: number; cells: (string | number)[] }[] = [];
  for (const { workout: w, summary: s } of inputs) {
    if (!w.coverage.whoop) continue;
    const r = new Rng(w.seed).fork('whoop');
    const start = w.startMs + r.int(-120, 120) * 1000;
    const end = w.startMs + s.elapsedS * 1000 + r.int(-120, 120) * 1000;
    const dayIdx = byDay.get(w.day) ?? 0;
    const cycle = cycleCells[dayIdx] ?? ['', '', 'UTC+00:00'];
    ids.set(w.truthId, whoopExternalId(start));
    const avg = Math.round(s.avgHr + r.normal(0, 1.5));
    const zones = hrZones(avg / maxHr);
    const gps = w.kind === 'road_ride' || w.kind.endsWith('_run') && w.kind !== 'treadmill_run';
    // The jittered maximum is never below the jittered average: WHOOP's own export never shows that.
    workoutRows.push({
      start,
      cells: [
        ...cycle, localWall(start, w.offsetMin), localWall(end, w.offsetMin), Math.round((end - start) / 60000),
        r.chance(0.08) ? 'Activity' : WHOOP_ACTIVITY[w.kind], Math.min(21, 5 + 13 * (1 - Math.exp(-w.load / 350))).toFixed(1),
        Math.round(s.calories * r.range(0.92, 1.08)), Math.max(avg, Math.round(s.maxHr + r.int(-2, 2))), avg, ...zones,
        gps ? 'true' : 'false', gps ? Math.round(s.distanceM) : '', gps ? s.ascentM.toFixed(1) : '', gps ? '0.0' : '',
      ],
    });
  }
  workoutRows.sort((a, b) => b.start - a.start);
  const newestFirst = <T>(xs: T[]): T[] => [...xs].reverse();
  const files = new Map<string, string>([
    ['whoop_export/physiological_cycles.csv', csvText(WHOOP_CYCLES_HEADER, newestFirst(cycleRows))],
    ['whoop_export/sleeps.csv', csvText(WHOOP_SLEEPS_HEADER, newestFirst(sleepRows))],
    ['whoop_export/workouts.csv', csvText(WHOOP_WORKOUTS_HEADER, workoutRows.map((x) => x.cells))],
    ['whoop_export/journal_entries.csv', csvText(WHOOP_JOURNAL_HEADER, newestFirst(journalRows))],
  ]);
  return { files, ids, cycles: cycleRows.length };
}

/** Percent of time in five zones, centred on the average intensity. */
function hrZones(frac: number): number[] {
  const centre = clamp((frac - 0.5) / 0.1, 0, 4);
  const w = [0, 1, 2, 3, 4].map((z) => Math.exp(-((z - centre) ** 2)));
  const total = w.reduce((a, b) => a + b, 0);
  const pct = w.map((x) => Math.round((100 * x) / total));
  return pct;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
