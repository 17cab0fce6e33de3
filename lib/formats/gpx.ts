/**
 * GPX 1.0/1.1 reader: each timed `<trk>` becomes one workout and its stream.
 * Routes and waypoints carry no recorded activity and are ignored. The XML is
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
import { decodeXmlBytes, parseDecimal, parseAll, parseIsoTime } from './xml_text.ts';

/** Options of {@link parseGpx}. */
export interface GpxOptions {
  /** Source to record; default: guessed from the `<gpx creator>` attribute, else `gpx`. */
  source?: string;
  athleteId?: string;
  /** Sport name to use instead of the track's `<type>` (an account export knows it better). */
  sport?: string;
}

/** Which source wrote a GPX file, from its `creator` attribute. */
export function sourceFromCreator(creator: string): string {
  if (/strava/i.test(creator)) return 'strava';
  if (/garmin/i.test(creator)) return 'garmin';
  if (/apple|health/i.test(creator)) return 'apple_health';
  if (/wahoo/i.test(creator)) return 'wahoo';
  if (/polar/i.test(creator)) return 'polar';
  if (/suunto/i.test(creator)) return 'suunto';
  return 'gpx';
}

/** Strava writes its numeric activity type ids into `<trk><type>`; the ids seen in real exports. */
const STRAVA_TYPE_IDS: Record<string, string> = { '1': 'ride', '9': 'run' };

/** Extension element local names (lower case) to the column they fill. */
const EXTENSION_COLUMNS = new Map<string, number>([
  ['hr', COL.hr],
  ['heartrate', COL.hr],
  ['cad', COL.cadence],
  ['cadence', COL.cadence],
  ['atemp', COL.temp_c],
  ['temp', COL.temp_c],
  ['power', COL.power_w],
  ['powerinwatts', COL.power_w],
  ['powerintrack', COL.power_w],
  ['watts', COL.power_w],
  ['speed', COL.speed_mps],
]);

/** Direct children of `<trkpt>` read as numbers. */
const POINT_COLUMNS = new Map<string, number>([
  ['ele', COL.altitude_m],
  ['speed', COL.speed_mps],
]);

interface TrackState {
  /** 1-based position among the file's `<trk>` elements. */
  index: number;
  name: string | null;
  type: string | null;
  points: PointColumns;
  gain: ElevationGain;
  distance: number;
  prevLat: number;
  prevLon: number;
  /** Points read (1-based index of the current one). */
  pointCount: number;
  /** Points with a position but no usable time. */
  untimed: number;
  /** Points skipped for a bad position. */
  skipped: number;
  segments: number;
  hasGps: boolean;
  bad: BadValues;
}

function newTrack(index: number): TrackState {
  return {
    index,
    name: null,
    type: null,
    points: new PointColumns(),
    gain: new ElevationGain(),
    distance: 0,
    prevLat: NaN,
    prevLon: NaN,
    pointCount: 0,
    untimed: 0,
    skipped: 0,
    segments: 0,
    hasGps: false,
    bad: new BadValues(),
  };
}

function localName(qname: string): string {
  const i = qname.indexOf(':');
  return (i < 0 ? qname : qname.slice(i + 1)).toLowerCase();
}

/**
 * Parse a GPX file (plain or gzipped) into one workout and stream per timed
 * track. Distance is the haversine sum within each segment (a new segment is
 * a pause or signal loss, so the gap is not counted); elevation gain uses a
 * hysteresis threshold (see ElevationGain). Bad values are reported per field
 * in `errors` and the rest of the file is kept.
 */
