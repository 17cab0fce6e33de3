/**
 * FIT import benchmark: a generated corpus imported end to end into the
 * warehouse, against bare single-core decoding of the same files with
 * fit-file-parser (the fastest JS decoder), measured in the same process.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import FitParser from 'fit-file-parser';
import { decodeFit } from '../../lib/formats/fit_decode.ts';
import { parseFit } from '../../lib/formats/fit.ts';
import { parseFilesParallel, type ParseJob } from '../../lib/ingest/parallel.ts';
import { STREAM_CHANNELS, storeResult } from '../../lib/ingest/store.ts';
import { BATCH_FILES, BATCH_SAMPLES, MIN_WORKERS, importPaths } from '../../lib/ingest/importer.ts';
import { emptyResult, mergeResults, type ParseResult } from '../../lib/core/models.ts';
import type { Warehouse } from '../../lib/core/warehouse.ts';
import { ROOT } from '../helpers/shared.ts';
import { fitCorpus } from './fit_corpus.ts';
import { FULL, median, report, timed, timedSelf, withWarehouse } from './measure.ts';

/** Results in importer-sized batches: up to its file or sample bound, whichever comes first. */
function batches(results: readonly ParseResult[]): ParseResult[] {
  const out: ParseResult[] = [];
  let batch = emptyResult();
  let files = 0;
  let samples = 0;
  for (const r of results) {
    mergeResults(batch, r);
    files++;
    for (const st of r.streams) samples += st.time.length;
    if (files >= BATCH_FILES || samples >= BATCH_SAMPLES) {
      out.push(batch);
      batch = emptyResult();
      files = samples = 0;
    }
  }
  if (files > 0) out.push(batch);
  return out;
}

/** Track points decoded by fit-file-parser (records), synchronously. */
function fitFileParserPoints(buf: Buffer): number {
  let points = 0;
  new FitParser({ force: true }).parse(buf, (err, data) => {
    if (err || !data) throw new Error(`fit-file-parser failed: ${err}`);
    points = data.records?.length ?? 0;
  });
  return points;
}

/** Parse on the worker pool and store in importer-sized batches: the import path parseFilesParallel offers. */
export async function importParallel(wh: Warehouse, files: readonly string[], athleteId = 'me', workers?: number): Promise<number> {
  const jobs: ParseJob[] = files.map((f) => ({ name: f, path: f, format: 'fit', athleteId }));
  let batch = emptyResult();
  let inBatch = 0;
  let samples = 0;
  let points = 0;
  for await (const { result } of parseFilesParallel(jobs, { workers })) {
    mergeResults(batch, result);
    for (const st of result.streams) samples += st.time.length;
    if (++inBatch === BATCH_FILES || samples >= BATCH_SAMPLES) {
      points += (await storeResult(wh, batch, { athleteId })).points;
      batch = emptyResult();
      inBatch = samples = 0;
    }
  }
  if (inBatch > 0) points += (await storeResult(wh, batch, { athleteId })).points;
  return points;
}

