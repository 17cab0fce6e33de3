/** GPX and TCX throughput: one core in process, and the worker pool. */
import { readFileSync } from 'node:fs';
import { parseGpx } from '../../lib/formats/gpx.ts';
import { parseTcx } from '../../lib/formats/tcx.ts';
import { parseFilesParallel } from '../../lib/ingest/parallel.ts';
import { FULL, report, timed } from './measure.ts';
import { xmlCorpus } from './xml_corpus.ts';

/** Run the GPX/TCX benchmarks and print their figures. */
export async function benchXml(): Promise<void> {
  const count = Number(process.env.BENCH_XML_FILES ?? (FULL ? 400 : 60));
  for (const format of ['gpx', 'tcx'] as const) {
    const corpus = xmlCorpus(format, count);
    console.log(`${format.toUpperCase()}: ${count} activities, ${corpus.points.toLocaleString('en')} track points, ${(corpus.bytes / 1e6).toFixed(1)} MB`);
    const bufs = corpus.files.map((f) => readFileSync(f));
    const parse = format === 'gpx' ? parseGpx : parseTcx;
    const one = await timed(() => bufs.reduce((n, b) => n + (parse(b, `x.${format}`).streams[0]?.time.length ?? 0), 0));
    if (one.value !== corpus.points) throw new Error(`${format}: parsed ${one.value} points, expected ${corpus.points}`);
    report(`parse${format === 'gpx' ? 'Gpx' : 'Tcx'}, 1 core`, { 'points/s': corpus.points / one.s, 'MB/s': corpus.bytes / 1e6 / one.s });
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
