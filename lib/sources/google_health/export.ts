/**
 * The Fitbit account archive (Google Takeout "Fitbit" / "Google Health", or
 * fitbit.com's "Export Your Account Archive"), as folders or the zip itself,
 * read into the Google Health API's own shapes (map.ts maps them). Both
 * generations: the per-type JSON of `Global Export Data/` and the per-metric
 * CSV time series of `Physical Activity_GoogleData/`. Members are recognised
 * by content and file name, never by folder, since the folder names changed.
 *
 * Which clock each member's times are on, and its units (each with its source):
 * - `exercise-N.json` `startTime` "MM/DD/YY HH:MM:SS" is UTC: saubury/duckdb-fitbit
 *   (fitbit-analysis.md) adds its author's +11 h to exercise start times as to
 *   heart rate, and yorozu-craft's fitbit-export reader (README) takes startTime
 *   as UTC unless `originalStartTime` carries an offset; a value with an offset
 *   is used as written. One public reader takes it as local time instead, so
 *   when the exercise's TCX is in the archive its start, which carries its
 *   offset, wins. `duration`/`activeDuration` are ms; `distance` is in
 *   `distanceUnit` ("Kilometer", "Mile"); `elevationGain` is metres (the walk
 *   in duckdb-fitbit gains 67.056, exactly 220 ft written in metres).
 * - A Fitbit TCX (`<logId>.tcx`, also named by `tcxLink`) writes local time with
 *   its offset (duckdb-fitbit's MyFitbitData/tcx/54939192717.tcx:
 *   `2023-04-09T06:50:26.000+10:00`): it gives its exercise the local offset.
 * - `heart_rate-YYYY-MM-DD.json` `dateTime` "MM/DD/YY HH:MM:SS" is UTC, the
 *   file spanning the local day it is named after (duckdb-fitbit: the +11 h
 *   author's heart_rate-2023-01-26.json runs 01/25/23 13:00 to 01/26/23 12:59;
 *   a public write-up of a July 2026 Takeout: "Timestamp values are UTC, but
 *   each day file is bounded by local day").
 * - `heart_rate_YYYY-MM-DD.csv` `timestamp` ends in Z and is UTC (kev-m/FitOut's
 *   sample `2024-10-27T00:00:04Z`; the same write-up: ISO-8601 UTC timestamps).
 * - `sleep-*.json` `startTime`/`endTime` have no offset and are local wall time
 *   (andykong.org/blog/fitbitsleeptzcorrection: bedtimes keep their hour across
 *   time zones; the write-up: "naive local timestamps (unlike intraday JSON!)").
 *   The night belongs to the local date of `endTime`.
 * - `resting_heart_rate-*.json` `value.date` "MM/DD/YY" is the local day; a day
 *   without a value is `{"date": null, "value": 0}` (kev-m/FitOut's example).
 * - `daily_resting_heart_rate.csv` and `daily_heart_rate_variability.csv` write
 *   the local day as midnight with a Z: the date part is the day, never shifted
 *   (a public reader of 2026 Google Health archives: "Fitbit CSV timestamps
 *   ending in Z preserve local wall-clock values"); an HRV of 0 means none
 *   (the same reader). `Daily Heart Rate Variability Summary - *.csv` has
 *   `timestamp,rmssd,nremhr,entropy`, the date and the night's RMSSD in ms
 *   (kev-m/FitOut).
 * - `weight-*.json` has no unit: the weight is in the account's display unit,
 *   pounds for a US account (danlsn/fitport README: "weight in pounds"; the
 *   write-up: "pounds + naive local date/time"), `date` "MM/DD/YY" and `time`
 *   local. The unit is decided by the same day's `weight.csv` row (grams) when
 *   the archive has one, else pounds, and the import says so.
 * - `weight.csv` has `weight grams` (the write-up; armixlabs/FitbitToGarminConverter as
 *   cited by yorozu-craft's reader) and a Z timestamp taken as UTC (yorozu-craft's reader);
 *   `body_fat_*.csv` has `body fat percentage`.
 */
