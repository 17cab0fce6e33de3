/**
 * TCX (Garmin Training Center Database v2) reader: each `<Activity>` becomes
 * one workout with its laps summarised and its trackpoints as a stream.
 * Courses (planned routes) are recognised and give nothing. The XML is
 * streamed with saxes; points go straight into typed columns.
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { SourceWorkout, emptyResult, formatZodError, type ParseResult, type SourceWorkoutInput } from '../core/models.ts';
import { mapSport } from '../core/sports.ts';
import { ElevationGain } from './elevation.ts';
import {
  BadValues,
  COL,
  GPS_EPOCH_MS,
  PointColumns,
  columnStats,
  haversineM,
  isMoving,
  isNonNegative,
  isPlausibleHr,
} from './track_points.ts';
import { decodeXmlBytes, isoOffsetMinutes, parseDecimal, parseAll, parseIsoTime } from './xml_text.ts';

/** Options of {@link parseTcx}. */
export interface TcxOptions {
  /** Source to record; default: guessed from the device and author names, else `tcx`. */
  source?: string;
  athleteId?: string;
}

/** One `<Lap>` as summarised into `raw_data.laps`; null where the file has no value. */
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
  /** 1-based position among the file's activities. */
  index: number;
  sport: string | null;
  id: string | null;
  laps: TcxLap[];
  creator: string;
  points: PointColumns;
  gain: ElevationGain;
  gpsDistance: number;
  prevLat: number;
  prevLon: number;
  pointCount: number;
  skipped: number;
  hasGps: boolean;
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

/** Numeric lap fields, by parent element and element local name. */
const LAP_NUMBERS: Record<string, Record<string, keyof TcxLap>> = {
  Lap: {
    TotalTimeSeconds: 'total_time_s',
    DistanceMeters: 'distance_m',
    Calories: 'calories_kcal',
    Cadence: 'cadence',
    MaximumSpeed: 'max_speed_mps',
  },
  AverageHeartRateBpm: { Value: 'avg_hr' },
  MaximumHeartRateBpm: { Value: 'max_hr' },
  LX: { AvgWatts: 'avg_power_w', MaxWatts: 'max_power_w', AvgRunCadence: 'cadence' },
};
const LAP_TEXTS: Record<string, keyof TcxLap> = { Intensity: 'intensity', TriggerMethod: 'trigger' };

/** Numeric trackpoint fields, by parent element and element local name. */
const POINT_NUMBERS: Record<string, Record<string, number>> = {
  Trackpoint: { AltitudeMeters: COL.altitude_m, DistanceMeters: COL.distance_m, Cadence: COL.cadence },
  Position: { LatitudeDegrees: COL.lat, LongitudeDegrees: COL.lon },
  HeartRateBpm: { Value: COL.hr },
  TPX: { Speed: COL.speed_mps, Watts: COL.power_w, RunCadence: COL.cadence },
};
function pointColumn(parent: string, local: string): number | undefined {
  const table = lookup(POINT_NUMBERS, parent);
  return table ? lookup(table, local) : undefined;
}

function lapNumber(parent: string, local: string): keyof TcxLap | undefined {
  const table = lookup(LAP_NUMBERS, parent);
  return table ? lookup(table, local) : undefined;
}

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

/** A table entry by key, ignoring what objects inherit (an element named `constructor`). */
function lookup<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

function localName(qname: string): string {
  const i = qname.indexOf(':');
  return i < 0 ? qname : qname.slice(i + 1);
}

/**
 * Parse a TCX file (plain or gzipped) into one workout and stream per
 * `<Activity>`. Duration is the sum of the laps' TotalTimeSeconds (else last
 * minus first point); distance the sum of the laps' DistanceMeters (else the
 * last point's, else the haversine sum of positions). Positions of exactly
 * 0/0 are a device's placeholder for "no fix" and are treated as absent.
 */
