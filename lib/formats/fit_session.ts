/**
 * What a FIT session (the device's summary) says against what its records
 * (the samples) say: the leg's time span, which records belong to it, and its
 * timer time, with a warning wherever the two disagree beyond a tolerance.
 *
 * Rules:
 * - Records are split where the clock jumps by more than {@link CLOCK_JUMP_S}
 *   (no pause inside one recording is that long). Runs of records that overlap
 *   the session's own span are the leg's; a run elsewhere (a clock that jumped
 *   20 days ahead, a stray record decades away) is left out of the stream with
 *   a warning naming how many records, where, and by how much. Without a
 *   session, the run with the most records is the leg.
 * - The leg starts at the earlier of the session's start_time and its first
 *   record, and ends at the later of start_time + total_elapsed_time and its
 *   last record: no sample lies outside its workout. When the records reach
 *   beyond the session by more than {@link spanTolerance}, the records' span
 *   is kept (it is what was recorded) and a warning gives both values.
 * - A timer time longer than the elapsed time is impossible (the timer stops,
 *   the clock does not): beyond the tolerance the pair is read swapped, with a
 *   warning; within it, the timer is capped at the elapsed time.
 * - Without a session timer, the moving time is the laps' timers when the laps
 *   cover the leg (plus the records after the last lap, when there is no final
 *   lap), else the timer start/stop events, else the speed rule of
 *   moving_time.ts.
 */
import type { FitMessage } from './fit_decode.ts';
import { movingTimeS } from './moving_time.ts';

/** A gap between records longer than this (s) is the device clock jumping, not a pause. */
export const CLOCK_JUMP_S = 6 * 3600;

/** How far (s) the records may reach beyond the session before it is reported: 60 s or 5 % of the elapsed time. */
export function spanTolerance(elapsedS: number): number {
  return Math.max(60, 0.05 * elapsedS);
}

/** A timer longer than the elapsed time by more than this (s; or 1 %) is an inverted pair, not rounding. */
const TIMER_SLACK_S = 2;

/** A disagreement found, as field and reason (the caller adds input and record). */
export interface LegWarning {
  field: string;
  reason: string;
}

/** What the session says about its leg (Unix seconds and seconds); undefined where it says nothing. */
export interface SessionSummary {
  start: number;
  elapsed: number | undefined;
  timer: number | undefined;
  /** The session's own timestamp (its end, in files that write summaries last). */
  timestamp: number | undefined;
}

/** The reconciled leg. */
export interface LegSpan {
  /** Record rows kept, in time order. */
  rows: Int32Array;
  /** Unix seconds. */
  start: number;
  end: number;
  /** The session's timer time made coherent (never above end - start), or null without one. */
  timer: number | null;
  warnings: LegWarning[];
}

const iso = (s: number) => new Date(s * 1000).toISOString();
const secs = (s: number) => `${Math.round(s * 1000) / 1000} s`;

/** Row indices sorted by time (stable); the common already-sorted case costs one pass. */
function inTimeOrder(rows: Int32Array, time: Float64Array): Int32Array {
  for (let k = 1; k < rows.length; k++) {
    if (time[rows[k]!]! < time[rows[k - 1]!]!) return Int32Array.from(rows).sort((a, b) => time[a]! - time[b]! || a - b);
  }
  return rows;
}

/**
 * Reconcile a leg's session (undefined for a file without one) with its
 * records `rows` (indices into `time`, Unix seconds).
 */