import { posix } from 'node:path';
import { z } from 'zod';
import { emptyResult, type ImportError, type ParseResult } from '../../core/models.ts';
import { redact } from '../../core/redact.ts';
import { readCsv, columnIndex, type CsvTable } from '../../formats/csv.ts';
import { parseTcx } from '../../formats/tcx.ts';
import { csvCells, jsonArrayBatches, textLines } from './archive_stream.ts';
import { civilJson, civilMs, dateJson, iso, isoCivil, offsetInstant, shortDate, shortDateMs, zuluMs, type Civil } from './archive_time.ts';
import { SOURCE } from './index.ts';
import { durationOf, mapExercise, mapReadings, trackFromTcx, type ExerciseTrack, type GoogleHealthOrigin, type HeartRateSamples, type ReadingType } from './map.ts';

/** One file of an archive (an `InputEntry` of the importer fits). */
export interface ArchiveMember {
  name: string;
  head(n: number): Uint8Array;
  read(): Uint8Array;
  stream(): AsyncIterable<Uint8Array>;
}

/** Options of {@link readGoogleHealthArchive}. */
export interface ArchiveOptions {
  /** Overrides the source name (default `google_health`). */
  source?: string;
  athleteId?: string;
}

/** What an archive gave, and the TCX files it joined to its exercises. */
export interface ArchiveResult {
  result: ParseResult;
  usedTracks: ArchiveMember[];
}

/** The members read. */
export type MemberKind =
  | 'exercise_json'
  | 'sleep_json'
  | 'heart_rate_json'
  | 'resting_heart_rate_json'
  | 'weight_json'
  | 'fat_json'
  | 'hrv_summary_csv'
  | 'heart_rate_csv'
  | 'daily_resting_heart_rate_csv'
  | 'daily_hrv_csv'
  | 'weight_csv'
  | 'body_fat_csv';

const JSON_KINDS: readonly [MemberKind, RegExp, readonly string[]][] = [
  ['exercise_json', /^exercise-\d+\.json$/, ['"logId"', '"activityName"']],
  ['sleep_json', /^sleep-[\d-]+\.json$/, ['"logId"', '"dateOfSleep"']],
  ['heart_rate_json', /^heart_rate-[\d-]+\.json$/, ['"dateTime"', '"bpm"']],
  ['resting_heart_rate_json', /^resting_heart_rate-[\d-]+\.json$/, ['"dateTime"', '"error"']],
  ['weight_json', /^weight-[\d-]+\.json$/, ['"logId"', '"weight"']],
  ['fat_json', /^fat-[\d-]+\.json$/, ['"logId"', '"fat"']],
];

const CSV_KINDS: readonly [MemberKind, RegExp, readonly string[]][] = [
  ['hrv_summary_csv', /^Daily Heart Rate Variability Summary/i, ['timestamp', 'rmssd', 'nremhr']],
  ['daily_resting_heart_rate_csv', /^daily_resting_heart_rate.*\.csv$/, ['timestamp', 'beats per minute']],
  ['heart_rate_csv', /^heart_rate_\d{4}-\d{2}-\d{2}\.csv$/, ['timestamp', 'beats per minute']],
  ['daily_hrv_csv', /^daily_heart_rate_variability.*\.csv$/, ['timestamp', 'average heart rate variability milliseconds']],
  ['weight_csv', /^weight.*\.csv$/, ['timestamp', 'weight grams']],
  ['body_fat_csv', /^body_fat.*\.csv$/, ['timestamp', 'body fat percentage']],
];

/**
 * Which archive member a file is, from its first bytes (the keys of its JSON
 * or its CSV header) and its name (which tells files of one shape apart);
 * null when it is none of those read.
 */
export function googleHealthMemberKind(name: string, head: Uint8Array): MemberKind | null {
  const base = posix.basename(name.split('\\').join('/'));
  const json = JSON_KINDS.filter(([, file]) => file.test(base));
  const csv = CSV_KINDS.filter(([, file]) => file.test(base));
  if (json.length === 0 && csv.length === 0) return null;
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head).replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('[')) return json.find(([, , keys]) => keys.every((k) => text.includes(k)))?.[0] ?? null;
  const header = (text.split(/\r?\n/, 1)[0] ?? '').split(',').map((h) => h.trim().replace(/^"|"$/g, ''));
  return csv.find(([, , columns]) => columns.every((c) => header.includes(c)))?.[0] ?? null;
}

