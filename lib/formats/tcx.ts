/**
 * TCX (Garmin Training Center Database v2) reader: each `<Activity>` becomes
 * one workout with its laps summarised and its trackpoints as a stream. A
 * `<MultiSportSession>` gives one workout per leg (its activities and the
 * transitions between them), linked like FIT multisport legs: each carries
 * the session's id as `parent_external_id`. Courses (planned routes) are
 * recognised and give nothing. The file is read as a stream of chunks through
 * xml_scan.ts; points go straight into typed columns.
 *
 * What each workout field means here (the same as in every format):
 * - start_time: the earlier of the first lap's StartTime and the first
 *   trackpoint, never `<Id>` (Garmin Connect cuts it to the minute);
 * - end_time: the later of the last trackpoint and the last lap's StartTime +
 *   TotalTimeSeconds; duration_s = end_time - start_time, elapsed time;
 * - moving_time_s: the sum of the laps' TotalTimeSeconds (the device's timer
 *   time), else the speed rule of moving_time.ts over the trackpoints; a sum
 *   beyond the elapsed time by more than the tolerance of fit_session.ts
 *   (laps that overlap) is capped at it, with a warning;
 * - distance_m: the laps' DistanceMeters summed, else the last trackpoint's
 *   DistanceMeters, else the haversine length of the positions;
 * - calories_kcal: the laps' Calories summed;
 * - avg_hr / max_hr, avg_power_w / max_power_w: from the trackpoints, else
 *   the laps' time-weighted averages and maxima;
 * - avg_cadence and the cadence channel: steps per minute for foot sports
 *   (cadence.ts tells strides from steps), rpm otherwise;
 * - elevation_gain_m: the hysteresis ascent of elevation.ts;
 * - utc_offset_min: the offset written in `<Id>` when it is not zero.
 * Positions of exactly 0/0 are a device's "no fix" placeholder. Every value
 * then passes the plausibility gate (core/plausibility.ts).
 */
import { SourceWorkout, emptyResult, formatZodError, type ParseResult, type SourceWorkoutInput, type WorkoutStream } from '../core/models.ts';
import { gateResult } from '../core/plausibility.ts';
import { mapSport } from '../core/sports.ts';
import { ElevationGain } from './elevation.ts';
import { BadValues, COL, GPS_EPOCH_MS, PointColumns, haversineM } from './track_points.ts';
import { cadenceFactor } from './cadence.ts';
import { summariseTrack } from './track_summary.ts';
import { XmlScanner, type XmlAttributes, type XmlSink } from './xml_scan.ts';
import { spanTolerance } from './fit_session.ts';
import { isoOffsetMinutes, parseDecimal, parseIsoTime, scanXmlBytes, scanXmlStream } from './xml_text.ts';

/** Options of {@link parseTcx}. */
export interface TcxOptions {
  /** Source to record; default: guessed from the device and author names, else `tcx`. */
  source?: string;
  athleteId?: string;
}

/** One `<Lap>` (or `<Transition>`) as summarised into `raw_data.laps`; null where the file has no value. */
export interface TcxLap {
  start_time: string | null;
  total_time_s: number | null;
  distance_m: number | null;
  calories_kcal: number | null;
  avg_hr: number | null;
  max_hr: number | null;
  cadence: number | null;
  avg_power_w: number | null;
  max_power_w: number | null;
  max_speed_mps: number | null;
  intensity: string | null;
  trigger: string | null;
}

/** Garmin model families that appear as `<Creator><Name>` in TCX files from Garmin devices. */
const GARMIN_DEVICE =
  /garmin|forerunner|fenix|f[eē]nix|edge|v[ií]voactive|vivosmart|vivosport|venu|instinct|epix|enduro|descent|approach|oregon|etrex|montana|quatix|tactix|connect api/i;

/** Which source wrote a TCX file, from its `<Creator><Name>` (device) and `<Author><Name>` (application). */
export function sourceFromTcxNames(creator: string, author: string): string {
  for (const name of [creator, author]) {
    if (!name) continue;
    if (/mapmy(ride|run|fitness)|under ?armour/i.test(name)) return 'mapmyride';
    if (/strava/i.test(name)) return 'strava';
    if (/fitbit/i.test(name)) return 'fitbit';
    if (/polar/i.test(name)) return 'polar';
    if (/suunto/i.test(name)) return 'suunto';
    if (/wahoo/i.test(name)) return 'wahoo';
    if (GARMIN_DEVICE.test(name)) return 'garmin';
  }
  return 'tcx';
}