export function parseGpx(bytes: Uint8Array, input: string, opts: GpxOptions = {}): ParseResult {
  const result = emptyResult();
  let text: string;
  try {
    text = decodeXmlBytes(bytes);
  } catch (e) {
    result.errors.push({ input, reason: `unreadable GPX file: ${(e as Error).message}` });
    return result;
  }

  const stack: string[] = [];
  let rootSeen = false;
  let rootName = '';
  let creator = '';
  let version = '';
  let metadataName: string | null = null;
  let trkCount = 0;
  const finished: TrackState[] = [];
  let track: TrackState | null = null;
  let inPoint = false;
  let pointBad = false;
  let extensionsDepth = 0;
  let collectKey: string | null = null;
  let collectDepth = 0;
  let collected = '';

  const parser = new SaxesParser({ xmlns: false });
  parser.on('opentag', (tag: SaxesTagPlain) => {
    const local = localName(tag.name);
    const parent = stack[stack.length - 1];
    stack.push(local);
    if (stack.length === 1) {
      rootName = tag.name;
      rootSeen = local === 'gpx';
      creator = tag.attributes.creator ?? '';
      version = tag.attributes.version ?? '';
      return;
    }
    if (local === 'trk' && parent === 'gpx') {
      trkCount++;
      track = newTrack(trkCount);
      return;
    }
    if (!track) {
      if (local === 'name' && (parent === 'metadata' || parent === 'gpx')) startCollect('meta-name');
      return;
    }
    if (local === 'trkseg' && parent === 'trk') {
      track.segments++;
      track.prevLat = NaN;
      track.prevLon = NaN;
    } else if (local === 'trkpt' && parent === 'trkseg') {
      startPoint(track, tag.attributes);
    } else if (inPoint) {
      if (local === 'extensions') {
        if (extensionsDepth === 0) extensionsDepth = stack.length;
      } else if (extensionsDepth > 0 ? EXTENSION_COLUMNS.has(local) : parent === 'trkpt') {
        startCollect(local);
      }
    } else if (parent === 'trk' && (local === 'name' || local === 'type')) {
      startCollect(local);
    }
  });
  parser.on('text', addText);
  parser.on('cdata', addText);
  parser.on('closetag', () => {
    const depth = stack.length;
    const local = stack.pop();
    if (collectKey !== null && depth === collectDepth) {
      applyCollected(collectKey, collected);
      collectKey = null;
    }
    if (depth === extensionsDepth) extensionsDepth = 0;
    if (local === 'trkpt' && inPoint && track) finishPoint(track);
    else if (local === 'trk' && track) {
      finished.push(track);
      track = null;
    }
  });

  function addText(t: string): void {
    if (collectKey !== null && stack.length === collectDepth) collected += t;
  }

  function startCollect(key: string): void {
    collectKey = key;
    collectDepth = stack.length;
    collected = '';
  }

  function startPoint(t: TrackState, attrs: Record<string, string>): void {
    inPoint = true;
    pointBad = false;
    t.pointCount++;
    const lat = parseDecimal(attrs.lat ?? '');
    const lon = parseDecimal(attrs.lon ?? '');
    if (!(Math.abs(lat) <= 90)) {
      t.bad.add('lat', t.pointCount, attrs.lat ?? '(missing)');
      pointBad = true;
    } else if (!(Math.abs(lon) <= 180)) {
      t.bad.add('lon', t.pointCount, attrs.lon ?? '(missing)');
      pointBad = true;
    }
    t.points.row[COL.lat] = lat;
    t.points.row[COL.lon] = lon;
  }

  function applyCollected(key: string, value: string): void {
    if (key === 'meta-name') {
      metadataName ??= value.trim() || null;
      return;
    }
    const t = track;
    if (!t) return;
    if (!inPoint) {
      if (key === 'name') t.name ??= value.trim() || null;
      else if (key === 'type') t.type ??= value.trim() || null;
      return;
    }
    const row = t.points.row;
    if (key === 'time') {
      if (!Number.isNaN(row[COL.time]!)) return;
      const ms = parseIsoTime(value);
      const usable = ms >= GPS_EPOCH_MS;
      if (!usable && value.trim() !== '') t.bad.add('time', t.pointCount, value.trim());
      row[COL.time] = usable ? ms : NaN;
      return;
    }
    const col = (extensionsDepth > 0 ? EXTENSION_COLUMNS : POINT_COLUMNS).get(key);
    if (col === undefined || !Number.isNaN(row[col]!)) return; // first value wins over repeats
    if (value.trim() === '') return; // an empty element (<ele/>) is an absent value
    const v = parseDecimal(value);
    if (Number.isNaN(v)) t.bad.add(key, t.pointCount, value.trim());
    row[col] = v;
  }

  function finishPoint(t: TrackState): void {
    inPoint = false;
    extensionsDepth = 0;
    const row = t.points.row;
    if (pointBad) {
      t.skipped++;
      t.points.discard();
      return;
    }
    const lat = row[COL.lat]!;
    const lon = row[COL.lon]!;
    t.hasGps = true;
    if (!Number.isNaN(t.prevLat)) t.distance += haversineM(t.prevLat, t.prevLon, lat, lon);
    t.prevLat = lat;
    t.prevLon = lon;
    if (!t.gain.add(row[COL.altitude_m]!, row[COL.time]!)) row[COL.altitude_m] = NaN;
    if (Number.isNaN(row[COL.time]!)) {
      t.untimed++;
      t.points.discard();
      return;
    }
    row[COL.distance_m] = t.distance;
    t.points.commit();
  }

  const xmlError = parseAll(parser, text);
  if (xmlError !== null) {
    if (!rootSeen && finished.length === 0 && track === null) {
      result.errors.push({ input, reason: `not a readable GPX file: ${xmlError}` });
      return result;
    }
    result.errors.push({ input, reason: `GPX is not well-formed XML; kept what was read before the fault: ${xmlError}` });
    if (track !== null) finished.push(track);
  } else if (!rootSeen) {
    result.errors.push({ input, reason: `not a GPX file: the root element is <${rootName}>, not <gpx>` });
    return result;
  }

  const source = opts.source ?? sourceFromCreator(creator);
  const untimed: TrackState[] = [];
  for (const t of finished) {
    reportBadValues(t, input, result);
    const kept = t.points.length + t.untimed;
    if (kept === 0) continue;
    // A handful of stamped points in an otherwise untimed log is not a recording of an activity.
    if (t.points.length * 2 < kept) {
      untimed.push(t);
      continue;
    }
    const externalId = `gpx:${Math.floor(t.points.view(COL.time)[0]! / 1000)}` + (trkCount > 1 ? `:${t.index}` : '');
    const workout = buildWorkout(t, { input, source, externalId, creator, version, metadataName, opts, truncated: xmlError !== null });
    const check = SourceWorkout.safeParse(workout);
    if (!check.success) {
      result.errors.push({ input, record: `trk ${t.index}`, reason: formatZodError(check.error, 'workout not valid') });
      continue;
    }
    result.workouts.push(workout);
    result.streams.push(t.points.toStream(source, externalId));
  }
  if (untimed.length) {
    const points = untimed.reduce((n, t) => n + t.points.length + t.untimed, 0);
    const counted = `${points} ${points === 1 ? 'point' : 'points'}`;
    result.errors.push({
      input,
      record: untimed.map((t) => `trk ${t.index}`).join(', '),
      field: 'time',
      reason:
        untimed.length === 1
          ? `the track has no usable timestamps (${counted}), so it is not a workout`
          : `${untimed.length} tracks have no usable timestamps (${counted}), so they are not workouts`,
    });
  }
  return result;
}

