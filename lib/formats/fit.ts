/**
 * FIT files (activities, weight scale readings) to canonical records.
 * Decoding is done by fit_decode.ts; this module maps the decoded messages:
 * one workout and one stream per session (multisport legs included), scale
 * readings as biometrics, and decoder problems as import errors.
 *
 * What each workout field means here (the same as in every format):
 * - start_time / end_time: the leg's first and last instant, the earlier of
 *   the session's start_time and its first record, the later of start_time +
 *   total_elapsed_time and its last record (fit_session.ts says how the
 *   session and its records are reconciled, and when that is reported);
 * - duration_s: elapsed time, end_time - start_time (pauses included);
 * - moving_time_s: the session's total_timer_time; else the laps' timers;
 *   else the timer start/stop events; else the speed rule of moving_time.ts;
 * - distance_m: the session's total_distance; when it lacks one (or says 0
 *   against records that moved), the records' cumulative distance, including
 *   a distance only in a developer field, else the haversine length of the
 *   positions;
 * - avg_hr / max_hr, avg_power_w / max_power_w, elevation_gain_m: the
 *   session's; when it lacks them, from the stream (ascent with the hysteresis
 *   of elevation.ts); heart rate in `hr` messages (HRM-Pro/Swim/Tri stored
 *   data) is merged into the records first (fit_hr.ts);
 * - avg_cadence and the cadence channel: steps per minute for foot sports
 *   (FIT stores strides per minute for running and walking: doubled), rpm or
 *   strokes per minute otherwise; fractional_cadence included;
 * - calories_kcal: the session's total_calories.
 * Every value then passes the plausibility gate (core/plausibility.ts).
 */
import { gunzipSync } from 'node:zlib';
import { isStepSport, mapSport } from '../core/sports.ts';
import { emptyResult, STREAM_CHANNELS } from '../core/models.ts';
import { gateResult } from '../core/plausibility.ts';
import type {
  BiometricReadingInput,
  ParseResult,
  SourceWorkoutInput,
  StreamChannel,
  WorkoutStream,
} from '../core/models.ts';
import { decodeFit } from './fit_decode.ts';
import type { FitDecoded, FitMessage, RecordColumns } from './fit_decode.ts';
import { expandHrMessages, mergeHr } from './fit_hr.ts';
import { eventTimer, lapTimer, reconcileLeg, type SessionSummary } from './fit_session.ts';
import { movingTimeS } from './moving_time.ts';
import { columnStats, haversineM, isMoving, isNonNegative, isPlausibleHr } from './track_points.ts';
import { ElevationGain } from './elevation.ts';

/** Options of {@link parseFit}. */
export interface ParseFitOptions {
  /** Source name to record; by default taken from the file's manufacturer. */
  source?: string;
  athleteId?: string;
}