const num = z.number().finite();
const logId = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]);

/** An entry of `exercise-N.json`, in the archive's field names. */
const ArchiveExercise = z.looseObject({
  logId,
  activityName: z.string().min(1),
  startTime: z.string(),
  originalStartTime: z.string().nullish(),
  duration: num.nonnegative(),
  activeDuration: num.nonnegative().nullish(),
  calories: num.nonnegative().nullish(),
  steps: num.nonnegative().nullish(),
  averageHeartRate: num.nonnegative().nullish(),
  distance: num.nonnegative().nullish(),
  distanceUnit: z.string().nullish(),
  elevationGain: num.nullish(),
  hasGps: z.boolean().nullish(),
  tcxLink: z.string().nullish(),
});
type ArchiveExercise = z.infer<typeof ArchiveExercise>;

/** An entry of `sleep-*.json`. */
const ArchiveSleep = z.looseObject({
  logId,
  startTime: z.string(),
  endTime: z.string(),
  minutesAsleep: num.nullish(),
  minutesAwake: num.nullish(),
  timeInBed: num.nullish(),
  type: z.string().nullish(),
  mainSleep: z.boolean().nullish(),
  levels: z.looseObject({ summary: z.record(z.string(), z.looseObject({ minutes: num.nullish() })).nullish() }).nullish(),
});

const ArchiveRestingHeartRate = z.looseObject({
  value: z.looseObject({ date: z.string().nullish(), value: num.nullish() }),
});
const ArchiveWeight = z.looseObject({ logId, weight: num.positive(), fat: num.nullish(), date: z.string(), time: z.string().nullish() });
const ArchiveFat = z.looseObject({ logId, fat: num.positive(), date: z.string(), time: z.string().nullish() });

/** Millimetres per unit of `distanceUnit`. */
const MM_PER_UNIT: Record<string, number> = { Kilometer: 1_000_000, Mile: 1_609_344, Meter: 1000, Yard: 914.4, Foot: 304.8 };
/** Pounds to kilograms: 1 lb = 0.45359237 kg exactly (International Yard and Pound Agreement, 1959). */
const KG_PER_LB = 0.45359237;

/** The text of the string value of `key` in s[from, to), or null. */
function stringField(s: string, key: string, from: number, to: number): string | null {
  const k = s.indexOf(key, from);
  if (k < 0 || k >= to) return null;
  const open = s.indexOf('"', s.indexOf(':', k + key.length) + 1);
  const close = open < 0 ? -1 : s.indexOf('"', open + 1);
  return close < 0 || close >= to ? null : s.slice(open + 1, close);
}

/** The number value of `key` in s[from, to), NaN when there is none. */
function numberField(s: string, key: string, from: number, to: number): number {
  const k = s.indexOf(key, from);
  if (k < 0 || k >= to) return NaN;
  const colon = s.indexOf(':', k + key.length);
  let end = colon + 1;
  while (end < to && ',}\n\r'.indexOf(s[end]!) < 0) end++;
  const text = s.slice(colon + 1, end).trim();
  return text === '' ? NaN : Number(text);
}

/**
 * One `{"dateTime": ..., "value": {"bpm": ..., ...}}` item as [epoch ms, bpm]
 * (NaN when a field is missing), read in place: JSON.parse of each of a
 * million small objects was most of the time of reading a heart-rate file.
 */
function heartRateItem(s: string, from: number, to: number): [number, number] {
  const dateTime = stringField(s, '"dateTime"', from, to);
  return [dateTime === null ? NaN : shortDateMs(dateTime), numberField(s, '"bpm"', from, to)];
}

/** An exercise read from the archive, before it becomes a DataPoint. */
interface Exercise {
  id: string;
  raw: unknown;
  entry: ArchiveExercise;
  input: string;
  startMs: number;
  /** Offset the start was written with, when it was. */
  offsetMin: number | null;
  track: ExerciseTrack | null;
  hr: HeartRateSamples;
}

function exerciseStart(e: ArchiveExercise): { ms: number; offsetMin: number | null } | null {
  for (const t of [e.startTime, e.originalStartTime]) {
    const withOffset = t ? offsetInstant(t) : null;
    if (withOffset) return withOffset;
  }
  const c = shortDate(e.startTime) ?? isoCivil(e.startTime);
  return c ? { ms: civilMs(c), offsetMin: null } : null;
}

