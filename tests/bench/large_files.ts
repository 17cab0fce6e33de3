/**
 * Large single files, each parsed in its own process: throughput and peak
 * RSS of GPX and CSV read as streams, beside a same-run baseline (bare saxes
 * over the same GPX; the whole-text CSV reader on a slice small enough for it).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { largeCsv, largeGpx, singleLineCsv, type LargeFile } from './large_corpus.ts';
import { FULL, median, report, RUNS } from './measure.ts';

/** Peak RSS the issues allow for these files, MB. */
const RSS_LIMIT_MB = 400;
const child = fileURLToPath(new URL('./large_child.ts', import.meta.url));

interface ChildRun {
  s: number;
  items: number;
  errors: number;
  bytes: number;
  maxRssMb: number;
}

function run(kind: string, file: LargeFile, limit?: number): ChildRun[] {
  const runs: ChildRun[] = [];
  for (let i = 0; i < RUNS; i++) {
    const args = ['--import', 'tsx', child, kind, file.path, ...(limit ? [String(limit)] : [])];
    const out = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
    runs.push(JSON.parse(out.trim().split('\n').pop()!) as ChildRun);
  }
  return runs;
}

const rss = (runs: ChildRun[]) => Math.max(...runs.map((r) => r.maxRssMb));
const limitNote = (mb: number) => `${RSS_LIMIT_MB} MB ${mb <= RSS_LIMIT_MB ? 'ok' : 'EXCEEDED'}`;

/** Run the large-file benchmarks and print their figures. */
export async function benchLarge(): Promise<void> {
  const gpxMb = Number(process.env.BENCH_LARGE_GPX_MB ?? (FULL ? 470 : 120));
  const csvMb = Number(process.env.BENCH_LARGE_CSV_MB ?? (FULL ? 200 : 60));
  let t = performance.now();
  const gpx = largeGpx(gpxMb);
  console.log(`Large GPX: ${(gpx.bytes / 1e6).toFixed(0)} MB, ${gpx.items.toLocaleString('en')} track points (ready in ${((performance.now() - t) / 1000).toFixed(1)} s)`);
  const saxes = run('saxes', gpx);
  const parsed = run('gpx', gpx);
  if (parsed[0]!.items !== gpx.items) throw new Error(`parseGpxStream kept ${parsed[0]!.items} points, expected ${gpx.items}`);
  const bare = gpx.items / median(saxes.map((r) => r.s));
  const ours = gpx.items / median(parsed.map((r) => r.s));
  report('baseline: bare saxes, same file', { 'points/s': bare, 'peak RSS MB': rss(saxes) });
  report('parseGpxStream', { 'points/s': ours, 'vs saxes': ours / bare, 'peak RSS MB': rss(parsed), limit: limitNote(rss(parsed)) });

  t = performance.now();
  const rows = largeCsv(csvMb);
  const line = singleLineCsv(csvMb);
  console.log(`Large CSV: ${(rows.bytes / 1e6).toFixed(0)} MB of ${rows.items.toLocaleString('en')} rows; ${(line.bytes / 1e6).toFixed(0)} MB on one line (ready in ${((performance.now() - t) / 1000).toFixed(1)} s)`);
  const sliceBytes = 20e6;
  const whole = run('csv-whole', rows, sliceBytes);
  const streamed = run('csv', rows);
  const oneLine = run('csv', line);
  if (streamed[0]!.items !== rows.items) throw new Error(`readCsvStream read ${streamed[0]!.items} rows, expected ${rows.items}`);
  if (oneLine[0]!.errors !== 1) throw new Error(`the one-line CSV gave ${oneLine[0]!.errors} too-long reports, expected 1`);
  const wholeMBs = sliceBytes / 1e6 / median(whole.map((r) => r.s));
  const streamMBs = rows.bytes / 1e6 / median(streamed.map((r) => r.s));
  report('baseline: readCsv, whole text (20 MB slice)', { 'MB/s': wholeMBs, 'peak RSS MB': rss(whole) });
  report('readCsvStream, many rows', { 'MB/s': streamMBs, 'vs whole': streamMBs / wholeMBs, 'peak RSS MB': rss(streamed), limit: limitNote(rss(streamed)) });
  report('readCsvStream, one enormous line', { 'MB/s': line.bytes / 1e6 / median(oneLine.map((r) => r.s)), 'peak RSS MB': rss(oneLine), limit: limitNote(rss(oneLine)) });
}