const MANUFACTURER_SOURCES: Record<string, string> = {
  garmin: 'garmin',
  wahooFitness: 'wahoo',
  coros: 'coros',
  corosByte: 'coros',
  suunto: 'suunto',
  polarElectro: 'polar',
  strava: 'strava',
  zwift: 'zwift',
  zwiftByte: 'zwift',
};

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function num(m: FitMessage | undefined, key: string): number | undefined {
  const v = m?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function str(m: FitMessage | undefined, key: string): string | undefined {
  const v = m?.[key];
  return typeof v === 'string' ? v : undefined;
}

/** A non-negative number or null (the canonical model rejects negatives). */
function nonNeg(v: number | undefined): number | null {
  return v !== undefined && v >= 0 ? v : null;
}

function bpm(v: number | undefined): number | null {
  return v !== undefined && v >= 20 && v <= 260 ? v : null;
}

function iso(unixS: number | undefined): string | null {
  return unixS === undefined ? null : new Date(unixS * 1000).toISOString();
}

/**
 * The FIT file type from the first file_id message, in snake case (`activity`,
 * `settings`, `workout`, `weight`, `monitoring`, ...); `unknown` without a file_id,
 * `invalid` when the bytes are not FIT. Gzipped input is inflated first.
 */
export function fitFileType(bytes: Uint8Array): string {
  let data = bytes;
  if (isGzip(bytes)) {
    try {
      data = gunzipSync(bytes);
    } catch {
      return 'invalid';
    }
  }
  const decoded = decodeFit(data, { fileIdOnly: true });
  if (decoded.files === 0) return 'invalid';
  const type = decoded.messages.fileId?.[0]?.type;
  if (type === undefined) return 'unknown';
  if (typeof type !== 'string') return `type_${String(type)}`;
  // monitoringA, monitoringB and monitoringDaily are all daily monitoring data.
  return type.startsWith('monitoring') ? 'monitoring' : snake(type);
}

/**
 * Parse one FIT input (plain or gzipped). Activities give one workout and one
 * stream per session (legs of a multisport file carry the file id as parent);
 * weight scale files give weight and body composition readings; other file
 * types (settings, workouts, monitoring) give nothing. Damaged files keep what
 * was decoded and report the damage in `errors`.
 */
export function parseFit(bytes: Uint8Array, input: string, opts: ParseFitOptions = {}): ParseResult {
  const result = emptyResult();
  let data = bytes;
  if (isGzip(bytes)) {
    try {
      data = gunzipSync(bytes);
    } catch (e) {
      result.errors.push({ input, reason: `gzip data could not be inflated: ${(e as Error).message}` });
      return result;
    }
  }
  const decoded = decodeFit(data);
  for (const p of decoded.problems) {
    result.errors.push({ input, record: `byte ${p.byte}`, reason: p.reason });
  }
  if (decoded.files === 0) return result;

  const fileId = decoded.messages.fileId?.[0];
  const manufacturer = str(fileId, 'manufacturer');
  const source = opts.source ?? (manufacturer !== undefined ? MANUFACTURER_SOURCES[manufacturer] : undefined) ?? 'fit';
  const athleteId = opts.athleteId ?? 'me';

  const weights = decoded.messages.weightScale ?? [];
  if (weights.length > 0) {
    result.biometrics.push(...weightReadings(weights, fileId, source, athleteId, input));
  }
  const sessions = decoded.messages.session ?? [];
  if (sessions.length > 0 || decoded.records.count > 0) {
    buildActivity(decoded, source, athleteId, input, result);
  } else if (str(fileId, 'type') === 'activity') {
    result.errors.push({ input, reason: 'activity file holds no session or record messages: nothing to import' });
  }
  return gateResult(result);
}

/** Scale readings: weight, body fat, muscle mass and BMI per weight_scale message. */
function weightReadings(
  msgs: FitMessage[],
  fileId: FitMessage | undefined,
  source: string,
  athleteId: string,
  input: string,
): BiometricReadingInput[] {
  const out: BiometricReadingInput[] = [];
  const metrics: [string, 'weight' | 'body_fat_pct' | 'muscle_mass' | 'bmi', string][] = [
    ['weight', 'weight', 'kg'],
    ['percentFat', 'body_fat_pct', '%'],
    ['muscleMass', 'muscle_mass', 'kg'],
    ['bmi', 'bmi', 'kg/m2'],
  ];
  for (const m of msgs) {
    const ts = num(m, 'timestamp') ?? num(fileId, 'timeCreated');
    if (ts === undefined) continue;
    const time = new Date(ts * 1000);
    // Scale files carry no local offset, so the reading's day is its UTC date.
    const date = time.toISOString().slice(0, 10);
    const raw = { user_profile_index: num(m, 'userProfileIndex') ?? null, ...snakeKeys(m) };
    for (const [field, metric, unit] of metrics) {
      const v = num(m, field);
      // 0xFFFE (655.34 after scaling) means "still calculating" on scales.
      if (v === undefined || v <= 0 || v >= 655.34) continue;
      out.push({ athlete_id: athleteId, date, time, metric_type: metric, value: v, unit, source, raw_data: raw, input });
    }
  }
  return out;
}

function snakeKeys(m: FitMessage): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m)) if (v !== undefined) o[snake(k)] = v;
  return o;
}

const NO_VALUES = new Float64Array(0);

interface Leg {
  session: FitMessage | undefined;
  /** 1-based position of the session in the file, for messages. */
  number: number;
  /** The sport message of the leg, used when the session lacks a sport. */
  sport: FitMessage | undefined;
  start: number;
  rows: Int32Array;
}

