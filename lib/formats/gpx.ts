/**
 * GPX 1.0/1.1 reader: each timed `<trk>` becomes one workout and its stream.
 * Routes and waypoints carry no recorded activity and are ignored. The file
 * is read as a stream of chunks through xml_scan.ts; points go straight into
 * typed columns.
 *
 * What each workout field means here (the same as in every format):
 * - start_time / end_time: the track's first and last timed point;
 * - duration_s: elapsed time, end_time - start_time (pauses included);
 * - moving_time_s: GPX has no timer, so the speed rule of moving_time.ts
 *   over the track's distance (a new `<trkseg>` is a pause: its gap moves no
 *   distance), less the pauses the file marks (OpenTracks' old convention, as
 *   its test gpx_with_pause_resume reads it: a point at lat 100, lon 0 ends a
 *   segment, one at lat 200, lon 0 starts the next; only in files OpenTracks
 *   wrote, elsewhere such a point is a bad position);
 * - distance_m: the haversine length of the points within each segment;
 * - elevation_gain_m: the hysteresis ascent of elevation.ts;
 * - avg_hr / max_hr, avg_power_w / max_power_w: from the points' extensions;
 * - avg_cadence and the cadence channel: steps per minute for foot sports
 *   (cadence.ts tells strides from steps), rpm otherwise;
 * - utc_offset_min: the offset written in the first usable point time when it
 *   is not zero (GPX 1.1 asks for UTC, but apps such as OpenTracks write local
 *   time with its offset, e.g. `2020-02-02T02:02:02.000+01:15`); Z or +00:00
 *   says nothing about where, so null.
 * Points sharing a timestamp are one sample (later values fill it). Every
 * value then passes the plausibility gate (core/plausibility.ts).
 */
import { SourceWorkout, emptyResult, formatZodError, type ParseResult, type SourceWorkoutInput, type WorkoutStream } from '../core/models.ts';
import { gateResult } from '../core/plausibility.ts';
import { mapSport } from '../core/sports.ts';
import { ElevationGain } from './elevation.ts';
import { BadValues, COL, GPS_EPOCH_MS, PointColumns, haversineM } from './track_points.ts';
import { summariseTrack } from './track_summary.ts';
import { XmlScanner, type XmlAttributes, type XmlSink } from './xml_scan.ts';
import { isoOffsetMinutes, parseDecimal, parseIsoTime, scanXmlBytes, scanXmlStream } from './xml_text.ts';

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
  ['power', COL.power_w],
  ['powerinwatts', COL.power_w],
  ['powerintrack', COL.power_w],
  ['watts', COL.power_w],
  ['speed', COL.speed_mps],
]);
/** Air temperature extensions: summarised into raw_data, not a stream channel. */
const TEMPERATURE = new Set(['atemp', 'temp']);

/** Direct children of `<trkpt>` read as numbers. */
const POINT_COLUMNS = new Map<string, number>([
  ['ele', COL.altitude_m],
  ['speed', COL.speed_mps],
]);

/** What a collected text is for: a column index (0-9), or one of these. */
const NOTHING = -1;
const TIME = 100;
const TRACK_NAME = 101;
const TRACK_TYPE = 102;
const META_NAME = 103;
const AIR_TEMP = 104;

interface TrackState {
  /** 1-based position among the file's `<trk>` elements. */
  index: number;
  name: string | null;
  type: string | null;
  points: PointColumns;
  /** The points as exact-length columns, taken when the track closes (its source and id are set later). */
  stream: WorkoutStream | null;
  gain: ElevationGain;
  distance: number;
  prevLat: number;
  prevLon: number;
  /** Time of the last committed point (ms). */
  lastTime: number;
  /** Points read (1-based index of the current one). */
  pointCount: number;
  /** Points with a position but no usable time. */
  untimed: number;
  /** Points skipped for a bad position. */
  skipped: number;
  /** Points that shared the previous point's timestamp (merged into it). */
  merged: number;
  segments: number;
  /** Marked pauses as (from, to) pairs of epoch ms, in file order. */
  pauses: number[];
  /** When the open pause began (NaN when none is open). */
  pausedAt: number;
  /** Pause and resume marker points read. */
  markers: number;
  hasGps: boolean;
  /** The UTC offset written in the first usable point time (undefined until one is read). */
  writtenOffset: number | null | undefined;
  temp: { sum: number; max: number; count: number };
  bad: BadValues;
}