/** The exercise as an API `exercise` data point; `errors` receives what could not be converted. */
function exercisePoint(x: Exercise, errors: ImportError[]): unknown {
  const e = x.entry;
  let startMs = x.startMs;
  let offsetMin = x.offsetMin;
  if (x.track) {
    startMs = x.track.startMs;
    offsetMin = x.track.offsetMin ?? offsetMin;
  }
  let distanceMillimeters: number | undefined;
  if (e.distance != null) {
    const per = e.distanceUnit ? MM_PER_UNIT[e.distanceUnit] : undefined;
    if (per === undefined) {
      errors.push({ input: x.input, record: `logId ${x.id}`, field: 'distanceUnit', reason: `unknown distance unit "${e.distanceUnit ?? ''}"; the exercise is kept without a distance` });
    } else distanceMillimeters = e.distance * per;
  }
  const offset = offsetMin != null ? durationOf(offsetMin * 60) : undefined;
  return {
    name: `users/me/dataTypes/exercise/dataPoints/${x.id}`,
    exercise: {
      interval: { startTime: iso(startMs), endTime: iso(startMs + e.duration), startUtcOffset: offset, endUtcOffset: offset },
      displayName: e.activityName,
      activeDuration: e.activeDuration != null ? durationOf(e.activeDuration / 1000) : undefined,
      metricsSummary: {
        caloriesKcal: e.calories ?? undefined,
        distanceMillimeters,
        steps: e.steps != null ? Math.round(e.steps) : undefined,
        averageHeartRateBeatsPerMinute: e.averageHeartRate != null ? Math.round(e.averageHeartRate) : undefined,
        elevationGainMillimeters: e.elevationGain != null ? e.elevationGain * 1000 : undefined,
      },
      exerciseMetadata: { hasGps: e.hasGps ?? false },
    },
  };
}

const STAGE_TYPES: Record<string, string> = { deep: 'DEEP', light: 'LIGHT', rem: 'REM', wake: 'AWAKE', awake: 'AWAKE', asleep: 'ASLEEP', restless: 'RESTLESS' };

/** A `sleep-*.json` entry as an API `sleep` data point; its times stay local wall time. */
function sleepPoint(s: z.infer<typeof ArchiveSleep>): unknown {
  const start = isoCivil(s.startTime);
  const end = isoCivil(s.endTime);
  if (!start || !end) throw new Error(`startTime/endTime "${s.startTime}"/"${s.endTime}" are not local date-times`);
  const summary = s.levels?.summary ?? {};
  return {
    name: `users/me/dataTypes/sleep/dataPoints/${String(s.logId)}`,
    sleep: {
      interval: { civilStartTime: civilJson(start), civilEndTime: civilJson(end) },
      type: s.type === 'stages' ? 'STAGES' : 'CLASSIC',
      metadata: { nap: s.mainSleep === false },
      summary: {
        minutesAsleep: s.minutesAsleep ?? undefined,
        minutesAwake: s.minutesAwake ?? undefined,
        minutesInSleepPeriod: s.timeInBed ?? undefined,
        stagesSummary: Object.entries(summary).flatMap(([k, v]) => (STAGE_TYPES[k] ? [{ type: STAGE_TYPES[k], minutes: v.minutes ?? undefined }] : [])),
      },
    },
  };
}

/** Reads the members of one archive together; see the module comment for the rules. */
class ArchiveReader {
  readonly out = emptyResult();
  readonly usedTracks: ArchiveMember[] = [];
  private readonly exercises = new Map<string, Exercise>();
  private readonly seen = new Set<string>();

  constructor(private readonly opts: ArchiveOptions) {}

  origin(input: string, raw: unknown): GoogleHealthOrigin {
    return { source: this.opts.source ?? SOURCE, athleteId: this.opts.athleteId, input, rawData: redact(raw) };
  }

  fail(input: string, reason: string, record?: string, field?: string): void {
    const e: ImportError = { input, reason };
    if (record) e.record = record;
    if (field) e.field = field;
    this.out.errors.push(e);
  }