function buildActivity(decoded: FitDecoded, source: string, athleteId: string, input: string, result: ParseResult): void {
  const { records, messages } = decoded;
  const times = records.cols.time;
  let firstRecord = Infinity;
  let lastRecord = -Infinity;
  for (let i = 0; i < records.count; i++) {
    const t = times[i]!;
    if (t < firstRecord) firstRecord = t;
    if (t > lastRecord) lastRecord = t;
  }
  const haveRecords = Number.isFinite(firstRecord);

  const sessions = resolveSessions(messages, times, records.count, input, result);
  if (sessions.length === 0 && !(haveRecords && lastRecord > firstRecord)) {
    result.errors.push({ input, reason: 'activity has no session message and fewer than two timed records: nothing to import' });
    return;
  }
  const legs: Leg[] = sessions.length > 0
    ? sessions
    : [{ session: undefined, number: 0, sport: messages.sport?.[0], start: firstRecord, rows: new Int32Array(0) }];
  if (sessions.length === 0) {
    result.errors.push({
      input,
      record: 'session',
      reason: `activity truncated: no session message, workout synthesised from ${records.count} records`,
    });
  }
  // Each record goes to the last leg starting at or before it (the first leg takes earlier ones);
  // sets and laps are placed the same way (leg summaries can overlap the next leg's start).
  const legOfRow = new Int32Array(records.count);
  const legSizes = new Int32Array(legs.length);
  let leg = 0;
  for (let i = 0; i < records.count; i++) {
    const t = times[i]!;
    if (Number.isNaN(t)) {
      legOfRow[i] = -1;
      continue;
    }
    if (legs[leg]!.start > t) leg = 0;
    while (leg + 1 < legs.length && legs[leg + 1]!.start <= t) leg++;
    legOfRow[i] = leg;
    legSizes[leg]!++;
  }
  legs.forEach((l, j) => (l.rows = new Int32Array(legSizes[j]!)));
  legSizes.fill(0);
  for (let i = 0; i < records.count; i++) {
    const j = legOfRow[i]!;
    if (j >= 0) legs[j]!.rows[legSizes[j]!++] = i;
  }

  const fileId = messages.fileId?.[0];
  const created = num(fileId, 'timeCreated') ?? sessions[0]?.start ?? firstRecord;
  const fitId = `${num(fileId, 'serialNumber') ?? 0}-${Math.round(created)}`;
  const utcOffset = localOffset(messages.activity?.[0]);
  const hrSamples = (messages.hr ?? []).length > 0 ? expandHrMessages(messages.hr ?? []) : undefined;
  const multi = legs.length > 1;
  if (legs[0]!.start < RELATIVE_TIME_LIMIT_S) {
    result.errors.push({
      input,
      record: 'session',
      field: 'start_time',
      reason: `timestamps are device-relative (FIT system time), not dates: start kept as ${iso(legs[0]!.start)}`,
    });
  }
  const common = {
    file_id: fileSummary(fileId),
    device_info: deviceSummary(messages.deviceInfo ?? []),
    developer_fields: [...decoded.devFields.values()].map((d) => ({
      message: d.message,
      name: d.name,
      units: d.units,
      first: d.first,
      mean: typeof d.first === 'number' ? d.sum / d.count : null,
      count: d.count,
    })),
    developer_field_descriptions: (messages.fieldDescription ?? []).map(snakeKeys),
  };

  // The last cumulative distance of the previous leg: multisport files either carry on counting or restart at 0.
  let prevDistance = 0;
  legs.forEach((l, index) => {
    const externalId = multi ? `${fitId}#${index}` : fitId;
    const s = l.session;
    const record = s ? `session ${l.number}` : 'records';
    const span = reconcileLeg(times, l.rows, s ? sessionSummary(s, l.start) : undefined);
    for (const w of span.warnings) result.errors.push({ input, record, field: w.field, reason: w.reason });
    const { start, end } = span;

    const sportMsg = s?.sport !== undefined ? s : l.sport;
    const sportName = str(sportMsg, 'sport') ?? (typeof sportMsg?.sport === 'number' ? `sport_${sportMsg.sport}` : undefined);
    const subName = str(sportMsg, 'subSport');
    const sport = fitSport(sportName, subName);
    const sourceSport = sportName ? (subName && subName !== 'generic' ? `${snake(sportName)}/${snake(subName)}` : snake(sportName)) : null;
    const cadenceFactor = isStepSport(sport.sport) ? 2 : 1;
    const stream = buildStream(records, span.rows, source, externalId, hrSamples, cadenceFactor);
    const ch = stream.channels;

    const inLeg = (t: number | undefined) => t !== undefined && legOf(legs, t) === index;
    const laps = (messages.lap ?? []).filter((lap) => inLeg(num(lap, 'startTime')));
    const moving = span.timer
      ?? lapTimer(laps, start, end, stream.time, ch.distance_m, ch.speed_mps)
      ?? eventTimer(messages.event ?? [], start, end)
      ?? movingTimeS(stream.time, ch.distance_m, ch.speed_mps);

    const recordDistance = legDistance(ch.distance_m, prevDistance) ?? trackDistance(ch.lat, ch.lon);
    prevDistance = lastFinite(ch.distance_m) ?? prevDistance;
    const sessionDistance = num(s, 'totalDistance');
    let distance = sessionDistance !== undefined && sessionDistance > 0 ? sessionDistance : recordDistance ?? sessionDistance ?? null;
    if (sessionDistance === 0 && recordDistance !== null && recordDistance > 0) {
      result.errors.push({
        input,
        record,
        field: 'total_distance',
        reason: `session total_distance 0 m but its records cover ${Math.round(recordDistance * 100) / 100} m: kept the records' distance`,
      });
      distance = recordDistance;
    }

    // Stream summaries only where the session lacks the value (a pass over every sample each).
    const sessionAvgHr = bpm(num(s, 'avgHeartRate'));
    const sessionMaxHr = bpm(num(s, 'maxHeartRate'));
    const hr = sessionAvgHr === null || sessionMaxHr === null ? columnStats(ch.hr ?? NO_VALUES, isPlausibleHr) : null;
    const avgHr = sessionAvgHr ?? hr?.mean ?? null;
    const maxHr = sessionMaxHr ?? hr?.max ?? null;
    const sessionAvgPower = nonNeg(num(s, 'avgPower'));
    const sessionMaxPower = nonNeg(num(s, 'maxPower'));
    const power = sessionAvgPower === null || sessionMaxPower === null ? columnStats(ch.power_w ?? NO_VALUES, isNonNegative) : null;
    const cadence = num(s, 'avgCadence');
    const rpe = num(s, 'workoutRpe');
    const workout: SourceWorkoutInput = {
      athlete_id: athleteId,
      source,
      external_id: externalId,
      name: null,
      start_time: new Date(start * 1000),
      end_time: new Date(end * 1000),
      duration_s: end - start,
      moving_time_s: moving,
      utc_offset_min: utcOffset,
      sport: sport.sport,
      source_sport: sourceSport,
      sport_category: sport.category,
      distance_m: nonNeg(distance ?? undefined),
      calories_kcal: nonNeg(num(s, 'totalCalories')),
      avg_hr: avgHr !== null && maxHr !== null && avgHr > maxHr ? null : avgHr,
      max_hr: maxHr,
      elevation_gain_m: nonNeg(num(s, 'totalAscent')) ?? trackAscent(ch.altitude_m, stream.time),
      avg_power_w: sessionAvgPower ?? power?.mean ?? null,
      max_power_w: sessionMaxPower ?? power?.max ?? null,
      avg_cadence: cadence === undefined ? columnStats(ch.cadence ?? NO_VALUES, isMoving).mean : (cadence + (num(s, 'avgFractionalCadence') ?? 0)) * cadenceFactor,
      // Garmin's per-activity training load ("exercise load"); TSS is kept in raw_data.
      training_load: nonNeg(num(s, 'trainingLoadPeak')),
      // workout_rpe is stored as RPE x 10.
      perceived_exertion: rpe !== undefined && rpe <= 100 ? rpe / 10 : null,
      external_ids: multi ? { fit: fitId, fit_leg: String(index) } : { fit: fitId },
      raw_data: {
        ...common,
        session: s ? snakeKeys(s) : null,
        synthesised_from_records: s === undefined,
        laps: laps.map((lap) => ({
          start: iso(num(lap, 'startTime')),
          elapsed_s: num(lap, 'totalElapsedTime') ?? null,
          timer_s: num(lap, 'totalTimerTime') ?? null,
          distance_m: num(lap, 'totalDistance') ?? null,
          avg_hr: num(lap, 'avgHeartRate') ?? null,
        })),
        sets: setSummary((messages.set ?? []).filter((m) => inLeg(num(m, 'startTime') ?? num(m, 'timestamp')))),
        records: span.rows.length,
        derived_from_records: derivedFields(s, { sessionAvgHr, sessionMaxHr }),
      },
      has_gps: ch.lat !== undefined,
      has_power: ch.power_w !== undefined || (num(s, 'avgPower') ?? 0) > 0,
      parent_external_id: multi ? fitId : null,
      input,
    };
    result.workouts.push(workout);
    result.streams.push(stream);
  });
}