function newTrack(index: number): TrackState {
  return {
    index,
    name: null,
    type: null,
    points: new PointColumns(),
    stream: null,
    gain: new ElevationGain(),
    distance: 0,
    prevLat: NaN,
    prevLon: NaN,
    lastTime: NaN,
    pointCount: 0,
    untimed: 0,
    skipped: 0,
    merged: 0,
    segments: 0,
    pauses: [],
    pausedAt: NaN,
    markers: 0,
    hasGps: false,
    writtenOffset: undefined,
    temp: { sum: 0, max: -Infinity, count: 0 },
    bad: new BadValues(),
  };
}

/** Reads one GPX document's elements as the scanner delivers them. */
class GpxReader implements XmlSink {
  readonly scanner = new XmlScanner(this);
  wantText = false;
  rootName = '';
  rootSeen = false;
  creator = '';
  version = '';
  metadataName: string | null = null;
  trkCount = 0;
  readonly finished: TrackState[] = [];
  track: TrackState | null = null;
  private depth = 0;
  private trkDepth = 0;
  private segDepth = 0;
  private ptDepth = 0;
  private extDepth = 0;
  private metaDepth = 0;
  private pointBad = false;
  /** The current point is a pause or resume marker (0: a point). */
  private pointMarker = 0;
  /** The file is OpenTracks', whose old versions mark pauses with points at lat 100 and 200. */
  private marksPauses = false;
  /** The point's air temperature (its first value), NaN while unread. */
  private pointTemp = NaN;
  private collect = NOTHING;
  private collectDepth = 0;
  private collected = '';
  private readonly locals = new Map<string, string>();

  /** Lower-case local name of a qualified name, cached (a file repeats a few names millions of times). */
  private local(name: string): string {
    let l = this.locals.get(name);
    if (l === undefined) {
      const i = name.indexOf(':');
      l = (i < 0 ? name : name.slice(i + 1)).toLowerCase();
      this.locals.set(name, l);
    }
    return l;
  }

  open(name: string, attrs: XmlAttributes): void {
    const d = ++this.depth;
    const local = this.local(name);
    if (d === 1) {
      this.rootName = name;
      this.rootSeen = local === 'gpx';
      this.creator = attrs.get('creator') ?? '';
      this.marksPauses = /^OpenTracks\b/.test(this.creator);
      this.version = attrs.get('version') ?? '';
      return;
    }
    const t = this.track;
    if (t === null) {
      if (d === 2 && local === 'trk') {
        this.track = newTrack(++this.trkCount);
        this.trkDepth = d;
      } else if (d === 2 && local === 'metadata') {
        this.metaDepth = d;
      } else if (local === 'name' && (d === 2 || (d === 3 && this.metaDepth === 2))) {
        this.startCollect(META_NAME, d);
      }
      return;
    }
    if (this.ptDepth > 0) {
      if (local === 'extensions') {
        if (this.extDepth === 0) this.extDepth = d;
      } else if (this.extDepth > 0) {
        const col = EXTENSION_COLUMNS.get(local);
        if (col !== undefined) this.startCollect(col, d);
        else if (TEMPERATURE.has(local)) this.startCollect(AIR_TEMP, d);
      } else if (d === this.ptDepth + 1) {
        if (local === 'time') this.startCollect(TIME, d);
        else {
          const col = POINT_COLUMNS.get(local);
          if (col !== undefined) this.startCollect(col, d);
        }
      }
      return;
    }
    if (d === this.trkDepth + 1) {
      if (local === 'trkseg') {
        this.segDepth = d;
        t.segments++;
        t.prevLat = NaN;
        t.prevLon = NaN;
      } else if (local === 'name') this.startCollect(TRACK_NAME, d);
      else if (local === 'type') this.startCollect(TRACK_TYPE, d);
    } else if (d === this.segDepth + 1 && this.segDepth > 0 && local === 'trkpt') {
      this.startPoint(t, attrs);
      this.ptDepth = d;
    }
  }