export function parseTcx(bytes: Uint8Array, input: string, opts: TcxOptions = {}): ParseResult {
  const result = emptyResult();
  let text: string;
  try {
    text = decodeXmlBytes(bytes);
  } catch (e) {
    result.errors.push({ input, reason: `unreadable TCX file: ${(e as Error).message}` });
    return result;
  }

  const stack: string[] = [];
  let rootSeen = false;
  let rootName = '';
  let courses = false;
  let author = '';
  const finished: ActivityState[] = [];
  let activity: ActivityState | null = null;
  let lap: TcxLap | null = null;
  let inPoint = false;
  let pointText: Record<number, string> = {};
  let collectKey: string | null = null;
  let collectParent = '';
  let collectDepth = 0;
  let collected = '';

  const parser = new SaxesParser({ xmlns: false });
  parser.on('opentag', (tag: SaxesTagPlain) => {
    const local = localName(tag.name);
    const parent = stack[stack.length - 1] ?? '';
    stack.push(local);
    if (stack.length === 1) {
      rootName = tag.name;
      rootSeen = local === 'TrainingCenterDatabase';
      return;
    }
    if (local === 'Courses') courses = true;
    if (local === 'Activity' && parent === 'Activities') {
      activity = newActivity(finished.length + 1, tag.attributes.Sport ?? null);
      return;
    }
    if (!activity) {
      if (local === 'Name' && parent === 'Author') startCollect('author', parent);
      return;
    }
    if (local === 'Lap' && parent === 'Activity') {
      lap = newLap(tag.attributes.StartTime);
      activity.laps.push(lap);
    } else if (local === 'Trackpoint') {
      inPoint = true;
      pointText = {};
      activity.pointCount++;
    } else if (inPoint) {
      if (pointColumn(parent, local) !== undefined || (local === 'Time' && parent === 'Trackpoint')) {
        startCollect(local, parent);
      }
    } else if (
      (local === 'Id' && parent === 'Activity') ||
      (local === 'Name' && parent === 'Creator' && stack[stack.length - 3] === 'Activity') ||
      (lap !== null && (lapNumber(parent, local) !== undefined || (parent === 'Lap' && lookup(LAP_TEXTS, local) !== undefined)))
    ) {
      startCollect(local, parent);
    }
  });
  parser.on('text', addText);
  parser.on('cdata', addText);
  parser.on('closetag', () => {
    const depth = stack.length;
    const local = stack.pop();
    if (collectKey !== null && depth === collectDepth) {
      applyCollected(collectKey, collectParent, collected.trim());
      collectKey = null;
    }
    if (!activity) return;
    if (local === 'Trackpoint' && inPoint) finishPoint(activity);
    else if (local === 'Lap' && stack[stack.length - 1] === 'Activity') lap = null;
    else if (local === 'Activity' && stack[stack.length - 1] === 'Activities') {
      finished.push(activity);
      activity = null;
    }
  });

  function addText(t: string): void {
    if (collectKey !== null && stack.length === collectDepth) collected += t;
  }

  function startCollect(key: string, parent: string): void {
    collectKey = key;
    collectParent = parent;
    collectDepth = stack.length;
    collected = '';
  }

  function newActivity(index: number, sport: string | null): ActivityState {
    return {
      index,
      sport,
      id: null,
      laps: [],
      creator: '',
      points: new PointColumns(),
      gain: new ElevationGain(),
      gpsDistance: 0,
      prevLat: NaN,
      prevLon: NaN,
      pointCount: 0,
      skipped: 0,
      hasGps: false,
      bad: new BadValues(),
    };
  }

  function applyCollected(key: string, parent: string, value: string): void {
    if (key === 'author') {
      author ||= value;
      return;
    }
    const a = activity;
    if (!a) return;
    if (inPoint) {
      const row = a.points.row;
      if (key === 'Time') {
        row[COL.time] = parseIsoTime(value);
        pointText[COL.time] = value;
        return;
      }
      const col = pointColumn(parent, key);
      if (col === undefined || !Number.isNaN(row[col]!)) return; // first value wins (Cadence before RunCadence)
      if (value === '') return;
      row[col] = parseDecimal(value);
      pointText[col] = value;
      return;
    }
    if (key === 'Id') a.id ??= value;
    else if (key === 'Name' && parent === 'Creator') a.creator ||= value;
    else if (lap) {
      const numeric = lapNumber(parent, key);
      if (numeric !== undefined) {
        const v = parseDecimal(value);
        if (lap[numeric] === null && !Number.isNaN(v)) (lap[numeric] as number | null) = v;
      } else {
        const field = lookup(LAP_TEXTS, key);
        if (field !== undefined) (lap[field] as string | null) = value || null;
      }
    }
  }

  function finishPoint(a: ActivityState): void {
    inPoint = false;
    const row = a.points.row;
    const index = a.pointCount;
    for (const col of [COL.altitude_m, COL.distance_m, COL.cadence, COL.hr, COL.speed_mps, COL.power_w]) {
      const raw = pointText[col];
      if (raw !== undefined && Number.isNaN(row[col]!)) a.bad.add(FIELD_OF_COLUMN[col]!, index, raw);
    }
    const time = row[COL.time]!;
    if (!(time >= GPS_EPOCH_MS)) {
      a.bad.add('Time', index, pointText[COL.time] ?? '(missing)');
      a.skipped++;
      a.points.discard();
      return;
    }
    const lat = row[COL.lat]!;
    const lon = row[COL.lon]!;
    const latText = pointText[COL.lat];
    const lonText = pointText[COL.lon];
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
    if (!a.gain.add(row[COL.altitude_m]!, time)) row[COL.altitude_m] = NaN;
    a.points.commit();
  }

  const xmlError = parseAll(parser, text);
  if (xmlError !== null) {
    if (!rootSeen && finished.length === 0 && activity === null) {
      result.errors.push({ input, reason: `not a readable TCX file: ${xmlError}` });
      return result;
    }
    result.errors.push({ input, reason: `TCX is not well-formed XML; kept what was read before the fault: ${xmlError}` });
    if (activity !== null) finished.push(activity);
  } else if (!rootSeen) {
    result.errors.push({ input, reason: `not a TCX file: the root element is <${rootName}>, not <TrainingCenterDatabase>` });
    return result;
  } else if (finished.length === 0 && !courses) {
    result.errors.push({ input, reason: 'TCX file has neither Activities nor Courses' });
  }

  const usedIds = new Set<string>();
  for (const a of finished) {
    reportBadValues(a, input, result);
    const source = opts.source ?? sourceFromTcxNames(a.creator, author);
    const start = startOf(a);
    if (start === null) {
      result.errors.push({
        input,
        record: `Activity ${a.index}`,
        field: 'Id',
        reason: `no usable start time (Id "${a.id ?? ''}", no lap StartTime or trackpoint Time)`,
      });
      continue;
    }
    let externalId = `tcx:${Math.floor(start / 1000)}`;
    if (usedIds.has(externalId)) externalId += `:${a.index}`;
    usedIds.add(externalId);
    const workout = buildWorkout(a, start, { input, source, externalId, author, opts, truncated: xmlError !== null });
    const check = SourceWorkout.safeParse(workout);
    if (!check.success) {
      result.errors.push({ input, record: `Activity ${a.index}`, reason: formatZodError(check.error, 'workout not valid') });
      continue;
    }
    result.workouts.push(workout);
    // Without the file's own distances, the stream carries the haversine distance.
    if (a.hasGps && columnStats(a.points.view(COL.distance_m)).count === 0) {
      a.points.view(COL.distance_m).set(a.points.view(COL.gps_distance_m));
    }
    if (a.points.length) result.streams.push(a.points.toStream(source, externalId));
  }
  return result;
}

