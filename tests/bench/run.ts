/**
 * Benchmark runner (`npm run bench`, `make bench`). Quick sizes by default;
 * BENCH_FULL=1 for the sizes of the issues (3,000 FIT activities, 11.7 M points, a 1 GB
 * Apple Health export, 100,000 workouts to deduplicate, the runners' cohort protocol at five
 * repeats, a 470 MB GPX and a 200 MB CSV). BENCH_ONLY=cli,fit,xml,apple,dedup,incremental,learners,large picks
 * benchmarks. Corpora are generated deterministically into the temp folder. The command's start-up (cli)
 * and the incremental goals (a day into 100,000 workouts, their full rebuild) run at full size always.
 */
import { availableParallelism, loadavg } from 'node:os';
import { benchCli } from './cli_bench.ts';
import { benchFit } from './fit_import.ts';
import { benchXml } from './xml_import.ts';
import { benchApple } from './apple_import.ts';
import { benchDedup } from './dedup_bench.ts';
import { benchIncremental } from './incremental_bench.ts';
import { benchSquad } from './squad_bench.ts';
import { benchLarge } from './large_files.ts';
import { benchLearners } from './learners.ts';
import { FULL, RUNS } from './measure.ts';

const BENCHES: Record<string, () => Promise<void>> = {
  cli: benchCli,
  fit: benchFit,
  xml: benchXml,
  apple: benchApple,
  dedup: benchDedup,
  incremental: benchIncremental,
  squad: benchSquad,
  learners: benchLearners,
  large: benchLarge,
};

const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
const unknown = only?.filter((n) => !(n in BENCHES)) ?? [];
if (unknown.length > 0) {
  console.error(`BENCH_ONLY: unknown benchmark ${unknown.join(', ')} (known: ${Object.keys(BENCHES).join(', ')})`);
  process.exit(2);
}
console.log(`benchmarks (${FULL ? 'full' : 'quick'} sizes; medians of ${RUNS} runs; ${availableParallelism()} cores; Node ${process.version})`);
// Figures from a busy machine are not comparable: say how busy it was.
console.log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(', ')} (1, 5, 15 min)`);
for (const [name, run] of Object.entries(BENCHES)) {
  if (only && !only.includes(name)) continue;
  await run();
}
