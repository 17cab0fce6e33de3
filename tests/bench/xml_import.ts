/** GPX and TCX throughput: one core in process beside bare saxes over the same files, and the worker pool. */
import { readFileSync } from 'node:fs';
import { SaxesParser } from 'saxes';
import { parseGpx } from '../../lib/formats/gpx.ts';
import { parseTcx } from '../../lib/formats/tcx.ts';
import { parseFilesParallel } from '../../lib/ingest/parallel.ts';
import { FULL, RUNS, report, timed } from './measure.ts';

/** `timed` plus the CPU seconds per run (on a busy machine the wall clock also counts other processes' time). */
async function timedCpu<T>(fn: () => T): Promise<{ s: number; cpuS: number; value: T }> {
  const before = process.cpuUsage();
  const t = await timed(fn);
  const used = process.cpuUsage(before);
  return { ...t, cpuS: (used.user + used.system) / 1e6 / RUNS };
}
import { xmlCorpus } from './xml_corpus.ts';

/** Run the GPX/TCX benchmarks and print their figures. */
export async function benchXml(): Promise<void> {
  const count = Number(process.env.BENCH_XML_FILES ?? (FULL ? 400 : 60));
  for (const format of ['gpx', 'tcx'] as const) {
    const corpus = xmlCorpus(format, count);
    console.log(`${format.toUpperCase()}: ${count} activities, ${corpus.points.toLocaleString('en')} track points, ${(corpus.bytes / 1e6).toFixed(1)} MB`);
    const bufs = corpus.files.map((f) => readFileSync(f));
    const parse = format === 'gpx' ? parseGpx : parseTcx;
    // Baseline: saxes alone (an empty opentag handler) over the same bytes, decoding included.
    const bare = await timedCpu(() => {
      let tags = 0;
      for (const b of bufs) {
        const p = new SaxesParser({ xmlns: false });
        p.on('opentag', () => tags++);
        p.write(new TextDecoder().decode(b)).close();
      }
      return tags;
    });
    report('baseline: bare saxes, same files', { 'points/s': corpus.points / bare.s, 'MB/s': corpus.bytes / 1e6 / bare.s, 'cpu points/s': corpus.points / bare.cpuS });
    const one = await timedCpu(() => bufs.reduce((n, b) => n + (parse(b, `x.${format}`).streams[0]?.time.length ?? 0), 0));
    if (one.value !== corpus.points) throw new Error(`${format}: parsed ${one.value} points, expected ${corpus.points}`);
    report(`parse${format === 'gpx' ? 'Gpx' : 'Tcx'}, 1 core`, {
      'points/s': corpus.points / one.s,
      'MB/s': corpus.bytes / 1e6 / one.s,
      'vs saxes': bare.s / one.s,
      'cpu points/s': corpus.points / one.cpuS,
      goal: `150 k ${corpus.points / one.s >= 150_000 ? 'ok' : 'MISSED'}`,
    });
    const pool = await timed(async () => {
      let n = 0;
      for await (const { result } of parseFilesParallel(corpus.files.map((f) => ({ name: f, path: f, format, athleteId: 'me' })))) {
        n += result.streams[0]?.time.length ?? 0;
      }
      return n;
    });
    report(`parseFilesParallel (${format})`, { 'points/s': corpus.points / pool.s, 'MB/s': corpus.bytes / 1e6 / pool.s, 'vs 1 core': one.s / pool.s });
  }
}