/** The activity's start: its Id, else the first lap's StartTime, else the first point's time. */
function startOf(a: ActivityState): number | null {
  for (const text of [a.id, a.laps[0]?.start_time]) {
    const ms = text ? parseIsoTime(text) : NaN;
    if (ms >= GPS_EPOCH_MS) return ms;
  }
  return a.points.length ? a.points.view(COL.time)[0]! : null;
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

function lastFinite(values: Float64Array): number | null {
  for (let i = values.length - 1; i >= 0; i--) if (!Number.isNaN(values[i]!)) return values[i]!;
  return null;
}

function buildWorkout(a: ActivityState, start: number, c: BuildContext): SourceWorkoutInput {
  const p = a.points;
  const times = p.view(COL.time);
  const lapTime = lapSum(a.laps, 'total_time_s');
  let lastTime = start;
  for (const ms of times) if (ms > lastTime) lastTime = ms;
  const duration = lapTime ?? Math.max(0, (lastTime - start) / 1000);
  const distance = lapSum(a.laps, 'distance_m') ?? lastFinite(p.view(COL.distance_m)) ?? (a.hasGps ? a.gpsDistance : null);
  const { sport, category } = mapSport(a.sport);
  const hr = columnStats(p.view(COL.hr), isPlausibleHr);
  const power = columnStats(p.view(COL.power_w), isNonNegative);
  const cadence = columnStats(p.view(COL.cadence), isMoving);
  const lapsMaxHr = lapMax(a.laps, 'max_hr');
  const maxHr = hr.max !== null && lapsMaxHr !== null ? Math.max(hr.max, lapsMaxHr) : (hr.max ?? lapsMaxHr);
  const avgPower = power.mean ?? lapMean(a.laps, 'avg_power_w');
  // The Id's offset is the device's local time only when it is non-zero; Z or +00:00 says nothing about where.
  const offset = a.id ? isoOffsetMinutes(a.id) : null;
  return {
    athlete_id: c.opts.athleteId ?? 'me',
    source: c.source,
    external_id: c.externalId,
    name: null,
    start_time: new Date(start),
    end_time: new Date(start + duration * 1000),
    duration_s: duration,
    utc_offset_min: offset ? offset : null,
    sport,
    source_sport: a.sport,
    sport_category: category,
    distance_m: distance,
    calories_kcal: lapSum(a.laps, 'calories_kcal'),
    avg_hr: hr.mean ?? lapMean(a.laps, 'avg_hr'),
    max_hr: maxHr,
    elevation_gain_m: a.gain.seen ? a.gain.gain : null,
    avg_power_w: avgPower,
    max_power_w: power.max ?? lapMax(a.laps, 'max_power_w'),
    avg_cadence: cadence.mean ?? lapMean(a.laps, 'cadence'),
    external_ids: {},
    raw_data: {
      format: 'tcx',
      sport: a.sport,
      id: a.id,
      creator: a.creator || null,
      author: c.author || null,
      laps: a.laps,
      points: p.length,
      skipped_points: a.skipped,
      gps_distance_m: a.hasGps ? a.gpsDistance : null,
      truncated: c.truncated,
    },
    has_gps: a.hasGps,
    has_power: avgPower !== null,
    input: c.input,
  };
}