interface ActivityState {
  /** 1-based position among the file's activities and transitions. */
  index: number;
  sport: string | null;
  id: string | null;
  laps: TcxLap[];
  creator: string;
  /** The multisport session it is a leg of (1-based), with its leg number (0-based); 0 when none. */
  session: number;
  leg: number;
  points: PointColumns;
  /** The points as exact-length columns, taken when the activity closes (its source and id are set later). */
  stream: WorkoutStream | null;
  gain: ElevationGain;
  gpsDistance: number;
  prevLat: number;
  prevLon: number;
  lastTime: number;
  pointCount: number;
  skipped: number;
  merged: number;
  hasGps: boolean;
  hasFileDistance: boolean;
  bad: BadValues;
}

function newLap(startTime: string | undefined): TcxLap {
  return {
    start_time: startTime ?? null,
    total_time_s: null,
    distance_m: null,
    calories_kcal: null,
    avg_hr: null,
    max_hr: null,
    cadence: null,
    avg_power_w: null,
    max_power_w: null,
    max_speed_mps: null,
    intensity: null,
    trigger: null,
  };
}

function newActivity(index: number, sport: string | null, session: number, leg: number): ActivityState {
  return {
    index,
    sport,
    id: null,
    laps: [],
    creator: '',
    session,
    leg,
    points: new PointColumns(),
    stream: null,
    gain: new ElevationGain(),
    gpsDistance: 0,
    prevLat: NaN,
    prevLon: NaN,
    lastTime: NaN,
    pointCount: 0,
    skipped: 0,
    merged: 0,
    hasGps: false,
    hasFileDistance: false,
    bad: new BadValues(),
  };
}

/** The element names the reader acts on, as small integer codes (0: any other): integer compares, not string ones, per element. */
const NAMES = [
  'TrainingCenterDatabase', 'Activities', 'Activity', 'MultiSportSession', 'FirstSport', 'NextSport', 'Transition', 'Lap',
  'Trackpoint', 'Time', 'Position', 'LatitudeDegrees', 'LongitudeDegrees', 'AltitudeMeters', 'DistanceMeters',
  'HeartRateBpm', 'Value', 'Cadence', 'TPX', 'Speed', 'Watts', 'RunCadence', 'Id', 'Creator', 'Name', 'Author', 'Courses',
  'TotalTimeSeconds', 'Calories', 'MaximumSpeed', 'AverageHeartRateBpm', 'MaximumHeartRateBpm', 'Intensity',
  'TriggerMethod', 'LX', 'AvgWatts', 'MaxWatts', 'AvgRunCadence',
] as const;
type ElementName = (typeof NAMES)[number];
const E = Object.fromEntries(NAMES.map((n, i) => [n, i + 1])) as Record<ElementName, number>;
const CODES = 64;

/** A table by (parent element, element) code pair. */
function pairTable<T>(entries: Array<[ElementName, ElementName, T]>): (T | undefined)[] {
  const table = new Array<T | undefined>(CODES * CODES);
  for (const [parent, child, value] of entries) table[E[parent] * CODES + E[child]] = value;
  return table;
}

/** Numeric lap fields, by parent element and element (a Transition's fields count as its lap's). */
const LAP_NUMBERS = pairTable<keyof TcxLap>([
  ['Lap', 'TotalTimeSeconds', 'total_time_s'],
  ['Lap', 'DistanceMeters', 'distance_m'],
  ['Lap', 'Calories', 'calories_kcal'],
  ['Lap', 'Cadence', 'cadence'],
  ['Lap', 'MaximumSpeed', 'max_speed_mps'],
  ['AverageHeartRateBpm', 'Value', 'avg_hr'],
  ['MaximumHeartRateBpm', 'Value', 'max_hr'],
  ['LX', 'AvgWatts', 'avg_power_w'],
  ['LX', 'MaxWatts', 'max_power_w'],
  ['LX', 'AvgRunCadence', 'cadence'],
]);
const LAP_TEXTS = pairTable<keyof TcxLap>([
  ['Lap', 'Intensity', 'intensity'],
  ['Lap', 'TriggerMethod', 'trigger'],
]);