  /** A member's JSON array, or null (reported) when it cannot be read. */
  jsonArray(m: ArchiveMember): unknown[] | null {
    let doc: unknown;
    try {
      doc = JSON.parse(new TextDecoder('utf-8').decode(m.read()));
    } catch (e) {
      this.fail(m.name, `unreadable JSON: ${(e as Error).message}; the rest of the archive is imported`);
      return null;
    }
    if (!Array.isArray(doc)) {
      this.fail(m.name, 'expected a JSON array of records');
      return null;
    }
    return doc;
  }

  /** Each entry of a JSON member checked against `schema`; bad entries are reported by position or logId. */
  *entries<S extends z.ZodType>(m: ArchiveMember, schema: S): Generator<{ entry: z.infer<S>; raw: unknown; record: string }> {
    const doc = this.jsonArray(m);
    if (!doc) return;
    for (const [i, raw] of doc.entries()) {
      const id = raw && typeof raw === 'object' && 'logId' in raw ? String((raw as { logId: unknown }).logId) : null;
      const record = id ? `logId ${id}` : `item ${i + 1}`;
      const r = schema.safeParse(raw);
      if (!r.success) {
        const issue = r.error.issues[0];
        this.fail(m.name, `${issue?.path.join('.') || '(record)'}: ${issue?.message ?? 'invalid'}`, record, issue?.path.join('.') || undefined);
        continue;
      }
      yield { entry: r.data as z.infer<S>, raw, record };
    }
  }

  readExercises(members: ArchiveMember[]): void {
    for (const m of members) {
      for (const { entry, raw, record } of this.entries(m, ArchiveExercise)) {
        const id = String(entry.logId);
        if (this.exercises.has(id)) continue;
        const start = exerciseStart(entry);
        if (!start) {
          this.fail(m.name, `startTime "${entry.startTime}" is not a date-time`, record, 'startTime');
          continue;
        }
        this.exercises.set(id, { id, raw, entry, input: m.name, startMs: start.ms, offsetMin: start.offsetMin, track: null, hr: { time: [], bpm: [] } });
      }
    }
  }

  /** Join TCX files: by the logId in their name or the exercise's `tcxLink`, else by start time. */
  joinTracks(tracks: ArchiveMember[]): void {
    const byId = new Map<string, ArchiveMember>();
    for (const t of tracks) {
      const m = /(\d+)\.tcx(\.gz)?$/i.exec(posix.basename(t.name.split('\\').join('/')));
      if (m) byId.set(m[1]!, t);
    }
    const unmatched = new Set(tracks);
    const take = (x: Exercise, t: ArchiveMember, parsed: ParseResult): void => {
      const track = trackFromTcx(parsed);
      if (!track) return;
      x.track = track;
      unmatched.delete(t);
      this.usedTracks.push(t);
      for (const e of parsed.errors) this.out.errors.push(e);
    };
    const parse = (t: ArchiveMember): ParseResult => parseTcx(t.read(), t.name, { source: this.opts.source ?? SOURCE, athleteId: this.opts.athleteId });
    for (const x of this.exercises.values()) {
      const linked = /\/exercise\/(\d+)/.exec(x.entry.tcxLink ?? '')?.[1];
      const t = byId.get(x.id) ?? (linked ? byId.get(linked) : undefined);
      if (t && unmatched.has(t)) take(x, t, parse(t));
    }
    const waiting = [...this.exercises.values()].filter((x) => !x.track && x.entry.hasGps);
    if (waiting.length === 0) return;
    for (const t of [...unmatched]) {
      const parsed = parse(t);
      const track = trackFromTcx(parsed);
      if (!track) continue;
      // Within two minutes of the start read as UTC, or of its wall clock if the archive wrote local time.
      const wall = track.startMs + (track.offsetMin ?? 0) * 60_000;
      const x = waiting.find((w) => !w.track && (Math.abs(w.startMs - track.startMs) <= 120_000 || Math.abs(w.startMs - wall) <= 120_000));
      if (x) take(x, t, parsed);
    }
  }

