/**
 * Benchmark runner (`npm run bench`, `make bench`). Quick sizes by default;
 * BENCH_FULL=1 for the sizes of the issues (3,000 FIT activities, 11.7 M points, a 1 GB
 * Apple Health export, 100,000 workouts to deduplicate, the runners' cohort protocol at five
 * repeats, a 470 MB GPX and a 200 MB CSV). BENCH_ONLY=fit,xml,apple,dedup,learners,large picks benchmarks. Corpora are
 * generated deterministically into the temp folder.
 */
import { availableParallelism } from 'node:os';
import { benchFit } from './fit_import.ts';
import { benchXml } from './xml_import.ts';
import { benchApple } from './apple_import.ts';
import { benchDedup } from './dedup_bench.ts';
import { benchSquad } from './squad_bench.ts';
import { benchLarge } from './large_files.ts';
import { benchLearners } from './learners.ts';
import { FULL, RUNS } from './measure.ts';

const BENCHES: Record<string, () => Promise<void>> = {
  fit: benchFit,
  xml: benchXml,
  apple: benchApple,
  dedup: benchDedup,
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
for (const [name, run] of Object.entries(BENCHES)) {
  if (only && !only.includes(name)) continue;
  await run();
}