function reportBadValues(t: TrackState, input: string, result: ParseResult): void {
  for (const b of t.bad.list()) {
    const skipped = b.field === 'lat' || b.field === 'lon';
    const plural = b.count === 1 ? 'point' : 'points';
    result.errors.push({
      input,
      record: `trk ${t.index} trkpt ${b.points}`,
      field: b.field,
      reason: skipped
        ? `${b.field} is not a valid coordinate ("${b.sample}") at ${b.count} ${plural}; those points were skipped`
        : b.field === 'time'
          ? `time is not a usable timestamp ("${b.sample}": unreadable, or before 1980 when GPS time starts) at ${b.count} ${plural}`
          : `${b.field} is not a valid value ("${b.sample}") at ${b.count} ${plural}; the value was left absent`,
    });
  }
}

interface BuildContext {
  input: string;
  source: string;
  externalId: string;
  creator: string;
  version: string;
  metadataName: string | null;
  opts: GpxOptions;
  truncated: boolean;
}

function buildWorkout(t: TrackState, c: BuildContext): SourceWorkoutInput {
  const p = t.points;
  const times = p.view(COL.time);
  let start = Infinity;
  let end = -Infinity;
  for (const ms of times) {
    if (ms < start) start = ms;
    if (ms > end) end = ms;
  }
  const sourceSport = c.opts.sport ?? t.type;
  const sportName = sourceSport !== null ? (STRAVA_TYPE_IDS[sourceSport] ?? sourceSport) : null;
  const { sport, category } = mapSport(sportName);
  const hr = columnStats(p.view(COL.hr), isPlausibleHr);
  const power = columnStats(p.view(COL.power_w), isNonNegative);
  const cadence = columnStats(p.view(COL.cadence), isMoving);
  const temp = columnStats(p.view(COL.temp_c));
  return {
    athlete_id: c.opts.athleteId ?? 'me',
    source: c.source,
    external_id: c.externalId,
    name: t.name ?? c.metadataName,
    start_time: new Date(start),
    end_time: new Date(end),
    duration_s: (end - start) / 1000,
    utc_offset_min: null,
    sport,
    source_sport: sourceSport,
    sport_category: category,
    distance_m: t.hasGps ? t.distance : null,
    avg_hr: hr.mean,
    max_hr: hr.max,
    elevation_gain_m: t.gain.seen ? t.gain.gain : null,
    avg_power_w: power.mean,
    max_power_w: power.max,
    avg_cadence: cadence.mean,
    external_ids: {},
    raw_data: {
      format: 'gpx',
      version: c.version || null,
      creator: c.creator || null,
      track: t.index,
      points: p.length,
      untimed_points: t.untimed,
      skipped_points: t.skipped,
      segments: t.segments,
      air_temp_c: temp.count ? { mean: temp.mean, max: temp.max } : null,
      truncated: c.truncated,
    },
    has_gps: t.hasGps,
    has_power: power.count > 0,
    input: c.input,
  };
}