  /** Stream the heart-rate members, keeping the samples that fall inside an exercise. */
  async readHeartRate(members: { m: ArchiveMember; kind: MemberKind }[]): Promise<void> {
    const startOf = (x: Exercise): number => (x.track ? x.track.startMs : x.startMs);
    const list = [...this.exercises.values()].sort((a, b) => startOf(a) - startOf(b));
    if (list.length === 0) return;
    const starts = list.map(startOf);
    const ends = list.map((x) => startOf(x) + x.entry.duration);
    /** The last exercise starting at or before `t` (-1 when none). */
    const lastStartingBy = (t: number): number => {
      let lo = 0;
      let hi = starts.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (starts[mid]! <= t) lo = mid + 1;
        else hi = mid;
      }
      return lo - 1;
    };
    const add = (t: number, bpm: number): void => {
      if (!(bpm > 0) || !Number.isFinite(t)) return;
      // Exercises rarely overlap: the few that start just before are enough to look at.
      const last = lastStartingBy(t);
      for (let i = last; i >= 0 && i >= last - 2; i--) {
        if (t < ends[i]!) {
          list[i]!.hr.time.push(t);
          list[i]!.hr.bpm.push(bpm);
          return;
        }
      }
    };
    // A day file holds its local day (UTC-14 h to UTC+14 h), so one with no exercise near that day is not opened.
    const nearAnExercise = (dayMs: number): boolean => {
      const i = lastStartingBy(dayMs + 2 * 86_400_000);
      return i >= 0 && ends[i]! > dayMs - 86_400_000;
    };
    for (const { m, kind } of members) {
      const day = /(\d{4}-\d{2}-\d{2})\.(json|csv)$/.exec(m.name)?.[1];
      if (day && !nearAnExercise(Date.parse(`${day}T00:00:00Z`))) continue;
      try {
        if (kind === 'heart_rate_json') {
          for await (const batch of jsonArrayBatches(m.stream(), heartRateItem)) {
            for (let i = 0; i < batch.length; i += 1) add(batch[i]![0], batch[i]![1]);
          }
        } else {
          let time = -1;
          let bpm = -1;
          for await (const line of textLines(m.stream())) {
            const cells = csvCells(line);
            if (time < 0) {
              time = cells.indexOf('timestamp');
              bpm = cells.indexOf('beats per minute');
              continue;
            }
            if (line !== '') add(zuluMs(cells[time] ?? ''), Number(cells[bpm]));
          }
        }
      } catch (e) {
        this.fail(m.name, `heart-rate samples could not all be read: ${(e as Error).message}; those before the fault are kept`);
      }
    }
  }

  mapExercises(): void {
    for (const x of this.exercises.values()) {
      const errors: ImportError[] = [];
      const point = exercisePoint(x, errors);
      this.out.errors.push(...errors);
      try {
        const { workout, stream } = mapExercise(point, this.origin(x.input, x.raw), { track: x.track, heartRate: x.hr });
        this.out.workouts.push(workout);
        if (stream) this.out.streams.push(stream);
      } catch (e) {
        this.fail(x.input, (e as Error).message, `logId ${x.id}`);
      }
    }
  }

  /** Map a point to readings, keeping one per source record (archives repeat entries at file boundaries). */
  readings(type: ReadingType, key: string, point: unknown, input: string, raw: unknown, record: string): void {
    if (this.seen.has(`${type}:${key}`)) return;
    this.seen.add(`${type}:${key}`);
    try {
      this.out.biometrics.push(...mapReadings(type, point, this.origin(input, raw)));
    } catch (e) {
      this.fail(input, (e as Error).message, record);
    }
  }

  readSleep(members: ArchiveMember[]): void {
    for (const m of members) {
      for (const { entry, raw, record } of this.entries(m, ArchiveSleep)) {
        let point: unknown;
        try {
          point = sleepPoint(entry);
        } catch (e) {
          this.fail(m.name, (e as Error).message, record, 'endTime');
          continue;
        }
        this.readings('sleep', String(entry.logId), point, m.name, raw, record);
      }
    }
  }

  readRestingJson(members: ArchiveMember[]): void {
    for (const m of members) {
      for (const { entry, raw, record } of this.entries(m, ArchiveRestingHeartRate)) {
        const c = entry.value.date ? shortDate(entry.value.date) : null;
        if (!c || !entry.value.value) continue;
        const day = iso(civilMs(c)).slice(0, 10);
        const point = { dailyRestingHeartRate: { date: dateJson(day), beatsPerMinute: Math.round(entry.value.value) } };
        this.readings('daily-resting-heart-rate', day, point, m.name, raw, record);
      }
    }
  }

  /** The rows of a small CSV member with the named columns, or nothing (reported) when it cannot be read. */
  *csvRows(m: ArchiveMember, columns: string[]): Generator<{ cells: string[]; at: number[]; record: string; raw: unknown }> {
    let table: CsvTable;
    try {
      table = readCsv(new TextDecoder('utf-8').decode(m.read()));
    } catch (e) {
      this.fail(m.name, `unreadable CSV: ${(e as Error).message}`);
      return;
    }
    const at = columns.map((c) => columnIndex(table.header, c));
    if (at.some((i) => i < 0)) {
      this.fail(m.name, `missing column(s) ${columns.filter((_, i) => at[i]! < 0).join(', ')}`);
      return;
    }
    for (const [i, cells] of table.rows.entries()) {
      yield { cells, at, record: `row ${i + 1}`, raw: Object.fromEntries(table.header.map((h, k) => [h, cells[k] ?? null])) };
    }
  }

  /** A daily CSV: the date part of `timestamp` is the local day (see the module comment). */
  readDailyCsv(members: ArchiveMember[], type: 'daily-resting-heart-rate' | 'daily-heart-rate-variability', column: string): void {
    for (const m of members) {
      for (const { cells, at, record, raw } of this.csvRows(m, ['timestamp', column])) {
        const day = isoCivil((cells[at[0]!] ?? '').replace(/Z$/, ''));
        const value = Number(cells[at[1]!]);
        if (!day || cells[at[1]!] === '' || !Number.isFinite(value)) {
          this.fail(m.name, `no usable timestamp or ${column}`, record, day ? column : 'timestamp');
          continue;
        }
        const date = dateJson(iso(civilMs(day)).slice(0, 10));
        const point =
          type === 'daily-resting-heart-rate'
            ? { dailyRestingHeartRate: { date, beatsPerMinute: Math.round(value) } }
            : { dailyHeartRateVariability: { date, averageHeartRateVariabilityMilliseconds: value } };
        this.readings(type, iso(civilMs(day)).slice(0, 10), point, m.name, raw, record);
      }
    }
  }

  /**
   * Weight and body fat. The JSON's weight unit comes from a weight.csv row
   * of the same day (grams) when there is one, else pounds.
   */
  readBody(weightJson: ArchiveMember[], fatJson: ArchiveMember[], weightCsv: ArchiveMember[], fatCsv: ArchiveMember[]): void {
    const gramsByDay = new Map<string, number>();
    for (const m of weightCsv) {
      for (const { cells, at, record, raw } of this.csvRows(m, ['timestamp', 'weight grams'])) {
        const t = offsetInstant(cells[at[0]!] ?? '');
        const grams = Number(cells[at[1]!]);
        if (!t || !(grams > 0)) {
          this.fail(m.name, 'no usable timestamp or weight grams', record, t ? 'weight grams' : 'timestamp');
          continue;
        }
        gramsByDay.set(iso(t.ms).slice(0, 10), grams);
        this.readings('weight', `csv:${t.ms}:${grams}`, { weight: { sampleTime: { physicalTime: iso(t.ms) }, weightGrams: grams } }, m.name, raw, record);
      }
    }
    for (const m of fatCsv) {
      for (const { cells, at, record, raw } of this.csvRows(m, ['timestamp', 'body fat percentage'])) {
        const t = offsetInstant(cells[at[0]!] ?? '');
        const pct = Number(cells[at[1]!]);
        if (!t || !(pct > 0)) {
          this.fail(m.name, 'no usable timestamp or body fat percentage', record, t ? 'body fat percentage' : 'timestamp');
          continue;
        }
        this.readings('body-fat', `csv:${t.ms}`, { bodyFat: { sampleTime: { physicalTime: iso(t.ms) }, percentage: pct } }, m.name, raw, record);
      }
    }
    const entries = weightJson.flatMap((m) => [...this.entries(m, ArchiveWeight)].map((e) => ({ ...e, m })));
    const ratios = entries.flatMap(({ entry }) => {
      const c = shortDate(entry.date);
      const grams = c ? gramsByDay.get(iso(civilMs(c)).slice(0, 10)) : undefined;
      return grams ? [entry.weight / (grams / 1000)] : [];
    });
    ratios.sort((a, b) => a - b);
    const median = ratios.length ? ratios[ratios.length >> 1]! : null;
    const kgPerUnit = median !== null && Math.abs(median - 1) < 0.03 ? 1 : KG_PER_LB;
    if (entries.length > 0 && median === null) {
      this.fail(entries[0]!.m.name, 'weight-*.json does not say its unit and the archive has no weight.csv to compare with; the weights are read as pounds (the Fitbit default)', undefined, 'weight');
    }
    const civilOf = (date: string, time: string | null | undefined): Civil | null => shortDate(time ? `${date} ${time}` : date);
    for (const { entry, raw, record, m } of entries) {
      const c = civilOf(entry.date, entry.time);
      if (!c) {
        this.fail(m.name, `date/time "${entry.date} ${entry.time ?? ''}" is not MM/DD/YY HH:MM:SS`, record, 'date');
        continue;
      }
      const sampleTime = { civilTime: civilJson(c) };
      this.readings('weight', `json:${String(entry.logId)}`, { weight: { sampleTime, weightGrams: entry.weight * kgPerUnit * 1000 } }, m.name, raw, record);
      if (entry.fat) this.readings('body-fat', `json:${String(entry.logId)}`, { bodyFat: { sampleTime, percentage: entry.fat } }, m.name, raw, record);
    }
    for (const m of fatJson) {
      for (const { entry, raw, record } of this.entries(m, ArchiveFat)) {
        const c = civilOf(entry.date, entry.time);
        if (!c) {
          this.fail(m.name, `date/time "${entry.date} ${entry.time ?? ''}" is not MM/DD/YY HH:MM:SS`, record, 'date');
          continue;
        }
        this.readings('body-fat', `json:${String(entry.logId)}`, { bodyFat: { sampleTime: { civilTime: civilJson(c) }, percentage: entry.fat } }, m.name, raw, record);
      }
    }
  }
}

