/**
 * A heart-rate file of about 150 MB is read with bounded memory: a child
 * process whose JavaScript heap is capped at 48 MB reads it and joins the
 * run's samples, while reading the same file whole under the same cap fails
 * (the control that shows the cap binds).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RUN, exerciseEntry, fitbitShort } from './samples.ts';

const CHILD = fileURLToPath(new URL('./heart_rate_child.ts', import.meta.url));
/** Samples every 5 s from 45 days before the run to 45 days after it. */
const SPAN_MS = 45 * 86_400_000;
let dir: string;

/** Write a Fitbit heart_rate JSON around the run, in Fitbit's layout; returns the samples inside the run. */
function writeHeartRate(path: string, spanMs: number): number {
  const t0 = Date.parse(RUN.startUtc);
  const fd = openSync(path, 'w');
  let inside = 0;
  try {
    writeSync(fd, '[');
    let first = true;
    let buf: string[] = [];
    for (let t = t0 - spanMs; t < t0 + spanMs; t += 5000) {
      const bpm = t >= t0 && t < t0 + RUN.durationS * 1000 ? 150 + (inside++ % 20) : 62;
      buf.push(`${first ? '' : ','}{\n  "dateTime" : "${fitbitShort(t)}",\n  "value" : {\n    "bpm" : ${bpm},\n    "confidence" : 2\n  }\n}`);
      first = false;
      if (buf.length === 20_000) {
        writeSync(fd, buf.join(''));
        buf = [];
      }
    }
    writeSync(fd, `${buf.join('')}]`);
  } finally {
    closeSync(fd);
  }
  return inside;
}

/** Heap cap of the child processes, MB. */
const HEAP_MB = 48;

function run(heartRate: string): { workouts: number; samples: number; maxHr: number; errors: number; maxRssMb: number } {
  const out = execFileSync(process.execPath, [`--max-old-space-size=${HEAP_MB}`, '--import', 'tsx', CHILD, join(dir, 'exercise-0.json'), heartRate], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').pop()!);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gh-stream-'));
  writeFileSync(join(dir, 'exercise-0.json'), JSON.stringify([exerciseEntry({ ...RUN, gps: false })]));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a large heart-rate file', () => {
  it('is streamed: about 150 MB read in a 48 MB heap, where reading it whole runs out of memory', () => {
    const large = join(dir, 'heart_rate-2023-04-09.json');
    const inside = writeHeartRate(large, SPAN_MS);
    const mb = statSync(large).size / 1e6;
    expect(mb).toBeGreaterThan(140);
    const t = performance.now();
    const big = run(large);
    const s = (performance.now() - t) / 1000;
    expect(big).toMatchObject({ workouts: 1, samples: inside, maxHr: 169, errors: 0 });
    expect(inside).toBe(RUN.durationS / 5);
    console.log(`heart_rate JSON ${mb.toFixed(0)} MB read in ${s.toFixed(1)} s with a ${HEAP_MB} MB heap; peak RSS ${big.maxRssMb.toFixed(0)} MB`);
    const whole = `JSON.parse(require('node:fs').readFileSync(${JSON.stringify(large)}, 'utf8')).length`;
    expect(() => execFileSync(process.execPath, [`--max-old-space-size=${HEAP_MB}`, '-e', whole], { stdio: 'pipe' })).toThrow();
  }, 240_000);
});