  text(text: string): void {
    this.collected += text;
  }

  close(): void {
    const d = this.depth--;
    if (d === this.collectDepth && this.collect !== NOTHING) {
      this.apply(this.collect, this.collected);
      this.collect = NOTHING;
      this.collectDepth = 0;
      this.wantText = false;
    }
    if (d === this.extDepth) this.extDepth = 0;
    else if (d === this.ptDepth) {
      this.ptDepth = 0;
      if (this.track) this.finishPoint(this.track);
    } else if (d === this.segDepth) this.segDepth = 0;
    else if (d === this.trkDepth && this.track) {
      this.finish(this.track);
      this.track = null;
      this.trkDepth = 0;
    } else if (d === this.metaDepth) this.metaDepth = 0;
  }

  /** A track is complete: keep its points as exact-length columns, so a file of many tracks holds no spare capacity. */
  finish(t: TrackState): void {
    t.stream = t.points.takeStream('', '');
    this.finished.push(t);
  }

  private startCollect(what: number, depth: number): void {
    this.collect = what;
    this.collectDepth = depth;
    this.collected = '';
    this.wantText = true;
  }

  private startPoint(t: TrackState, attrs: XmlAttributes): void {
    this.pointBad = false;
    this.pointTemp = NaN;
    t.pointCount++;
    const latText = attrs.get('lat');
    const lonText = attrs.get('lon');
    const lat = parseDecimal(latText ?? '');
    const lon = parseDecimal(lonText ?? '');
    // A marker is no position: finishPoint reads its time.
    this.pointMarker = this.marksPauses && lon === 0 && (lat === PAUSE_LAT || lat === RESUME_LAT) ? lat : 0;
    if (this.pointMarker === 0 && !(Math.abs(lat) <= 90)) {
      t.bad.add('lat', t.pointCount, latText ?? '(missing)');
      this.pointBad = true;
    } else if (this.pointMarker === 0 && !(Math.abs(lon) <= 180)) {
      t.bad.add('lon', t.pointCount, lonText ?? '(missing)');
      this.pointBad = true;
    }
    t.points.row[COL.lat] = lat;
    t.points.row[COL.lon] = lon;
  }

  private apply(what: number, value: string): void {
    if (what === META_NAME) {
      this.metadataName ??= value.trim() || null;
      return;
    }
    const t = this.track;
    if (!t) return;
    if (what === TRACK_NAME) {
      t.name ??= value.trim() || null;
      return;
    }
    if (what === TRACK_TYPE) {
      t.type ??= value.trim() || null;
      return;
    }
    const row = t.points.row;
    if (what === TIME) {
      if (!Number.isNaN(row[COL.time]!)) return;
      const ms = parseIsoTime(value);
      const usable = ms >= GPS_EPOCH_MS;
      if (!usable && value.trim() !== '') t.bad.add('time', t.pointCount, value.trim());
      if (usable && t.writtenOffset === undefined) {
        const offset = isoOffsetMinutes(value.trim());
        // Zones on Earth run from UTC-12 to UTC+14; anything else is not a place.
        t.writtenOffset = offset !== null && offset >= -720 && offset <= 840 ? offset : null;
      }
      row[COL.time] = usable ? ms : NaN;
      return;
    }
    if (value.trim() === '') return; // an empty element (<ele/>) is an absent value
    const v = parseDecimal(value);
    if (what === AIR_TEMP) {
      if (this.pointTemp !== this.pointTemp) this.pointTemp = v;
      return;
    }
    if (!Number.isNaN(row[what]!)) return; // first value wins over repeats
    if (Number.isNaN(v)) t.bad.add(localColumnName(what), t.pointCount, value.trim());
    row[what] = v;
  }