/**
 * Read a Google Health (Fitbit) archive: exercises with their TCX tracks and
 * the heart-rate samples inside them (streamed, so heart-rate files of any
 * size take little memory), nights of sleep, resting heart rate, HRV (RMSSD),
 * weight and body fat. `tracks` are TCX files found beside the members;
 * those joined to an exercise are returned in `usedTracks`. A member that
 * cannot be read becomes an import error naming it; the rest is read.
 */
export async function readGoogleHealthArchive(members: readonly ArchiveMember[], tracks: readonly ArchiveMember[], opts: ArchiveOptions = {}): Promise<ArchiveResult> {
  const r = new ArchiveReader(opts);
  const byKind = new Map<MemberKind, ArchiveMember[]>();
  for (const m of members) {
    const kind = googleHealthMemberKind(m.name, m.head(4096));
    if (!kind) continue;
    const list = byKind.get(kind);
    if (list) list.push(m);
    else byKind.set(kind, [m]);
  }
  const of = (k: MemberKind) => byKind.get(k) ?? [];
  r.readExercises(of('exercise_json'));
  r.joinTracks([...tracks]);
  await r.readHeartRate([...of('heart_rate_json').map((m) => ({ m, kind: 'heart_rate_json' as const })), ...of('heart_rate_csv').map((m) => ({ m, kind: 'heart_rate_csv' as const }))]);
  r.mapExercises();
  r.readSleep(of('sleep_json'));
  r.readRestingJson(of('resting_heart_rate_json'));
  r.readDailyCsv(of('daily_resting_heart_rate_csv'), 'daily-resting-heart-rate', 'beats per minute');
  r.readDailyCsv(of('hrv_summary_csv'), 'daily-heart-rate-variability', 'rmssd');
  r.readDailyCsv(of('daily_hrv_csv'), 'daily-heart-rate-variability', 'average heart rate variability milliseconds');
  r.readBody(of('weight_json'), of('fat_json'), of('weight_csv'), of('body_fat_csv'));
  return { result: r.out, usedTracks: r.usedTracks };
}