/** Run the FIT benchmarks and print their figures. */
export async function benchFit(): Promise<void> {
  const count = Number(process.env.BENCH_FIT_FILES ?? (FULL ? 3000 : 300));
  const corpus = fitCorpus(count);
  console.log(`FIT import: ${count} activities, ${corpus.points.toLocaleString('en')} track points, ${(corpus.bytes / 1e6).toFixed(1)} MB (${corpus.dir})`);
  const bufs = corpus.files.map((f) => readFileSync(f));
  const pps = (s: number) => corpus.points / s;

  const base = await timed(() => bufs.reduce((n, b) => n + fitFileParserPoints(b), 0));
  if (base.value !== corpus.points) throw new Error(`fit-file-parser decoded ${base.value} points, expected ${corpus.points}`);
  const baseline = pps(base.s);
  report('baseline: fit-file-parser decode, 1 core', { 'points/s': baseline, s: base.s });

  const decode = await timed(() => bufs.reduce((n, b) => n + decodeFit(b).records.count, 0));
  report('decodeFit (our decoder), 1 core', { 'points/s': pps(decode.s), ratio: pps(decode.s) / baseline });
  const parse = await timed(() => bufs.reduce((n, b) => n + (parseFit(b, 'x.fit').streams[0]?.time.length ?? 0), 0));
  report('parseFit (decode + mapping), 1 core', { 'points/s': pps(parse.s), ratio: pps(parse.s) / baseline });

  const pool = await timed(async () => {
    let n = 0;
    for await (const { result } of parseFilesParallel(corpus.files.map((f) => ({ name: f, path: f, format: 'fit', athleteId: 'me' })))) {
      for (const s of result.streams) n += s.time.length;
    }
    return n;
  });
  report('parseFilesParallel (files read + parsed)', { 'points/s': pps(pool.s), ratio: pps(pool.s) / baseline, s: pool.s });

  // The pool with every core, and with one core left to the main thread, which stores.
  const cores = availableParallelism();
  for (const workers of cores > 1 ? [cores, cores - 1] : [cores]) {
    const e2e = await timedSelf(() => withWarehouse(async (wh) => {
      const t = performance.now();
      const points = await importParallel(wh, corpus.files, 'me', workers);
      if (points !== corpus.points) throw new Error(`stored ${points} points, expected ${corpus.points}`);
      return (performance.now() - t) / 1000;
    }));
    report(`END TO END: pool (${workers} workers) + storeResult`, { 'points/s': pps(e2e), ratio: pps(e2e) / baseline, s: e2e });
  }

  // Storing alone: results parsed beforehand, stored in importer-sized batches.
  const parsed = corpus.files.map((f, i) => parseFit(bufs[i]!, f, { athleteId: 'me' }));
  const store = await timedSelf(() => withWarehouse(async (wh) => {
    const t = performance.now();
    let points = 0;
    for (const batch of batches(parsed)) points += (await storeResult(wh, batch, { athleteId: 'me' })).points;
    if (points !== corpus.points) throw new Error(`stored ${points} points, expected ${corpus.points}`);
    return (performance.now() - t) / 1000;
  }));
  report('storeResult alone (parsed beforehand)', { 'points/s': pps(store), s: store });

  // The ceiling of storing: DuckDB's appender given the same rows as ready typed arrays, committed, and
  // nothing else. The appender runs on this thread, so an import can go no faster than this.
  const streams = parsed.flatMap((r) => r.streams).map((st, i) => ({ id: i + 1, time: st.time, values: STREAM_CHANNELS.map((c) => st.channels[c]) }));
  const bare = await timedSelf(() => withWarehouse(async (wh) => {
    const t = performance.now();
    const rows = await wh.transaction(() => wh.appendStreamColumns('stream_points', streams));
    if (rows !== corpus.points) throw new Error(`appended ${rows} rows, expected ${corpus.points}`);
    return (performance.now() - t) / 1000;
  }));
  report('ceiling: appender + commit alone (rows as typed arrays, no parsing)', {
    'rows/s': pps(bare),
    s: bare,
    'goal 1.5 M/s': pps(bare) >= 1.5e6 ? 'below this ceiling' : 'ABOVE this ceiling',
  });

  const defaultWay = cores - 1 >= MIN_WORKERS ? `${cores - 1}-worker pool` : 'in-process';
  for (const [label, workers] of [[`importPaths (default; ${cores} cores: ${defaultWay})`, undefined], ['importPaths on a 2-worker pool', 2]] as const) {
    const imp = await timedSelf(() => withWarehouse(async (wh) => {
      const t = performance.now();
      const summary = await importPaths(wh, [corpus.dir], { athleteId: 'me', workers });
      if (summary.points !== corpus.points) throw new Error(`importPaths stored ${summary.points} points, expected ${corpus.points}`);
      return (performance.now() - t) / 1000;
    }));
    report(`END TO END: ${label}`, { 'points/s': pps(imp), ratio: pps(imp) / baseline, s: imp });
  }

  // What `athlete import` runs: the compiled build, its default workers (with 2 cores: one parses while this thread stores).
  execFileSync(process.execPath, ['lib/bin/build.mjs', '--quiet'], { cwd: ROOT, stdio: 'inherit' });
  const dist = (path: string) => import(pathToFileURL(join(ROOT, 'dist', path)).href);
  const [{ importPaths: importCompiled }, { Warehouse: CompiledWarehouse }] = await Promise.all([dist('ingest/importer.js'), dist('core/warehouse.js')]);
  // CPU time of the whole process (every thread: this one, the parse worker, DuckDB's and V8's), per run.
  const cpuSeconds: number[] = [];
  const compiled = await timedSelf(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'app-bench-fit-wh-'));
    const wh = await CompiledWarehouse.open(join(dir, 'bench.duckdb'));
    try {
      const t = performance.now();
      const cpu = process.cpuUsage();
      const summary = await importCompiled(wh, [corpus.dir], { athleteId: 'me' });
      const used = process.cpuUsage(cpu);
      if (summary.points !== corpus.points) throw new Error(`athlete import stored ${summary.points} points, expected ${corpus.points}`);
      cpuSeconds.push((used.user + used.system) / 1e6);
      return (performance.now() - t) / 1000;
    } finally {
      wh.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
  report(`END TO END: athlete import (compiled, ${cores} cores: ${defaultWay})`, {
    'points/s': pps(compiled),
    ratio: pps(compiled) / baseline,
    s: compiled,
    'goal >= 1.5 M/s': pps(compiled) >= 1.5e6 ? 'ok' : 'MISSED',
  });
  // Whether the cores or the waits bound it: with every core busy for the whole CPU time, the wall time could be no shorter.
  const cpuS = median(cpuSeconds);
  report('  its CPU time, all threads', {
    's': cpuS,
    'cores busy': cpuS / compiled,
    'points/s with every core busy': corpus.points / (cpuS / cores),
  });
}