  private finishPoint(t: TrackState): void {
    const points = t.points;
    const row = points.row;
    const temp = this.pointTemp;
    if (temp === temp && !this.pointBad) {
      t.temp.sum += temp;
      t.temp.count++;
      if (temp > t.temp.max) t.temp.max = temp;
    }
    if (this.pointMarker !== 0) {
      this.markPause(t, row[COL.time]!);
      points.discard();
      return;
    }
    if (this.pointBad) {
      t.skipped++;
      points.discard();
      return;
    }
    const lat = row[COL.lat]!;
    const lon = row[COL.lon]!;
    t.hasGps = true;
    if (!Number.isNaN(t.prevLat)) t.distance += haversineM(t.prevLat, t.prevLon, lat, lon);
    t.prevLat = lat;
    t.prevLon = lon;
    const time = row[COL.time]!;
    if (!t.gain.add(row[COL.altitude_m]!, time)) row[COL.altitude_m] = NaN;
    if (Number.isNaN(time)) {
      t.untimed++;
      points.discard();
      return;
    }
    row[COL.distance_m] = t.distance;
    if (time === t.lastTime) {
      t.merged++;
      points.mergeIntoLast();
      return;
    }
    t.lastTime = time;
    points.commit();
  }

  /** A pause or resume marker at `time`: a resume closes the open pause; either ends the stretch the distance runs along. */
  private markPause(t: TrackState, time: number): void {
    t.markers++;
    t.prevLat = NaN;
    t.prevLon = NaN;
    if (this.pointMarker === PAUSE_LAT) {
      t.pausedAt = time;
      return;
    }
    const last = t.pauses.length ? t.pauses[t.pauses.length - 1]! : -Infinity;
    if (t.pausedAt >= last && time > t.pausedAt) t.pauses.push(t.pausedAt, time);
    t.pausedAt = NaN;
  }
}

/** OpenTracks' old pause and resume markers: points at these latitudes (and longitude 0). */
const PAUSE_LAT = 100;
const RESUME_LAT = 200;

function localColumnName(col: number): string {
  for (const [name, c] of POINT_COLUMNS) if (c === col) return name;
  for (const [name, c] of EXTENSION_COLUMNS) if (c === col) return name;
  return String(col);
}

/**
 * Parse a GPX file (plain or gzipped) into one workout and stream per timed
 * track. Bad values are reported per field in `errors` and the rest of the
 * file is kept; a file that breaks off keeps what was read before the fault.
 */
export function parseGpx(bytes: Uint8Array, input: string, opts: GpxOptions = {}): ParseResult {
  const reader = new GpxReader();
  let fault: string | null;
  try {
    fault = scanXmlBytes(bytes, reader.scanner);
  } catch (e) {
    return unreadable(input, e);
  }
  return finish(reader, fault, input, opts);
}

/**
 * Parse a GPX file given as a stream of byte chunks (a file or archive member
 * read piece by piece): the same result as {@link parseGpx}, in memory that
 * grows with the track's points, not with the file's size.
 */
export async function parseGpxStream(chunks: AsyncIterable<Uint8Array>, input: string, opts: GpxOptions = {}): Promise<ParseResult> {
  const reader = new GpxReader();
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
  result.errors.push({ input, reason: `unreadable GPX file: ${(e as Error).message}` });
  return result;
}