/** Numeric trackpoint fields, by parent element and element. */
const POINT_NUMBERS = pairTable<number>([
  ['Trackpoint', 'AltitudeMeters', COL.altitude_m],
  ['Trackpoint', 'DistanceMeters', COL.distance_m],
  ['Trackpoint', 'Cadence', COL.cadence],
  ['Position', 'LatitudeDegrees', COL.lat],
  ['Position', 'LongitudeDegrees', COL.lon],
  ['HeartRateBpm', 'Value', COL.hr],
  ['TPX', 'Speed', COL.speed_mps],
  ['TPX', 'Watts', COL.power_w],
  ['TPX', 'RunCadence', COL.cadence],
]);

const FIELD_OF_COLUMN: Record<number, string> = {
  [COL.altitude_m]: 'AltitudeMeters',
  [COL.distance_m]: 'DistanceMeters',
  [COL.cadence]: 'Cadence',
  [COL.lat]: 'LatitudeDegrees',
  [COL.lon]: 'LongitudeDegrees',
  [COL.hr]: 'HeartRateBpm',
  [COL.speed_mps]: 'Speed',
  [COL.power_w]: 'Watts',
};
const CHECKED_COLUMNS = [COL.altitude_m, COL.distance_m, COL.cadence, COL.hr, COL.speed_mps, COL.power_w];

/** What a collected text is for. */
const enum Want {
  Nothing,
  Author,
  Id,
  CreatorName,
  SessionId,
  PointTime,
  PointNumber,
  LapNumber,
  LapText,
}

/** Reads one TCX document's elements as the scanner delivers them. */
class TcxReader implements XmlSink {
  readonly scanner = new XmlScanner(this);
  wantText = false;
  rootName = '';
  rootSeen = false;
  courses = false;
  author = '';
  readonly finished: ActivityState[] = [];
  activity: ActivityState | null = null;
  /** Multisport session ids (their `<Id>`), by session number - 1. */
  readonly sessionIds: (string | null)[] = [];
  private session = 0;
  private legInSession = 0;
  private lap: TcxLap | null = null;
  /** The `<Transition>` being read is its own activity; it ends with the element. */
  private transitionDepth = 0;
  private inPoint = false;
  /** The raw text of each column of the current point, for error messages. */
  private pointText: (string | undefined)[] = [];
  /** Codes of the open elements (see NAMES). */
  private readonly path: number[] = [];
  private collect = Want.Nothing;
  private collectKey: string | number = '';
  private collectDepth = 0;
  private collected = '';
  private readonly codes = new Map<string, number>();

  /** The code of an element's local name (0 for names the reader ignores), cached per qualified name. */
  private code(name: string): number {
    let c = this.codes.get(name);
    if (c === undefined) {
      const i = name.indexOf(':');
      const local = i < 0 ? name : name.slice(i + 1);
      c = Object.hasOwn(E, local) ? E[local as ElementName] : 0;
      this.codes.set(name, c);
    }
    return c;
  }

  open(name: string, attrs: XmlAttributes): void {
    const path = this.path;
    const code = this.code(name);
    const parent = path.length > 0 ? path[path.length - 1]! : -1;
    path.push(code);
    const d = path.length;
    if (d === 1) {
      this.rootName = name;
      this.rootSeen = code === E.TrainingCenterDatabase;
      return;
    }
    if (code === 0) return;
    if (this.inPoint) {
      if (code === E.Time) {
        if (parent === E.Trackpoint) this.startCollect(Want.PointTime, '', d);
      } else {
        const col = POINT_NUMBERS[parent * CODES + code];
        if (col !== undefined) this.startCollect(Want.PointNumber, col, d);
      }
      return;
    }
    if (code === E.Courses && d === 2) this.courses = true;
    if (code === E.MultiSportSession && parent === E.Activities) {
      this.session++;
      this.legInSession = 0;
      this.sessionIds.push(null);
      return;
    }
    if (code === E.Activity && (parent === E.Activities || parent === E.FirstSport || parent === E.NextSport)) {
      const inSession = parent !== E.Activities;
      this.activity = newActivity(this.finished.length + 1, attrs.get('Sport') ?? null, inSession ? this.session : 0, inSession ? this.legInSession++ : 0);
      return;
    }
    if (code === E.Transition && parent === E.NextSport) {
      this.activity = newActivity(this.finished.length + 1, 'Transition', this.session, this.legInSession++);
      this.lap = newLap(attrs.get('StartTime'));
      this.activity.laps.push(this.lap);
      this.transitionDepth = d;
      return;
    }
    const a = this.activity;
    if (a === null) {
      if (code === E.Name && parent === E.Author) this.startCollect(Want.Author, '', d);
      else if (code === E.Id && parent === E.MultiSportSession) this.startCollect(Want.SessionId, '', d);
      return;
    }
    if (code === E.Trackpoint) {
      this.inPoint = true;
      this.pointText = [];
      a.pointCount++;
    } else if (code === E.Lap && parent === E.Activity) {
      this.lap = newLap(attrs.get('StartTime'));
      a.laps.push(this.lap);
    } else if (code === E.Id && parent === E.Activity) {
      this.startCollect(Want.Id, '', d);
    } else if (code === E.Name && parent === E.Creator && path[d - 3] === E.Activity) {
      this.startCollect(Want.CreatorName, '', d);
    } else if (this.lap !== null) {
      const lapParent = parent === E.Transition ? E.Lap : parent;
      const field = LAP_NUMBERS[lapParent * CODES + code];
      if (field !== undefined) this.startCollect(Want.LapNumber, field, d);
      else {
        const text = LAP_TEXTS[lapParent * CODES + code];
        if (text !== undefined) this.startCollect(Want.LapText, text, d);
      }
    }
  }