/** Which summary fields were derived from the records because the session lacks them. */
function derivedFields(s: FitMessage | undefined, hr: { sessionAvgHr: number | null; sessionMaxHr: number | null }): string[] {
  const out: string[] = [];
  if (num(s, 'totalDistance') === undefined || num(s, 'totalDistance') === 0) out.push('distance_m');
  if (hr.sessionAvgHr === null) out.push('avg_hr');
  if (hr.sessionMaxHr === null) out.push('max_hr');
  if (num(s, 'totalAscent') === undefined) out.push('elevation_gain_m');
  if (num(s, 'totalTimerTime') === undefined) out.push('moving_time_s');
  return out;
}

/** What a session says about its span, for {@link reconcileLeg}. */
function sessionSummary(s: FitMessage, start: number): SessionSummary {
  return { start, elapsed: num(s, 'totalElapsedTime'), timer: num(s, 'totalTimerTime'), timestamp: num(s, 'timestamp') };
}

/**
 * The sessions as legs in time order, each with a start: its start_time; else
 * the start of its first lap; else its timestamp minus its elapsed time (when
 * the timestamp is its end); else its first record after the previous
 * session. A start not read from start_time is reported. Chained files can
 * repeat a session: the same start, length and sport is the same leg.
 */
function resolveSessions(messages: Record<string, FitMessage[]>, times: Float64Array, count: number, input: string, result: ParseResult): Leg[] {
  const laps = messages.lap ?? [];
  const seen = new Set<string>();
  const legs: Leg[] = [];
  let previousEnd = -Infinity;
  (messages.session ?? []).forEach((s, i) => {
    let start = num(s, 'startTime');
    let from = '';
    if (start === undefined) {
      const first = num(s, 'firstLapIndex');
      const lap = first === undefined ? undefined : laps.find((l, k) => (num(l, 'messageIndex') ?? k) === first);
      start = num(lap, 'startTime');
      from = 'its first lap';
    }
    const ts = num(s, 'timestamp');
    const elapsed = num(s, 'totalElapsedTime');
    if (start === undefined && ts !== undefined && elapsed !== undefined && ts - elapsed >= previousEnd) {
      start = ts - elapsed;
      from = 'its timestamp minus its elapsed time';
    }
    if (start === undefined) {
      let first = Infinity;
      for (let r = 0; r < count; r++) {
        const t = times[r]!;
        if (t >= previousEnd && t < first) first = t;
      }
      if (Number.isFinite(first)) {
        start = first;
        from = 'its first record';
      }
    }
    if (start === undefined) {
      result.errors.push({ input, record: `session ${i + 1}`, field: 'start_time', reason: 'session has no start_time, laps or records to date it: left out' });
      return;
    }
    if (from) {
      result.errors.push({ input, record: `session ${i + 1}`, field: 'start_time', reason: `session has no start_time: start taken from ${from} (${iso(start)}); its summary is kept` });
    }
    previousEnd = start + (elapsed ?? 0);
    const key = `${start}|${String(s.totalElapsedTime)}|${String(s.sport)}`;
    if (seen.has(key)) return;
    seen.add(key);
    legs.push({ session: s, number: i + 1, sport: messages.sport?.[i], start, rows: new Int32Array(0) });
  });
  return legs.sort((a, b) => a.start - b.start);
}

