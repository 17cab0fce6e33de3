/**
 * FIT files (activities, weight scale readings) to canonical records.
 * Decoding is done by fit_decode.ts; this module maps the decoded messages:
 * one workout and one stream per session (multisport legs included), scale
 * readings as biometrics, and decoder problems as import errors.
 */
import { gunzipSync } from 'node:zlib';
import { mapSport } from '../../core/sports.ts';
import { emptyResult, STREAM_CHANNELS } from '../../core/models.ts';
import type {
  BiometricReadingInput,
  ParseResult,
  SourceWorkoutInput,
  StreamChannel,
  WorkoutStream,
} from '../../core/models.ts';
import { decodeFit } from './fit_decode.ts';
import type { FitDecoded, FitMessage, RecordColumns } from './fit_decode.ts';
import { expandHrMessages, mergeHr } from './fit_hr.ts';

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
 *
 * Running cadence is kept as FIT stores it (strides, i.e. cycles, per minute
 * including `fractional_cadence`), not doubled into steps per minute.
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
  return result;
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

interface Leg {
  session: FitMessage | undefined;
  /** The sport message of the leg, used when the session lacks a sport. */
  sport: FitMessage | undefined;
  start: number;
  rows: number[];
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

  // Chained files can repeat a session; the same start, length and sport is the same leg.
  const seen = new Set<string>();
  const sessions = (messages.session ?? [])
    .map((s, i) => ({ s, start: sessionStart(s), sport: messages.sport?.[i] }))
    .filter((x): x is { s: FitMessage; start: number; sport: FitMessage | undefined } => {
      if (x.start === undefined) return false;
      const key = `${x.start}|${String(x.s.totalElapsedTime)}|${String(x.s.sport)}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.start - b.start);
  if (sessions.length === 0 && !(haveRecords && lastRecord > firstRecord)) {
    result.errors.push({ input, reason: 'activity has no session message and fewer than two timed records: nothing to import' });
    return;
  }
  const legs: Leg[] = sessions.length > 0
    ? sessions.map(({ s, start, sport }) => ({ session: s, sport, start, rows: [] }))
    : [{ session: undefined, sport: messages.sport?.[0], start: firstRecord, rows: [] }];
  if (sessions.length === 0) {
    result.errors.push({
      input,
      record: 'session',
      reason: `activity truncated: no session message, workout synthesised from ${records.count} records`,
    });
  }
  // Each record goes to the last leg starting at or before it (the first leg takes earlier ones);
  // sets and laps are placed the same way (leg summaries can overlap the next leg's start).
  let leg = 0;
  for (let i = 0; i < records.count; i++) {
    const t = times[i]!;
    if (Number.isNaN(t)) continue;
    if (legs[leg]!.start > t) leg = 0;
    while (leg + 1 < legs.length && legs[leg + 1]!.start <= t) leg++;
    legs[leg]!.rows.push(i);
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

  legs.forEach((l, index) => {
    const externalId = multi ? `${fitId}#${index}` : fitId;
    const stream = buildStream(records, l.rows, source, externalId, hrSamples);
    const s = l.session;
    let firstT = l.rows.length > 0 ? Infinity : l.start;
    let lastT = l.rows.length > 0 ? -Infinity : l.start;
    for (const r of l.rows) {
      firstT = Math.min(firstT, times[r]!);
      lastT = Math.max(lastT, times[r]!);
    }
    const start = l.start;
    const elapsed = num(s, 'totalElapsedTime') ?? Math.max(0, (num(s, 'timestamp') ?? lastT) - start);
    const end = l.session ? start + elapsed : lastT;
    const sportMsg = s?.sport !== undefined ? s : l.sport;
    const sportName = str(sportMsg, 'sport') ?? (typeof sportMsg?.sport === 'number' ? `sport_${sportMsg.sport}` : undefined);
    const subName = str(sportMsg, 'subSport');
    const sport = fitSport(sportName, subName);
    const sourceSport = sportName ? (subName && subName !== 'generic' ? `${snake(sportName)}/${snake(subName)}` : snake(sportName)) : null;
    const cadence = num(s, 'avgCadence');
    const avgHr = bpm(num(s, 'avgHeartRate'));
    const maxHr = bpm(num(s, 'maxHeartRate'));
    const rpe = num(s, 'workoutRpe');
    const inLeg = (t: number | undefined) => t !== undefined && legOf(legs, t) === index;
    const workout: SourceWorkoutInput = {
      athlete_id: athleteId,
      source,
      external_id: externalId,
      name: null,
      start_time: new Date(start * 1000),
      end_time: new Date(Math.max(end, start) * 1000),
      duration_s: Math.max(0, l.session ? elapsed : lastT - firstT),
      moving_time_s: nonNeg(num(s, 'totalTimerTime')),
      utc_offset_min: utcOffset,
      sport: sport.sport,
      source_sport: sourceSport,
      sport_category: sport.category,
      distance_m: nonNeg(num(s, 'totalDistance') ?? lastFinite(stream.channels.distance_m)),
      calories_kcal: nonNeg(num(s, 'totalCalories')),
      avg_hr: avgHr !== null && maxHr !== null && avgHr > maxHr ? null : avgHr,
      max_hr: maxHr,
      elevation_gain_m: nonNeg(num(s, 'totalAscent')),
      avg_power_w: nonNeg(num(s, 'avgPower')),
      max_power_w: nonNeg(num(s, 'maxPower')),
      avg_cadence: cadence === undefined ? null : cadence + (num(s, 'avgFractionalCadence') ?? 0),
      // Garmin's per-activity training load ("exercise load"); TSS is kept in raw_data.
      training_load: nonNeg(num(s, 'trainingLoadPeak')),
      // workout_rpe is stored as RPE x 10.
      perceived_exertion: rpe !== undefined && rpe <= 100 ? rpe / 10 : null,
      external_ids: multi ? { fit: fitId, fit_leg: String(index) } : { fit: fitId },
      raw_data: {
        ...common,
        session: s ? snakeKeys(s) : null,
        synthesised_from_records: s === undefined,
        laps: (messages.lap ?? []).filter((lap) => inLeg(num(lap, 'startTime'))).map((lap) => ({
          start: iso(num(lap, 'startTime')),
          elapsed_s: num(lap, 'totalElapsedTime') ?? null,
          distance_m: num(lap, 'totalDistance') ?? null,
          avg_hr: num(lap, 'avgHeartRate') ?? null,
        })),
        sets: setSummary((messages.set ?? []).filter((m) => inLeg(num(m, 'startTime') ?? num(m, 'timestamp')))),
        records: l.rows.length,
      },
      has_gps: stream.channels.lat !== undefined,
      has_power: stream.channels.power_w !== undefined || (num(s, 'avgPower') ?? 0) > 0,
      parent_external_id: multi ? fitId : null,
      input,
    };
    result.workouts.push(workout);
    result.streams.push(stream);
  });
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

function sessionStart(s: FitMessage): number | undefined {
  const start = num(s, 'startTime');
  if (start !== undefined) return start;
  const ts = num(s, 'timestamp');
  const elapsed = num(s, 'totalElapsedTime');
  return ts !== undefined && elapsed !== undefined ? ts - elapsed : undefined;
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

/** A stream from the given record rows; channels with no value are left out. */
function buildStream(
  records: RecordColumns,
  rows: number[],
  source: string,
  externalId: string,
  hrSamples: ReturnType<typeof expandHrMessages> | undefined,
): WorkoutStream {
  const n = rows.length;
  const c = records.cols;
  const time = new Float64Array(n);
  const ch: Record<StreamChannel, Float64Array> = {
    lat: new Float64Array(n), lon: new Float64Array(n), altitude_m: new Float64Array(n),
    distance_m: new Float64Array(n), speed_mps: new Float64Array(n), hr: new Float64Array(n),
    power_w: new Float64Array(n), cadence: new Float64Array(n),
  };
  for (const a of Object.values(ch)) a.fill(NaN);
  const filled = new Uint8Array(n);
  const put = (a: Float64Array, k: number, v: number) => {
    if (!Number.isNaN(v)) {
      a[k] = v;
      filled[k] = 1;
    }
  };
  // Records sharing a timestamp (devices write position and distance separately) become one sample.
  let k = -1;
  for (const i of inTimeOrder(rows, c.time)) {
    const t = c.time[i]! * 1000;
    if (k < 0 || time[k] !== t) time[++k] = t;
    put(ch.lat, k, c.lat[i]!);
    put(ch.lon, k, c.lon[i]!);
    const ea = c.enhancedAltitude[i]!;
    put(ch.altitude_m, k, Number.isNaN(ea) ? c.altitude[i]! : ea);
    put(ch.distance_m, k, c.distance[i]!);
    const es = c.enhancedSpeed[i]!;
    put(ch.speed_mps, k, Number.isNaN(es) ? c.speed[i]! : es);
    put(ch.hr, k, c.hr[i]!);
    put(ch.power_w, k, c.power[i]!);
    const frac = c.fractionalCadence[i]!;
    put(ch.cadence, k, c.cadence[i]! + (Number.isNaN(frac) ? 0 : frac));
  }
  let count = 0;
  const all = Object.values(ch);
  // A record with only a timestamp carries nothing to keep.
  for (let j = 0; j <= k; j++) {
    if (filled[j] === 0) continue;
    time[count] = time[j]!;
    for (const a of all) a[count] = a[j]!;
    count++;
  }
  if (hrSamples && hrSamples.time.length > 0 && ch.hr.subarray(0, count).some(Number.isNaN)) {
    mergeHr(time.subarray(0, count).map((t) => t / 1000), ch.hr, hrSamples);
  }
  const channels: Partial<Record<StreamChannel, Float64Array>> = {};
  for (const name of STREAM_CHANNELS) {
    const a = ch[name].slice(0, count);
    if (!a.every(Number.isNaN)) channels[name] = a;
  }
  return { source, external_id: externalId, time: time.slice(0, count), channels };
}

/** Row indices sorted by time (stable); the common already-sorted case costs one pass. */
function inTimeOrder(rows: number[], time: Float64Array): number[] {
  for (let k = 1; k < rows.length; k++) {
    if (time[rows[k]!]! < time[rows[k - 1]!]!) return [...rows].sort((a, b) => time[a]! - time[b]! || a - b);
  }
  return rows;
}
