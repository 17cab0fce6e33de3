/**
 * A deterministic corpus of synthetic FIT activities for the benchmarks,
 * written as @garmin/fitsdk's Encoder writes them (the demo's FitWriter) into
 * a temp folder and reused between runs of the same size.
 */
import { Profile } from '@garmin/fitsdk';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitCrc } from '../../lib/formats/fit_decode.ts';
import { FitWriter } from '../../lib/demo/fit_writer.ts';
import { seededRandom as rng } from '../../lib/core/random.ts';

/** A generated corpus: its files and how many track points they hold. */
export interface FitCorpus {
  dir: string;
  files: string[];
  points: number;
  bytes: number;
}

function mesgNum(name: string): number {
  const n = Profile.MesgNum[name];
  if (n === undefined) throw new Error(`FIT profile has no message ${name}`);
  return n;
}
const M = {
  FILE_ID: mesgNum('FILE_ID'), EVENT: mesgNum('EVENT'), RECORD: mesgNum('RECORD'),
  LAP: mesgNum('LAP'), SESSION: mesgNum('SESSION'), ACTIVITY: mesgNum('ACTIVITY'),
};
const SEMI = 2 ** 31 / 180;
const BASE_MS = Date.UTC(2023, 0, 1, 6, 0, 0);

/** Points of activity `i`: 1,000-5,600, 3,300 on average (the size of a typical 1 Hz hour). */
export function pointsOf(i: number): number {
  return 1000 + Math.floor(rng(i * 7919 + 1)() * 4600);
}

/** Encode activity `i` of the corpus: a run or a ride at 1 Hz with GPS, HR, cadence, distance, speed (and power on rides). */
export function encodeActivity(i: number): { bytes: Uint8Array; points: number } {
  const r = rng(i + 1);
  const n = pointsOf(i);
  const ride = i % 3 === 0;
  const start = new Date(BASE_MS + i * 86_400_000 + Math.floor(r() * 36_000) * 1000);
  const enc = new FitWriter();
  const put = (num: number, m: Record<string, unknown>) => enc.onMesg(num, m);
  put(M.FILE_ID, { type: 'activity', manufacturer: 'garmin', product: 3113, serialNumber: 3_900_000_000 + i, timeCreated: start });
  put(M.EVENT, { timestamp: start, event: 'timer', eventType: 'start' });
  let lat = 47.3 + r() * 0.2;
  let lon = 8.5 + r() * 0.2;
  let dist = 0;
  let alt = 400 + r() * 100;
  let hr = 110;
  const base = ride ? 7.5 : 3.2;
  for (let k = 0; k < n; k++) {
    const speed = base + (r() - 0.5) * 0.8;
    dist += speed;
    const heading = (k / 600) * Math.PI;
    lat += (Math.cos(heading) * speed) / 111_320;
    lon += (Math.sin(heading) * speed) / 75_000;
    alt += (r() - 0.5) * 0.6;
    hr = Math.min(185, Math.max(95, hr + Math.round((r() - 0.48) * 3)));
    const rec: Record<string, unknown> = {
      timestamp: new Date(start.getTime() + k * 1000),
      positionLat: Math.round(lat * SEMI),
      positionLong: Math.round(lon * SEMI),
      enhancedAltitude: Math.round(alt * 5) / 5,
      heartRate: hr,
      cadence: ride ? 85 + Math.floor(r() * 10) : 82 + Math.floor(r() * 6),
      distance: Math.round(dist * 100) / 100,
      enhancedSpeed: Math.round(speed * 1000) / 1000,
    };
    if (ride) rec.power = 150 + Math.floor(r() * 120);
    put(M.RECORD, rec);
  }
  const end = new Date(start.getTime() + (n - 1) * 1000);
  put(M.EVENT, { timestamp: end, event: 'timer', eventType: 'stopAll' });
  const sport = ride ? { sport: 'cycling', subSport: 'road' } : { sport: 'running', subSport: 'generic' };
  const summary = { timestamp: end, startTime: start, totalElapsedTime: n - 1, totalTimerTime: n - 1, totalDistance: Math.round(dist * 100) / 100, avgHeartRate: 140, maxHeartRate: 185, totalCalories: Math.round(n / 5), ...sport };
  put(M.LAP, { ...summary, event: 'lap', eventType: 'stop' });
  put(M.SESSION, { ...summary, event: 'session', eventType: 'stop', firstLapIndex: 0, numLaps: 1 });
  put(M.ACTIVITY, { timestamp: end, localTimestamp: Math.round(end.getTime() / 1000) - 631065600 + 3600, numSessions: 1, type: 'manual', event: 'activity', eventType: 'stop', totalTimerTime: n - 1 });
  return { bytes: enc.close(), points: n };
}

/** Distinct encoded activities; larger corpora reuse them under new serial numbers. */
const TEMPLATES = 40;

/**
 * Copy of an encoded activity with another file_id serial number (so another
 * external id), file CRC recomputed. The writer writes file_id first:
 * header, its definition, then its data message.
 */
export function withSerial(fit: Uint8Array, serial: number): Uint8Array {
  const out = fit.slice();
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let p = out[0]!;
  const little = out[p + 2] === 0;
  if ((out[p]! & 0x40) === 0 || dv.getUint16(p + 3, little) !== 0) throw new Error('file_id definition is not the first message');
  const n = out[p + 5]!;
  let at = -1;
  let pos = 0;
  for (let k = 0; k < n; k++) {
    const q = p + 6 + 3 * k;
    if (out[q] === 3) at = pos;
    pos += out[q + 1]!;
  }
  if (at < 0) throw new Error('file_id has no serial_number field');
  p += 6 + 3 * n;
  dv.setUint32(p + 1 + at, serial, little);
  const end = out.length - 2;
  dv.setUint16(end, fitCrc(out, 0, end), true);
  return out;
}

/** Template `t`, encoded once and kept in the temp folder for every corpus size. */
function template(t: number): Uint8Array {
  const dir = join(tmpdir(), 'app-bench-fit-v1-templates');
  const path = join(dir, `t${t}.fit`);
  if (existsSync(path)) return readFileSync(path);
  mkdirSync(dir, { recursive: true });
  const { bytes } = encodeActivity(t);
  writeFileSync(path, bytes);
  return bytes;
}

/** Write (or reuse) a corpus of `count` activities in the temp folder. */
export function fitCorpus(count: number): FitCorpus {
  const dir = join(tmpdir(), `app-bench-fit-v1-${count}`);
  const files: string[] = [];
  let points = 0;
  let bytes = 0;
  const complete = existsSync(join(dir, 'DONE'));
  if (!complete) mkdirSync(dir, { recursive: true });
  const templates: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const path = join(dir, `activity_${String(i).padStart(5, '0')}.fit`);
    const t = i % TEMPLATES;
    if (!complete) {
      const bytes = (templates[t] ??= template(t));
      writeFileSync(path, i < TEMPLATES ? bytes : withSerial(bytes, 3_900_000_000 + i));
    }
    points += pointsOf(t);
    bytes += statSync(path).size;
    files.push(path);
  }
  if (!complete) writeFileSync(join(dir, 'DONE'), String(count));
  return { dir, files, points, bytes };
}