/**
 * A leg's distance from its cumulative record distance: the last value, less
 * the previous leg's last value when the leg carries on counting from it.
 */
function legDistance(d: Float64Array | undefined, previous: number): number | null {
  const last = lastFinite(d);
  if (last === undefined) return null;
  let first = NaN;
  for (let i = 0; i < d!.length && first !== first; i++) first = d![i]!;
  return previous > 0 && first >= previous - 1 ? last - previous : last;
}

/** Haversine distance along a track's positions, skipping absent ones; null without two positions. */
function trackDistance(lat: Float64Array | undefined, lon: Float64Array | undefined): number | null {
  if (!lat || !lon) return null;
  let sum = 0;
  let n = 0;
  let py = NaN;
  let px = NaN;
  for (let i = 0; i < lat.length; i++) {
    const y = lat[i]!;
    const x = lon[i]!;
    if (y !== y || x !== x || (y === 0 && x === 0)) continue;
    if (n++ > 0) sum += haversineM(py, px, y, x);
    py = y;
    px = x;
  }
  return n >= 2 ? sum : null;
}

/** Ascent of the records' altitudes with the hysteresis of elevation.ts; null without altitude. */
function trackAscent(alt: Float64Array | undefined, timeMs: Float64Array): number | null {
  if (!alt) return null;
  const gain = new ElevationGain();
  for (let i = 0; i < alt.length; i++) gain.add(alt[i]!, timeMs[i]!);
  return gain.seen ? gain.gain : null;
}

