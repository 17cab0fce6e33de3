/**
 * Heart rate stored in FIT `hr` messages (HRM-Pro / HRM-Swim store-and-forward)
 * rather than in records: expand the messages into timed beats-per-minute
 * samples and average them into the records that lack heart rate.
 *
 * Timing follows the FIT profile's hr message: an anchor message carries
 * `timestamp` + `fractional_timestamp` and one `event_timestamp` (1/1024 s);
 * later messages carry `event_timestamp_12`, ten packed 12-bit deltas of the
 * accumulated event timestamp.
 */
import type { FitMessage } from './fit_decode.ts';

/** Timed heart-rate samples: Unix seconds (fractional) and bpm. */
export interface HrSamples {
  time: number[];
  bpm: number[];
}

function asArray(v: unknown): number[] {
  if (typeof v === 'number') return [v];
  return Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : [];
}

/** The k-th little-endian packed 12-bit value of a byte array. */
function packed12(bytes: number[], k: number): number {
  const i = (k * 3) >> 1;
  const lo = bytes[i] ?? 0;
  const hi = bytes[i + 1] ?? 0;
  return k % 2 === 0 ? lo | ((hi & 0x0f) << 8) : (lo >> 4) | (hi << 4);
}

/** Expand `hr` messages into timed samples (messages before the first anchor are dropped). */
export function expandHrMessages(msgs: FitMessage[]): HrSamples {
  const out: HrSamples = { time: [], bpm: [] };
  let anchorTime = NaN;
  let anchorEvent = NaN;
  let lastEventRaw = NaN;
  for (const m of msgs) {
    const bpms = asArray(m.filteredBpm);
    let events = asArray(m.eventTimestamp).map((s) => Math.round(s * 1024));
    const packed = m.eventTimestamp12;
    if (events.length === 0 && Array.isArray(packed) && !Number.isNaN(lastEventRaw)) {
      const n = Math.min(bpms.length, Math.floor((packed.length * 8) / 12));
      events = [];
      for (let k = 0; k < n; k++) {
        const v = packed12(packed, k);
        lastEventRaw += (v - (lastEventRaw & 0xfff)) & 0xfff;
        events.push(lastEventRaw);
      }
    }
    if (events.length > 0) lastEventRaw = events[events.length - 1]!;
    if (typeof m.timestamp === 'number' && events.length === 1) {
      anchorTime = m.timestamp + (typeof m.fractionalTimestamp === 'number' ? m.fractionalTimestamp : 0);
      anchorEvent = events[0]!;
    }
    if (Number.isNaN(anchorTime)) continue;
    for (let k = 0; k < Math.min(events.length, bpms.length); k++) {
      const bpm = bpms[k]!;
      if (!Number.isFinite(bpm) || bpm <= 0) continue;
      out.time.push(anchorTime + (events[k]! - anchorEvent) / 1024);
      out.bpm.push(bpm);
    }
  }
  return out;
}

/**
 * Fill `hr` (NaN where absent) for records at `time` (Unix seconds, ascending) with the
 * rounded mean of samples in (previous record, this record]; the first record takes the second before it.
 */
export function mergeHr(time: ArrayLike<number>, hr: Float64Array, samples: HrSamples): void {
  const order = samples.time.map((_, i) => i).sort((a, b) => samples.time[a]! - samples.time[b]!);
  let j = 0;
  let prev = NaN;
  for (let i = 0; i < time.length; i++) {
    const t = time[i]!;
    if (Number.isNaN(t)) continue;
    const from = Number.isNaN(prev) ? t - 1 : prev;
    prev = t;
    while (j < order.length && samples.time[order[j]!]! <= from) j++;
    let sum = 0;
    let n = 0;
    for (let k = j; k < order.length && samples.time[order[k]!]! <= t; k++) {
      sum += samples.bpm[order[k]!]!;
      n++;
    }
    if (n > 0 && Number.isNaN(hr[i]!)) hr[i] = Math.round(sum / n);
  }
}
