/**
 * Runs the fuzzer and judges it: starts worker.ts in a child process, reads
 * its events, and fails the run on a crash (the process dies or throws), a
 * hang (an input taking more than 10 s, or the child silent longer than
 * that), memory beyond a bound (resident size polled from /proc), or a
 * stored value the gate would flag. After a failure the next batch goes on
 * in a new child, so one run reports every failure it meets; the batch that
 * failed is kept on disk to reproduce it. Prints the counts at the end.
 *
 * `node --import tsx tests/fuzz/supervise.ts [--inputs N] [--seed S] [--batch B]`
 * (`make fuzz`: 100,000 inputs); exits 1 when anything failed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ImportSummary } from '../../lib/ingest/importer.ts';

/** What a run must stay within. */
export interface FuzzBounds {
  /** Longest an input may take (ms). */
  perInputMs: number;
  /** Most the worker may hold resident (bytes). */
  maxRssBytes: number;
}

export const DEFAULT_BOUNDS: FuzzBounds = { perInputMs: 10_000, maxRssBytes: 1536 * 1024 ** 2 };

/** The counts of a run. */
export interface FuzzReport {
  seed: number;
  inputs: number;
  /** Inputs by how they were wrapped: file, gzip, zip, zipDamaged, ... */
  kinds: Record<string, number>;
  /** Files the importer saw (archive members included), what it stored, what it recorded. */
  files: number;
  workouts: number;
  biometrics: number;
  points: number;
  rows: number;
  problems: number;
  warnings: number;
  skipped: number;
  slowestMs: number;
  slowestInput: string;
  maxRssBytes: number;
  seconds: number;
  failures: string[];
}

const WORKER = join(dirname(fileURLToPath(import.meta.url)), 'worker.ts');

function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Run inputs [from, from + count) in one child; resolves with where it stopped and why, if it failed. */
function runChild(
  seed: number,
  from: number,
  count: number,
  batch: number,
  dir: string,
  bounds: FuzzBounds,
  report: FuzzReport,
  onProgress?: (r: FuzzReport) => void,
): Promise<{ next: number; failure?: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, String(seed), String(from), String(count), String(batch), dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LOG_LEVEL: 'silent', TZ: process.env.TZ ?? 'Australia/Brisbane' },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    let current = { from, to: from, folder: '' };
    let heard = Date.now();
    let ready = false;
    let failure: string | undefined;
    const fail = (why: string) => {
      if (failure) return;
      failure = `inputs ${current.from}..${current.to - 1} (kept in ${current.folder}): ${why}`;
      child.kill('SIGKILL');
    };
    const watch = setInterval(() => {
      const rss = rssOf(child.pid!);
      report.maxRssBytes = Math.max(report.maxRssBytes, rss);
      if (rss > bounds.maxRssBytes) fail(`resident memory ${Math.round(rss / 1024 ** 2)} MB passed ${Math.round(bounds.maxRssBytes / 1024 ** 2)} MB`);
      // Building the corpus takes a few seconds before the first event; after that an input has perInputMs, plus the batch's storing.
      if (ready && Date.now() - heard > bounds.perInputMs * 2) fail(`no progress for ${Math.round((Date.now() - heard) / 1000)} s: an input hangs`);
    }, 250);
    createInterface({ input: child.stdout }).on('line', (line) => {
      heard = Date.now();
      let e: Record<string, unknown>;
      try {
        e = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      if (e.type === 'ready') ready = true;
      if (e.type === 'batch') current = { from: e.from as number, to: e.to as number, folder: e.folder as string };
      if (e.type === 'crash') fail(`the importer threw: ${String(e.message)}\n${String(e.stack)}`);
      if (e.type === 'done') {
        const s = e.summary as ImportSummary;
        report.inputs += (e.to as number) - (e.from as number);
        for (const [k, v] of Object.entries(e.kinds as Record<string, number>)) report.kinds[k] = (report.kinds[k] ?? 0) + v;
        report.files += s.files;
        report.workouts += s.workouts;
        report.biometrics += s.biometrics;
        report.points += s.points;
        report.rows += s.errors;
        report.problems += s.problems;
        report.warnings += s.warnings;
        report.skipped += s.skipped;
        const slowest = e.slowest as { ms: number; name: string };
        if (slowest.ms > report.slowestMs) Object.assign(report, { slowestMs: slowest.ms, slowestInput: slowest.name });
        if (slowest.ms > bounds.perInputMs) fail(`${slowest.name} took ${slowest.ms} ms`);
        // Every input is imported or has a row: the importer saw at least one file per input.
        if (s.files < (e.to as number) - (e.from as number)) fail(`${s.files} file(s) seen for ${(e.to as number) - (e.from as number)} inputs: an input left no trace`);
        if ((e.outsideCount as number) > 0) fail(`${e.outsideCount as number} stored value(s) outside the gate, e.g. ${JSON.stringify(e.outside)}`);
        current = { from: e.to as number, to: e.to as number, folder: '' };
        if (report.inputs % 1000 < (e.to as number) - (e.from as number)) onProgress?.(report);
      }
    });
    child.on('exit', (code, signal) => {
      clearInterval(watch);
      if (!failure && (code !== 0 || signal)) fail(`the worker died (${signal ?? `exit ${code}`}): ${stderr.trim().split('\n').slice(-5).join(' | ')}`);
      // After a failure the failed batch is skipped; the run goes on from the next one.
      const next = failure ? Math.max(current.to, current.from + batch) : from + count;
      resolve({ next, ...(failure ? { failure } : {}) });
    });
  });
}