export function reconcileLeg(time: Float64Array, rows: Int32Array, session: SessionSummary | undefined): LegSpan {
  const warnings: LegWarning[] = [];
  const order = inTimeOrder(rows, time);
  let elapsed = session?.elapsed;
  let timer = session?.timer;
  if (session && elapsed !== undefined && timer !== undefined && timer > elapsed + Math.max(TIMER_SLACK_S, 0.01 * elapsed)) {
    warnings.push({
      field: 'total_timer_time',
      reason: `session total_timer_time ${secs(timer)} exceeds total_elapsed_time ${secs(elapsed)} (a timer cannot run longer than the clock): read as swapped, elapsed ${secs(timer)} and timer ${secs(elapsed)}`,
    });
    [elapsed, timer] = [timer, elapsed];
  }
  let sessionEnd: number | undefined;
  if (session) {
    if (elapsed !== undefined) sessionEnd = session.start + elapsed;
    else if (session.timestamp !== undefined && session.timestamp > session.start) sessionEnd = session.timestamp;
  }

  // Runs of records separated by clock jumps.
  const runs: Array<[number, number]> = [];
  for (let k = 0; k < order.length; k++) {
    if (k === 0 || time[order[k]!]! - time[order[k - 1]!]! > CLOCK_JUMP_S) runs.push([k, k + 1]);
    else runs[runs.length - 1]![1] = k + 1;
  }
  let keep: boolean[] = runs.map(() => false);
  if (session) {
    const tol = spanTolerance(elapsed ?? 0);
    const lo = session.start - tol;
    const hi = (sessionEnd ?? session.start) + tol;
    keep = runs.map(([a, b]) => time[order[a]!]! <= hi && time[order[b - 1]!]! >= lo);
  }
  if (!keep.some(Boolean) && runs.length > 0) {
    let best = 0;
    runs.forEach(([a, b], i) => {
      if (b - a > runs[best]![1] - runs[best]![0]) best = i;
    });
    keep[best] = true;
  }
  let kept = 0;
  runs.forEach(([a, b], i) => (kept += keep[i] ? b - a : 0));
  const keptRows = kept === order.length ? order : new Int32Array(kept);
  if (kept !== order.length) {
    let j = 0;
    runs.forEach(([a, b], i) => {
      if (keep[i]) for (let k = a; k < b; k++) keptRows[j++] = order[k]!;
    });
  }
  const firstRec = kept > 0 ? time[keptRows[0]!]! : NaN;
  const lastRec = kept > 0 ? time[keptRows[kept - 1]!]! : NaN;
  runs.forEach(([a, b], i) => {
    if (keep[i]) return;
    const from = time[order[a]!]!;
    const to = time[order[b - 1]!]!;
    const keptLo = Math.min(session?.start ?? Infinity, firstRec);
    const keptHi = Math.max(sessionEnd ?? -Infinity, lastRec);
    const after = from > keptHi;
    const away = after ? from - keptHi : keptLo - to;
    warnings.push({
      field: 'record.timestamp',
      reason: `${b - a} ${b - a === 1 ? 'record' : 'records'} at ${iso(from)}${b - a > 1 ? ` to ${iso(to)}` : ''} lie ${Math.round(away / 86.4) / 1000} days ${after ? 'after' : 'before'} the ${session ? 'session' : 'rest of the recording'} (the device clock jumped): left out of the stream`,
    });
  });

  let start = session?.start ?? firstRec;
  if (session && kept > 0) {
    const tol = spanTolerance(elapsed ?? 0);
    if (firstRec < session.start - tol) {
      // A start_time the records contradict, while the session's timestamp - elapsed agrees with them: the start_time is wrong.
      const alt = session.timestamp !== undefined && elapsed !== undefined ? session.timestamp - elapsed : NaN;
      const agrees = Math.abs(alt - firstRec) <= tol;
      warnings.push({
        field: 'start_time',
        reason: `session start_time ${iso(session.start)} but its records begin ${secs(session.start - firstRec)} earlier, at ${iso(firstRec)}${agrees ? ` (as does its timestamp - total_elapsed_time, ${iso(alt)})` : ''}: start taken from the records`,
      });
      if (agrees) {
        start = alt;
        sessionEnd = session.timestamp;
      }
    }
    if (sessionEnd !== undefined && lastRec > sessionEnd + tol) {
      warnings.push({
        field: 'total_elapsed_time',
        reason: `session total_elapsed_time ${secs(sessionEnd - start)} but its records span ${secs(lastRec - Math.min(firstRec, start))} (to ${iso(lastRec)}): kept the records' span`,
      });
    }
  }
  let end = sessionEnd ?? (Number.isNaN(lastRec) ? start : lastRec);
  if (kept > 0) {
    start = Math.min(start, firstRec);
    end = Math.max(end, lastRec);
  }
  return { rows: keptRows, start, end: Math.max(end, start), timer: timer === undefined ? null : Math.min(timer, Math.max(end, start) - start), warnings };
}

const num = (m: FitMessage | undefined, key: string): number | undefined => {
  const v = m?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
};

/**
 * Timer seconds from the laps lying in [start, end]: the sum of their
 * total_timer_time, plus the moving time of the records after the last lap's
 * end when the laps stop short of the leg's end (no final lap). Null when no
 * lap in the leg has a timer.
 */
export function lapTimer(
  laps: readonly FitMessage[],
  start: number,
  end: number,
  timeMs: Float64Array,
  distance: Float64Array | undefined,
  speed: Float64Array | undefined,
): number | null {
  let sum = 0;
  let lastEnd = -Infinity;
  let any = false;
  for (const lap of laps) {
    const s = num(lap, 'startTime');
    const t = num(lap, 'totalTimerTime');
    if (s === undefined || t === undefined || s < start - 1 || s > end) continue;
    any = true;
    sum += t;
    lastEnd = Math.max(lastEnd, s + (num(lap, 'totalElapsedTime') ?? t));
  }
  if (!any) return null;
  if (lastEnd < end - spanTolerance(end - start)) {
    let from = 0;
    while (from < timeMs.length && timeMs[from]! < lastEnd * 1000) from++;
    const tail = movingTimeS(timeMs.subarray(from), distance?.subarray(from), speed?.subarray(from));
    sum += tail ?? 0;
  }
  return Math.min(sum, end - start);
}

const STOPS = new Set(['stop', 'stopAll', 'stopDisable', 'stopDisableAll']);

/**
 * Timer seconds from timer start/stop events within [start, end]; a timer
 * still running at the end counts to the end. Null without timer events.
 */
export function eventTimer(events: readonly FitMessage[], start: number, end: number): number | null {
  let running = NaN;
  let total = 0;
  let any = false;
  for (const e of events) {
    if (e.event !== 'timer') continue;
    const t = num(e, 'timestamp');
    if (t === undefined) continue;
    const at = Math.min(Math.max(t, start), end);
    if (e.eventType === 'start') {
      any = true;
      if (Number.isNaN(running)) running = at;
    } else if (typeof e.eventType === 'string' && STOPS.has(e.eventType)) {
      any = true;
      if (!Number.isNaN(running)) total += at - running;
      running = NaN;
    }
  }
  if (!any) return null;
  if (!Number.isNaN(running)) total += end - running;
  return Math.min(total, end - start);
}