  text(text: string): void {
    this.collected += text;
  }

  close(): void {
    const path = this.path;
    const d = path.length;
    const code = path.pop()!;
    if (d === this.collectDepth && this.collect !== Want.Nothing) {
      this.apply(this.collect, this.collectKey, this.collected.trim());
      this.collect = Want.Nothing;
      this.collectDepth = 0;
      this.wantText = false;
    }
    const a = this.activity;
    if (a === null || code === 0) return;
    const parent = d >= 2 ? path[d - 2]! : -1;
    if (code === E.Trackpoint && this.inPoint) this.finishPoint(a);
    else if (code === E.Lap && parent === E.Activity) this.lap = null;
    else if ((code === E.Activity && (parent === E.Activities || parent === E.FirstSport || parent === E.NextSport)) || d === this.transitionDepth) {
      this.finish(a);
      this.activity = null;
      if (d === this.transitionDepth) {
        this.transitionDepth = 0;
        this.lap = null;
      }
    }
  }

  /**
   * An activity is complete: keep its points as exact-length columns (the
   * haversine distance as the distance when the file has none), so a file of
   * many activities holds no spare capacity.
   */
  finish(a: ActivityState): void {
    if (!a.hasFileDistance && a.hasGps) a.points.copyColumn(COL.gps_distance_m, COL.distance_m);
    a.stream = a.points.takeStream('', '');
    this.finished.push(a);
  }

  private startCollect(what: Want, key: string | number, depth: number): void {
    this.collect = what;
    this.collectKey = key;
    this.collectDepth = depth;
    this.collected = '';
    this.wantText = true;
  }

  private apply(what: Want, key: string | number, value: string): void {
    if (what === Want.Author) {
      this.author ||= value;
      return;
    }
    if (what === Want.SessionId) {
      this.sessionIds[this.session - 1] ??= value || null;
      return;
    }
    const a = this.activity;
    if (!a) return;
    const row = a.points.row;
    if (what === Want.PointTime) {
      row[COL.time] = parseIsoTime(value);
      this.pointText[COL.time] = value;
    } else if (what === Want.PointNumber) {
      const col = key as number;
      if (!Number.isNaN(row[col]!) || value === '') return; // first value wins (Cadence before RunCadence)
      row[col] = parseDecimal(value);
      this.pointText[col] = value;
    } else if (what === Want.Id) {
      a.id ??= value;
    } else if (what === Want.CreatorName) {
      a.creator ||= value;
    } else if (this.lap) {
      const field = key as keyof TcxLap;
      if (what === Want.LapNumber) {
        const v = parseDecimal(value);
        if (this.lap[field] === null && !Number.isNaN(v)) (this.lap[field] as number | null) = v;
      } else {
        (this.lap[field] as string | null) = value || null;
      }
    }
  }

