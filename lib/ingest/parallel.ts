/**
 * Parsing activity files on all cores: a pool of worker threads, each running
 * the same parsers as the main thread. Decoding, not loading, bounds an
 * import, so spreading it over the cores is what makes a large import fast.
 * Stream columns come back as transferred buffers (moved, not copied).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker, parentPort, type TransferListItem } from 'node:worker_threads';
import { emptyResult, type ParseResult } from '../core/models.ts';
import { parseFit } from '../formats/fit.ts';
import { parseGpx } from '../formats/gpx.ts';
import { parseTcx } from '../formats/tcx.ts';

/** A file format the pool parses. */
export type ParallelFormat = 'fit' | 'gpx' | 'tcx';

/**
 * One file to parse: given as `bytes` (copied to the worker, never detached),
 * produced by `read` when the job is dispatched (archive members: a large
 * archive is then never held in memory at once), or read by the worker from `path`.
 */
export interface ParseJob {
  /** Name recorded as the input of the result's records and errors. */
  name: string;
  path?: string;
  bytes?: Uint8Array;
  read?: () => Uint8Array;
  format: ParallelFormat;
  /** Source to attribute records to when the file does not say. */
  source?: string;
  athleteId: string;
}

/** Options of {@link parseFilesParallel}. */
export interface ParallelOptions {
  /** Worker threads; default `os.availableParallelism()`, never more than there are jobs. */
  workers?: number;
  /**
   * Results that may wait for the consumer before no new job starts (default 64):
   * workers keep parsing while the consumer stores a batch, within bounded memory.
   */
  maxWaiting?: number;
  /** Called for each result as it arrives, before it is yielded. */
  onResult?: (index: number, result: ParseResult) => void;
}

/** One finished job: `index` is the job's position in the input array. */
export interface ParallelResult {
  index: number;
  result: ParseResult;
}

interface JobMessage {
  id: number;
  job: Omit<ParseJob, 'read'>;
}

interface ResultMessage {
  id: number;
  result: ParseResult;
}

/** Parse one job in the current thread; a parser that throws gives one error naming the file. */
export function parseJob(job: ParseJob): ParseResult {
  try {
    const bytes = job.bytes ?? job.read?.() ?? readFileSync(requirePath(job));
    const opts = { source: job.source, athleteId: job.athleteId };
    switch (job.format) {
      case 'fit':
        return parseFit(bytes, job.name, opts);
      case 'gpx':
        return parseGpx(bytes, job.name, opts);
      case 'tcx':
        return parseTcx(bytes, job.name, opts);
      default:
        return failed(job.name, `unsupported format ${JSON.stringify(job.format)} (expected fit, gpx or tcx)`);
    }
  } catch (err) {
    return failed(job.name, `could not be read: ${(err as Error).message}`);
  }
}

function requirePath(job: ParseJob): string {
  if (job.path === undefined) throw new Error('the job has no path, bytes or read');
  return job.path;
}

function failed(input: string, reason: string): ParseResult {
  const r = emptyResult();
  r.errors.push({ input, reason });
  return r;
}

/** The distinct buffers behind a result's streams, to transfer rather than copy. */
export function streamBuffers(result: ParseResult): ArrayBuffer[] {
  const seen = new Set<ArrayBuffer>();
  for (const s of result.streams) {
    seen.add(s.time.buffer as ArrayBuffer);
    for (const a of Object.values(s.channels)) if (a) seen.add(a.buffer as ArrayBuffer);
  }
  return [...seen];
}

/** Worker side: answer job messages until the port closes. Called by parse_worker.mjs. */
export function serveParseJobs(): void {
  const port = parentPort;
  if (!port) throw new Error('serveParseJobs must run in a worker thread');
  port.on('message', (msg: JobMessage) => {
    const result = parseJob(msg.job);
    const reply: ResultMessage = { id: msg.id, result };
    port.postMessage(reply, streamBuffers(result) as TransferListItem[]);
  });
}

/** Jobs kept in flight per worker, so a worker never waits for the main thread between files. */
const DEPTH = 2;

/**
 * Parse files on a pool of worker threads. Results are yielded as they finish,
 * NOT in input order: each carries the job's `index`. A file that fails gives
 * its error in `result.errors` (a worker that dies is replaced, and its jobs
 * reported as errors); the other files go on. Leaving the loop early stops
 * the workers.
 */
export async function* parseFilesParallel(jobs: readonly ParseJob[], opts: ParallelOptions = {}): AsyncIterable<ParallelResult> {
  if (jobs.length === 0) return;
  const size = Math.max(1, Math.min(opts.workers ?? availableParallelism(), jobs.length));
  const maxWaiting = Math.max(1, opts.maxWaiting ?? 64);
  const ready: ParallelResult[] = [];
  let head = 0;
  let wake: (() => void) | undefined;
  let next = 0;
  let finished = 0;
  const inFlight = new Map<Worker, Set<number>>();

  const deliver = (index: number, result: ParseResult) => {
    opts.onResult?.(index, result);
    ready.push({ index, result });
    finished++;
    wake?.();
  };
  // Backpressure: results waiting for the consumer hold memory, so no new job starts while many wait.
  const feed = (w: Worker) => {
    const mine = inFlight.get(w);
    while (mine && mine.size < DEPTH && next < jobs.length && ready.length - head < maxWaiting) {
      const id = next++;
      const { name, path, bytes, read, format, source, athleteId } = jobs[id]!;
      let data = bytes;
      if (data === undefined && read !== undefined) {
        try {
          data = read();
        } catch (err) {
          deliver(id, failed(name, `could not be read: ${(err as Error).message}`));
          continue;
        }
      }
      mine.add(id);
      const msg: JobMessage = { id, job: { name, path, bytes: data, format, source, athleteId } };
      w.postMessage(msg);
    }
  };
  const spawn = () => {
    const w = new Worker(new URL('./parse_worker.mjs', import.meta.url));
    inFlight.set(w, new Set());
    w.on('message', (m: ResultMessage) => {
      inFlight.get(w)?.delete(m.id);
      deliver(m.id, m.result);
      feed(w);
    });
    const lost = (reason: string) => {
      const mine = inFlight.get(w);
      if (!mine) return;
      inFlight.delete(w);
      for (const id of mine) deliver(id, failed(jobs[id]!.name, `could not be read: parser worker ${reason}`));
      if (next < jobs.length) feed(spawn());
    };
    w.on('error', (err) => lost(`failed: ${err.message}`));
    w.on('exit', (code) => lost(`exited with code ${code}`));
    return w;
  };

  for (let i = 0; i < size; i++) feed(spawn());
  try {
    while (finished < jobs.length || head < ready.length) {
      if (head === ready.length) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      const item = ready[head]!;
      ready[head++] = undefined as unknown as ParallelResult;
      if (head > 1024 && head * 2 > ready.length) {
        ready.splice(0, head);
        head = 0;
      }
      yield item;
      for (const w of inFlight.keys()) feed(w);
    }
  } finally {
    const workers = [...inFlight.keys()];
    inFlight.clear();
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