/** Run `inputs` fuzz inputs from `seed` in batches; the report lists every failure met. */
export async function runFuzz(opts: {
  inputs: number;
  seed?: number;
  batch?: number;
  bounds?: FuzzBounds;
  maxFailures?: number;
  /** Told the counts after about every 1,000 inputs. */
  onProgress?: (r: FuzzReport) => void;
}): Promise<FuzzReport> {
  const seed = opts.seed ?? 1;
  const batch = opts.batch ?? 25;
  const bounds = opts.bounds ?? DEFAULT_BOUNDS;
  const report: FuzzReport = {
    seed, inputs: 0, kinds: {}, files: 0, workouts: 0, biometrics: 0, points: 0, rows: 0, problems: 0, warnings: 0, skipped: 0,
    slowestMs: 0, slowestInput: '', maxRssBytes: 0, seconds: 0, failures: [],
  };
  const dir = mkdtempSync(join(tmpdir(), 'athlete-fuzz-'));
  const t0 = Date.now();
  let next = 0;
  while (next < opts.inputs && report.failures.length < (opts.maxFailures ?? 20)) {
    const r = await runChild(seed, next, opts.inputs - next, batch, dir, bounds, report, opts.onProgress);
    if (r.failure) report.failures.push(r.failure);
    next = r.next;
  }
  report.seconds = Math.round((Date.now() - t0) / 1000);
  // Failed batches stay on disk for reproduction; a clean run leaves nothing.
  if (report.failures.length === 0) rmSync(dir, { recursive: true, force: true });
  return report;
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t0 = Date.now();
  const report = await runFuzz({
    inputs: arg('inputs', 100_000),
    seed: arg('seed', 1),
    batch: arg('batch', 25),
    onProgress: (r) =>
      process.stderr.write(`fuzz: ${r.inputs} inputs, ${r.files} files, ${r.problems} problems, ${r.failures.length} failures, ${Math.round((Date.now() - t0) / 1000)} s\n`),
  });
  const { failures, ...counts } = report;
  process.stdout.write(`${JSON.stringify(counts, null, 2)}\n`);
  for (const f of failures) process.stdout.write(`FAILED ${f}\n`);
  process.stdout.write(failures.length ? `${failures.length} failure(s)\n` : `no crash, no hang over ${DEFAULT_BOUNDS.perInputMs / 1000} s, resident memory at most ${Math.round(report.maxRssBytes / 1024 ** 2)} MB, nothing stored outside the gate\n`);
  process.exit(failures.length ? 1 : 0);
}