  private finishPoint(a: ActivityState): void {
    this.inPoint = false;
    const points = a.points;
    const row = points.row;
    const text = this.pointText;
    const index = a.pointCount;
    for (const col of CHECKED_COLUMNS) {
      const raw = text[col];
      if (raw !== undefined && Number.isNaN(row[col]!)) a.bad.add(FIELD_OF_COLUMN[col]!, index, raw);
    }
    const time = row[COL.time]!;
    if (!(time >= GPS_EPOCH_MS)) {
      a.bad.add('Time', index, text[COL.time] ?? '(missing)');
      a.skipped++;
      points.discard();
      return;
    }
    const lat = row[COL.lat]!;
    const lon = row[COL.lon]!;
    const latText = text[COL.lat];
    const lonText = text[COL.lon];
    if (latText !== undefined || lonText !== undefined) {
      if (!(Math.abs(lat) <= 90)) a.bad.add('LatitudeDegrees', index, latText ?? '(missing)');
      else if (!(Math.abs(lon) <= 180)) a.bad.add('LongitudeDegrees', index, lonText ?? '(missing)');
      else if (lat === 0 && lon === 0) a.bad.add('Position', index, '0/0');
    }
    if (Math.abs(lat) <= 90 && Math.abs(lon) <= 180 && !(lat === 0 && lon === 0)) {
      a.hasGps = true;
      if (!Number.isNaN(a.prevLat)) a.gpsDistance += haversineM(a.prevLat, a.prevLon, lat, lon);
      a.prevLat = lat;
      a.prevLon = lon;
      row[COL.gps_distance_m] = a.gpsDistance;
    } else {
      row[COL.lat] = NaN;
      row[COL.lon] = NaN;
    }
    if (row[COL.distance_m] === row[COL.distance_m]) a.hasFileDistance = true;
    if (!a.gain.add(row[COL.altitude_m]!, time)) row[COL.altitude_m] = NaN;
    if (time === a.lastTime) {
      a.merged++;
      points.mergeIntoLast();
      return;
    }
    a.lastTime = time;
    points.commit();
  }
}

/**
 * Parse a TCX file (plain or gzipped) into one workout and stream per
 * activity (and per multisport leg). Bad values are reported per field in
 * `errors` and the rest is kept; a file that breaks off keeps what was read.
 */
export function parseTcx(bytes: Uint8Array, input: string, opts: TcxOptions = {}): ParseResult {
  const reader = new TcxReader();
  let fault: string | null;
  try {
    fault = scanXmlBytes(bytes, reader.scanner);
  } catch (e) {
    return unreadable(input, e);
  }
  return finish(reader, fault, input, opts);
}

/** Parse a TCX file given as a stream of byte chunks: the result of {@link parseTcx}, in memory that follows the points, not the file. */
export async function parseTcxStream(chunks: AsyncIterable<Uint8Array>, input: string, opts: TcxOptions = {}): Promise<ParseResult> {
  const reader = new TcxReader();
  let fault: string | null;
  try {
    fault = await scanXmlStream(chunks, reader.scanner);
  } catch (e) {
    return unreadable(input, e);
  }
  return finish(reader, fault, input, opts);
}

function unreadable(input: string, e: unknown): ParseResult {
  const result = emptyResult();
  result.errors.push({ input, reason: `unreadable TCX file: ${(e as Error).message}` });
  return result;
}

