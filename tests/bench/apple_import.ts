/**
 * Apple Health export.xml: import throughput (MB/s, and as a ratio to bare
 * saxes in the same process) and peak RSS, each run in its own process.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { appleExport } from './apple_corpus.ts';
import { FULL, median, report, RUNS } from './measure.ts';

/** Peak RSS the issue allows for a 1 GB export, MB. */
const RSS_LIMIT_MB = 400;

/** Run the Apple Health benchmark and print its figures. */
export async function benchApple(): Promise<void> {
  const mb = Number(process.env.BENCH_APPLE_MB ?? (FULL ? 1024 : 100));
  const t = performance.now();
  const xml = appleExport(mb);
  console.log(`Apple Health: export.xml ${(xml.bytes / 1e6).toFixed(0)} MB, ${xml.days} days (ready in ${((performance.now() - t) / 1000).toFixed(1)} s)`);
  const child = fileURLToPath(new URL('./apple_child.ts', import.meta.url));
  const runs: { baselineMBs: number; s: number; againS: number; againUnchanged: number; workouts: number; biometrics: number; maxRssMb: number }[] = [];
  for (let i = 0; i < RUNS; i++) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', child, xml.path], { encoding: 'utf8', maxBuffer: 1 << 20 });
    runs.push(JSON.parse(out.trim().split('\n').pop()!));
  }
  const last = runs[runs.length - 1]!;
  if (last.workouts !== xml.workouts) throw new Error(`imported ${last.workouts} workouts, expected ${xml.workouts}`);
  const s = median(runs.map((r) => r.s));
  const rss = Math.max(...runs.map((r) => r.maxRssMb));
  const baseline = median(runs.map((r) => r.baselineMBs));
  report('baseline: bare saxes (first 100 MB at most)', { 'MB/s': baseline });
  report('importPaths(export.xml) -> DuckDB', {
    'MB/s': xml.bytes / 1e6 / s,
    ratio: xml.bytes / 1e6 / s / baseline,
    s,
    'peak RSS MB': rss,
    limit: `${RSS_LIMIT_MB} MB ${rss < RSS_LIMIT_MB ? 'ok' : 'EXCEEDED'}`,
    workouts: last.workouts,
    readings: last.biometrics,
  });
  const again = median(runs.map((r) => r.againS));
  report('importPaths(export.xml) again, unchanged', { s: again, 'ratio to the first import': again / s, 'skipped unread': last.againUnchanged === 1 ? 'yes' : 'NO' });
}