function finish(reader: GpxReader, fault: string | null, input: string, opts: GpxOptions): ParseResult {
  const result = emptyResult();
  if (fault !== null) {
    if (!reader.rootSeen && reader.finished.length === 0 && reader.track === null) {
      result.errors.push({ input, reason: `not a readable GPX file: ${fault}` });
      return result;
    }
    result.errors.push({ input, reason: `GPX is not well-formed XML; kept what was read before the fault: ${fault}` });
    if (reader.track !== null) reader.finish(reader.track);
  } else if (!reader.rootSeen) {
    result.errors.push({ input, reason: `not a GPX file: the root element is <${reader.rootName}>, not <gpx>` });
    return result;
  }

  const source = opts.source ?? sourceFromCreator(reader.creator);
  const untimed: TrackState[] = [];
  for (const t of reader.finished) {
    reportBadValues(t, input, result);
    const stream = t.stream!;
    const timed = stream.time.length;
    const kept = timed + t.untimed;
    if (kept === 0) continue;
    // A handful of stamped points in an otherwise untimed log is not a recording of an activity.
    if (timed * 2 < kept) {
      untimed.push(t);
      continue;
    }
    const externalId = `gpx:${Math.floor(stream.time[0]! / 1000)}` + (reader.trkCount > 1 ? `:${t.index}` : '');
    const sourceSport = opts.sport ?? t.type;
    const sportName = sourceSport !== null ? (STRAVA_TYPE_IDS[sourceSport] ?? sourceSport) : null;
    stream.source = source;
    stream.external_id = externalId;
    const workout = buildWorkout(t, stream, sportName, sourceSport, { input, source, externalId, reader, opts, truncated: fault !== null });
    const check = SourceWorkout.safeParse(workout);
    if (!check.success) {
      result.errors.push({ input, record: `trk ${t.index}`, reason: formatZodError(check.error, 'workout not valid') });
      continue;
    }
    result.workouts.push(workout);
    result.streams.push(stream);
  }
  if (untimed.length) {
    const points = untimed.reduce((n, t) => n + t.stream!.time.length + t.untimed, 0);
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
  return gateResult(result);
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

function pausedSeconds(pauses: readonly number[]): number {
  let ms = 0;
  for (let i = 0; i < pauses.length; i += 2) ms += pauses[i + 1]! - pauses[i]!;
  return ms / 1000;
}

interface BuildContext {
  input: string;
  source: string;
  externalId: string;
  reader: GpxReader;
  opts: GpxOptions;
  truncated: boolean;
}

function buildWorkout(
  t: TrackState,
  stream: WorkoutStream,
  sportName: string | null,
  sourceSport: string | null,
  c: BuildContext,
): SourceWorkoutInput {
  const { sport, category } = mapSport(sportName);
  const s = summariseTrack(stream, sport, t.pauses);
  return {
    athlete_id: c.opts.athleteId ?? 'me',
    source: c.source,
    external_id: c.externalId,
    name: t.name ?? c.reader.metadataName,
    start_time: new Date(s.start),
    end_time: new Date(s.end),
    duration_s: (s.end - s.start) / 1000,
    moving_time_s: s.movingS,
    utc_offset_min: t.writtenOffset ? t.writtenOffset : null,
    sport,
    source_sport: sourceSport,
    sport_category: category,
    distance_m: t.hasGps ? t.distance : null,
    avg_hr: s.hr.mean,
    max_hr: s.hr.max,
    elevation_gain_m: t.gain.seen ? t.gain.gain : null,
    avg_power_w: s.power.mean,
    max_power_w: s.power.max,
    avg_cadence: s.cadence.mean,
    external_ids: {},
    raw_data: {
      format: 'gpx',
      version: c.reader.version || null,
      creator: c.reader.creator || null,
      track: t.index,
      points: stream.time.length,
      untimed_points: t.untimed,
      skipped_points: t.skipped,
      merged_points: t.merged,
      segments: t.segments,
      ...(t.markers ? { pause_markers: t.markers, paused_s: pausedSeconds(t.pauses) } : {}),
      cadence_doubled: s.cadenceFactor === 2,
      air_temp_c: t.temp.count ? { mean: t.temp.sum / t.temp.count, max: t.temp.max } : null,
      truncated: c.truncated,
    },
    has_gps: t.hasGps,
    has_power: s.power.count > 0,
    input: c.input,
  };
}