function finish(reader: TcxReader, fault: string | null, input: string, opts: TcxOptions): ParseResult {
  const result = emptyResult();
  if (fault !== null) {
    if (!reader.rootSeen && reader.finished.length === 0 && reader.activity === null) {
      result.errors.push({ input, reason: `not a readable TCX file: ${fault}` });
      return result;
    }
    result.errors.push({ input, reason: `TCX is not well-formed XML; kept what was read before the fault: ${fault}` });
    if (reader.activity !== null) reader.finish(reader.activity);
  } else if (!reader.rootSeen) {
    result.errors.push({ input, reason: `not a TCX file: the root element is <${reader.rootName}>, not <TrainingCenterDatabase>` });
    return result;
  } else if (reader.finished.length === 0 && !reader.courses) {
    result.errors.push({ input, reason: 'TCX file holds no activity, multisport session or course' });
  }

  // A multisport session's id: its <Id>, else its first leg's start.
  const starts = reader.finished.map(startOf);
  const firstLeg = new Map<number, number>();
  reader.finished.forEach((a, i) => {
    const st = starts[i];
    if (a.session > 0 && st != null) firstLeg.set(a.session, Math.min(firstLeg.get(a.session) ?? Infinity, st));
  });
  const sessionIds = new Map<number, string>();
  for (const [session, first] of firstLeg) {
    const idMs = parseIsoTime(reader.sessionIds[session - 1] ?? '');
    sessionIds.set(session, `tcx:${Math.floor((idMs >= GPS_EPOCH_MS ? idMs : first) / 1000)}`);
  }

  const usedIds = new Set<string>();
  reader.finished.forEach((a, i) => {
    reportBadValues(a, input, result);
    const source = opts.source ?? sourceFromTcxNames(a.creator, reader.author);
    const start = starts[i]!;
    if (start === null) {
      result.errors.push({
        input,
        record: `Activity ${a.index}`,
        field: 'StartTime',
        reason: `no usable start time (no lap StartTime or trackpoint Time; Id "${a.id ?? ''}" is not used: it can be cut to the minute)`,
      });
      return;
    }
    const parent = a.session > 0 ? sessionIds.get(a.session) ?? null : null;
    let externalId = parent !== null ? `${parent}#${a.leg}` : `tcx:${Math.floor(start / 1000)}`;
    if (usedIds.has(externalId)) externalId += `:${a.index}`;
    usedIds.add(externalId);
    const { sport, category } = mapSport(a.sport);
    const stream = a.stream!;
    stream.source = source;
    stream.external_id = externalId;
    const workout = buildWorkout(a, start, stream, sport, category, {
      input,
      source,
      externalId,
      parent,
      author: reader.author,
      opts,
      truncated: fault !== null,
    });
    const lapTime = lapSum(a.laps, 'total_time_s');
    if (lapTime !== null && lapTime > workout.duration_s + spanTolerance(workout.duration_s)) {
      result.errors.push({
        input,
        record: `Activity ${a.index}`,
        field: 'TotalTimeSeconds',
        reason: `the laps' TotalTimeSeconds add up to ${lapTime} s, more than the ${workout.duration_s} s from the first to the last instant (laps overlap): moving time kept at ${workout.duration_s} s`,
      });
    }
    const check = SourceWorkout.safeParse(workout);
    if (!check.success) {
      result.errors.push({ input, record: `Activity ${a.index}`, reason: formatZodError(check.error, 'workout not valid') });
      return;
    }
    result.workouts.push(workout);
    if (stream.time.length) result.streams.push(stream);
  });
  return gateResult(result);
}

/** The activity's start: the earlier of its first lap's StartTime and its first trackpoint; null with neither. */
function startOf(a: ActivityState): number | null {
  const lap = a.laps[0]?.start_time;
  const lapMs = lap ? parseIsoTime(lap) : NaN;
  const pointMs = a.stream && a.stream.time.length ? a.stream.time[0]! : NaN;
  const candidates = [lapMs, pointMs].filter((ms) => ms >= GPS_EPOCH_MS);
  return candidates.length ? Math.min(...candidates) : null;
}

function reportBadValues(a: ActivityState, input: string, result: ParseResult): void {
  for (const b of a.bad.list()) {
    const plural = b.count === 1 ? 'point' : 'points';
    let reason: string;
    if (b.field === 'Time') reason = `Time is missing or not a usable timestamp ("${b.sample}") at ${b.count} ${plural}; those points were skipped`;
    else if (b.field === 'Position') reason = `position 0/0 is a placeholder for "no fix" at ${b.count} ${plural}; kept without a position`;
    else if (b.field === 'LatitudeDegrees' || b.field === 'LongitudeDegrees')
      reason = `${b.field} is not a valid coordinate ("${b.sample}") at ${b.count} ${plural}; kept without a position`;
    else reason = `${b.field} is not a valid value ("${b.sample}") at ${b.count} ${plural}; the value was left absent`;
    result.errors.push({ input, record: `Activity ${a.index} Trackpoint ${b.points}`, field: b.field, reason });
  }
}

interface BuildContext {
  input: string;
  source: string;
  externalId: string;
  parent: string | null;
  author: string;
  opts: TcxOptions;
  truncated: boolean;
}

/** Sum of a lap field over the laps that have it; null when none has. */
function lapSum(laps: TcxLap[], field: 'total_time_s' | 'distance_m' | 'calories_kcal'): number | null {
  let sum: number | null = null;
  for (const l of laps) {
    const v = l[field];
    if (v !== null) sum = (sum ?? 0) + v;
  }
  return sum;
}