/** FIT date_time values below 0x10000000 count seconds since device power-on, not since the FIT epoch. */
const RELATIVE_TIME_LIMIT_S = 631065600 + 0x10000000;

/** Index of the last leg starting at or before `t` (0 when before all). */
function legOf(legs: Leg[], t: number): number {
  let i = 0;
  while (i + 1 < legs.length && legs[i + 1]!.start <= t) i++;
  return i;
}

/** FIT umbrella sports whose sub-sport names the actual activity (training/strength_training). */
const UMBRELLA_SPORTS = new Set(['training', 'generic', 'fitnessEquipment']);

/** Canonical sport of a FIT sport and sub-sport. */
function fitSport(sport: string | undefined, subSport: string | undefined): ReturnType<typeof mapSport> {
  const sub = subSport && subSport !== 'generic' ? subSport : null;
  if (sub && sport && UMBRELLA_SPORTS.has(sport)) {
    const specific = mapSport(sub);
    if (specific.sport !== 'other') return specific;
  }
  return mapSport(sport ?? null, sub);
}

/** Local offset from the activity message: local_timestamp - timestamp, to the nearest 15 minutes. */
function localOffset(activity: FitMessage | undefined): number | null {
  const local = num(activity, 'localTimestamp');
  const utc = num(activity, 'timestamp');
  if (local === undefined || utc === undefined) return null;
  const minutes = Math.round((local - utc) / 60 / 15) * 15;
  return minutes >= -720 && minutes <= 840 ? minutes : null;
}

function lastFinite(a: Float64Array | undefined): number | undefined {
  if (!a) return undefined;
  for (let i = a.length - 1; i >= 0; i--) if (!Number.isNaN(a[i]!)) return a[i];
  return undefined;
}

function fileSummary(f: FitMessage | undefined): Record<string, unknown> | null {
  if (!f) return null;
  return {
    type: f.type ?? null,
    manufacturer: f.manufacturer ?? null,
    product: f.product ?? null,
    product_name: f.productName ?? null,
    serial_number: f.serialNumber ?? null,
    time_created: iso(num(f, 'timeCreated')),
  };
}

/** One entry per distinct device (devices repeat their device_info during an activity). */
function deviceSummary(msgs: FitMessage[]): Record<string, unknown>[] {
  const seen = new Map<string, Record<string, unknown>>();
  for (const m of msgs) {
    const d = {
      device_index: m.deviceIndex ?? null,
      manufacturer: m.manufacturer ?? null,
      product: m.product ?? null,
      product_name: m.productName ?? null,
      serial_number: m.serialNumber ?? null,
      software_version: m.softwareVersion ?? null,
    };
    const key = JSON.stringify(d);
    if (!seen.has(key)) seen.set(key, d);
  }
  return [...seen.values()];
}

/** Strength sets: active sets, repetitions and weights (kg). */
function setSummary(msgs: FitMessage[]): Record<string, unknown> | null {
  if (msgs.length === 0) return null;
  const active = msgs.filter((m) => m.setType !== 'rest');
  let reps = 0;
  let volume = 0;
  let maxWeight = 0;
  for (const m of active) {
    const r = num(m, 'repetitions') ?? 0;
    const w = num(m, 'weight') ?? 0;
    reps += r;
    volume += r * w;
    maxWeight = Math.max(maxWeight, w);
  }
  return {
    count: active.length,
    rest_count: msgs.length - active.length,
    total_reps: reps,
    max_weight_kg: maxWeight,
    volume_kg: Math.round(volume * 100) / 100,
    sets: active.map((m) => ({
      category: Array.isArray(m.category) ? m.category[0] ?? null : m.category ?? null,
      reps: num(m, 'repetitions') ?? null,
      weight_kg: num(m, 'weight') ?? null,
      duration_s: num(m, 'duration') ?? null,
    })),
  };
}