/** Lap averages weighted by lap time (laps of unknown length weigh 1 s); null when no lap has the field. */
function lapMean(laps: TcxLap[], field: 'avg_hr' | 'cadence' | 'avg_power_w'): number | null {
  let sum = 0;
  let weight = 0;
  for (const l of laps) {
    const v = l[field];
    if (v === null) continue;
    const w = l.total_time_s ?? 1;
    sum += v * w;
    weight += w;
  }
  return weight > 0 ? sum / weight : null;
}

function lapMax(laps: TcxLap[], field: 'max_hr' | 'max_power_w'): number | null {
  let max: number | null = null;
  for (const l of laps) {
    const v = l[field];
    if (v !== null && (max === null || v > max)) max = v;
  }
  return max;
}

/** The latest lap end known from the laps: StartTime + TotalTimeSeconds. */
function lapsEnd(laps: TcxLap[]): number {
  let end = -Infinity;
  for (const l of laps) {
    const s = l.start_time ? parseIsoTime(l.start_time) : NaN;
    if (s === s && l.total_time_s !== null) end = Math.max(end, s + l.total_time_s * 1000);
  }
  return end;
}

function lastFinite(values: Float64Array | undefined): number | null {
  if (!values) return null;
  for (let i = values.length - 1; i >= 0; i--) if (!Number.isNaN(values[i]!)) return values[i]!;
  return null;
}

function buildWorkout(
  a: ActivityState,
  start: number,
  stream: WorkoutStream,
  sport: string,
  category: SourceWorkoutInput['sport_category'],
  c: BuildContext,
): SourceWorkoutInput {
  const s = summariseTrack(stream, sport);
  const end = Math.max(start, stream.time.length ? s.end : start, lapsEnd(a.laps));
  const duration = (end - start) / 1000;
  const lapTime = lapSum(a.laps, 'total_time_s');
  const moving = lapTime !== null ? Math.min(lapTime, duration) : s.movingS;
  const distance = lapSum(a.laps, 'distance_m') ?? (a.hasFileDistance ? lastFinite(stream.channels.distance_m) : null) ?? (a.hasGps ? a.gpsDistance : null);
  const lapsMaxHr = lapMax(a.laps, 'max_hr');
  const maxHr = s.hr.max !== null && lapsMaxHr !== null ? Math.max(s.hr.max, lapsMaxHr) : (s.hr.max ?? lapsMaxHr);
  const avgPower = s.power.mean ?? lapMean(a.laps, 'avg_power_w');
  const lapCadence = lapMean(a.laps, 'cadence');
  const lapCadences = Float64Array.from(a.laps.flatMap((l) => (l.cadence === null ? [] : [l.cadence])));
  // The Id's offset is the device's local time only when it is non-zero; Z or +00:00 says nothing about where.
  const offset = a.id ? isoOffsetMinutes(a.id) : null;
  return {
    athlete_id: c.opts.athleteId ?? 'me',
    source: c.source,
    external_id: c.externalId,
    name: null,
    start_time: new Date(start),
    end_time: new Date(end),
    duration_s: duration,
    moving_time_s: moving,
    utc_offset_min: offset ? offset : null,
    sport,
    source_sport: a.sport,
    sport_category: category,
    distance_m: distance,
    calories_kcal: lapSum(a.laps, 'calories_kcal'),
    avg_hr: s.hr.mean ?? lapMean(a.laps, 'avg_hr'),
    max_hr: maxHr,
    elevation_gain_m: a.gain.seen ? a.gain.gain : null,
    avg_power_w: avgPower,
    max_power_w: s.power.max ?? lapMax(a.laps, 'max_power_w'),
    avg_cadence: s.cadence.mean ?? (lapCadence === null ? null : lapCadence * cadenceFactor(sport, lapCadences)),
    external_ids: c.parent !== null ? { tcx: c.parent, tcx_leg: String(a.leg) } : {},
    raw_data: {
      format: 'tcx',
      sport: a.sport,
      id: a.id,
      creator: a.creator || null,
      author: c.author || null,
      laps: a.laps,
      points: stream.time.length,
      skipped_points: a.skipped,
      merged_points: a.merged,
      gps_distance_m: a.hasGps ? a.gpsDistance : null,
      cadence_doubled: s.cadenceFactor === 2,
      truncated: c.truncated,
    },
    has_gps: a.hasGps,
    has_power: avgPower !== null,
    parent_external_id: c.parent,
    input: c.input,
  };
}