/**
 * A stream from the given record rows (already in time order); channels with
 * no value are left out. Cadence is multiplied by `cadenceFactor` (2 for the
 * stride cadence of foot sports). A distance only in a developer field fills
 * the distance channel. Written as plain loops over typed arrays: this runs
 * for every track point, and closures or array callbacks here cost more than
 * decoding the file.
 */
function buildStream(
  records: RecordColumns,
  order: Int32Array,
  source: string,
  externalId: string,
  hrSamples: ReturnType<typeof expandHrMessages> | undefined,
  cadenceFactor: number,
): WorkoutStream {
  const n = order.length;
  const c = records.cols;
  const srcTime = c.time, srcLat = c.lat, srcLon = c.lon, srcAlt = c.altitude, srcEAlt = c.enhancedAltitude;
  const srcDist = c.distance, srcSpeed = c.speed, srcESpeed = c.enhancedSpeed, srcHr = c.hr, srcPower = c.power;
  const srcCad = c.cadence, srcFrac = c.fractionalCadence, srcDevDist = c.devDistance;
  const time = new Float64Array(n);
  const lat = new Float64Array(n), lon = new Float64Array(n), alt = new Float64Array(n), dist = new Float64Array(n);
  const speed = new Float64Array(n), hr = new Float64Array(n), power = new Float64Array(n), cad = new Float64Array(n);
  // Channels in STREAM_CHANNELS order.
  const out = [lat, lon, alt, dist, speed, hr, power, cad];
  const present = new Uint8Array(out.length);
  // Records sharing a timestamp (devices write position and distance separately) become one
  // sample, later values winning; a record with only a timestamp carries nothing to keep.
  let k = 0;
  let lastT = NaN;
  for (let r = 0; r < n; r++) {
    const i = order[r]!;
    const t = srcTime[i]! * 1000;
    const ea = srcEAlt[i]!;
    const es = srcESpeed[i]!;
    const frac = srcFrac[i]!;
    const d = srcDist[i]!;
    const v0 = srcLat[i]!, v1 = srcLon[i]!, v2 = ea === ea ? ea : srcAlt[i]!, v3 = d === d ? d : srcDevDist[i]!;
    const v4 = es === es ? es : srcSpeed[i]!, v5 = srcHr[i]!, v6 = srcPower[i]!, v7 = (srcCad[i]! + (frac === frac ? frac : 0)) * cadenceFactor;
    // x === x is false only for NaN (absent).
    if (v0 !== v0 && v1 !== v1 && v2 !== v2 && v3 !== v3 && v4 !== v4 && v5 !== v5 && v6 !== v6 && v7 !== v7) continue;
    if (k > 0 && t === lastT) {
      const j = k - 1;
      if (v0 === v0) lat[j] = v0;
      if (v1 === v1) lon[j] = v1;
      if (v2 === v2) alt[j] = v2;
      if (v3 === v3) dist[j] = v3;
      if (v4 === v4) speed[j] = v4;
      if (v5 === v5) hr[j] = v5;
      if (v6 === v6) power[j] = v6;
      if (v7 === v7) cad[j] = v7;
    } else {
      time[k] = t;
      lat[k] = v0; lon[k] = v1; alt[k] = v2; dist[k] = v3; speed[k] = v4; hr[k] = v5; power[k] = v6; cad[k] = v7;
      k++;
      lastT = t;
    }
  }
  for (let ch = 0; ch < out.length; ch++) {
    const a = out[ch]!;
    for (let j = 0; j < k; j++) {
      if (a[j] === a[j]) {
        present[ch] = 1;
        break;
      }
    }
  }
  if (hrSamples && hrSamples.time.length > 0 && hr.subarray(0, k).some(Number.isNaN)) {
    const seconds = new Float64Array(k);
    for (let j = 0; j < k; j++) seconds[j] = time[j]! / 1000;
    mergeHr(seconds, hr, hrSamples);
    if (hr.subarray(0, k).some((x) => !Number.isNaN(x))) present[5] = 1;
  }
  // Exact-length arrays: the buffers are what is stored (or transferred between threads).
  const exact = (a: Float64Array) => (k === n ? a : a.slice(0, k));
  const channels: Partial<Record<StreamChannel, Float64Array>> = {};
  STREAM_CHANNELS.forEach((name, ch) => {
    if (present[ch] === 1) channels[name] = exact(out[ch]!);
  });
  return { source, external_id: externalId, time: exact(time), channels };
}
