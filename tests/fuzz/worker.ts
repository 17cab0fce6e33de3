/**
 * The fuzzer's working process (started by supervise.ts): imports batches of
 * generated inputs into a scratch warehouse with the real importer, and
 * reports on stdout, one JSON line per event: each input's time, each
 * batch's counts, and any stored value the gate would flag. A crash or a hang
 * here is seen by the supervisor, which holds the batch's files.
 *
 * Arguments: SEED FROM COUNT BATCH DIR (inputs FROM .. FROM+COUNT-1).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Warehouse } from '../../lib/core/warehouse.ts';
import { importPaths } from '../../lib/ingest/importer.ts';
import { buildCorpus } from './corpus.ts';
import { fuzzInput } from './mutate.ts';
import { storedOutsideGate } from './gate_oracle.ts';

/** A fresh warehouse after this many inputs keeps each one small. */
const ROTATE_EVERY = 2000;

const say = (event: Record<string, unknown>) => process.stdout.write(JSON.stringify(event) + '\n');

async function main(): Promise<void> {
  const [seed, from, count, batch, dir] = process.argv.slice(2);
  const [s, first, n, size] = [Number(seed), Number(from), Number(count), Number(batch)];
  const seeds = await buildCorpus();
  say({ type: 'ready', seeds: seeds.length });
  let wh: Warehouse | undefined;
  let whFrom = -1;
  try {
    for (let start = first; start < first + n; start += size) {
      const end = Math.min(first + n, start + size);
      if (!wh || start - whFrom >= ROTATE_EVERY) {
        wh?.close();
        rmSync(join(dir!, 'warehouse'), { recursive: true, force: true });
        mkdirSync(join(dir!, 'warehouse'), { recursive: true });
        wh = await Warehouse.open(join(dir!, 'warehouse', 'fuzz.duckdb'));
        whFrom = start;
      }
      const folder = join(dir!, `batch-${start}`);
      mkdirSync(folder, { recursive: true });
      const kinds: Record<string, number> = {};
      for (let i = start; i < end; i++) {
        const input = fuzzInput(seeds, s, i);
        writeFileSync(join(folder, `${String(i).padStart(7, '0')}-${input.name}`), input.bytes);
        const kind = input.recipe.slice(1).find((r) => /^(gzip|gzipTwice|zip|zipDamaged|zipTruncated|zipNested|zipLying|bomb)$/.test(r)) ?? 'file';
        kinds[kind] = (kinds[kind] ?? 0) + 1;
      }
      say({ type: 'batch', from: start, to: end, folder });
      const since = new Date(Date.now() - 1000);
      let last = performance.now();
      let slowest = { ms: 0, name: '' };
      const summary = await importPaths(wh, [folder], {
        athleteId: 'fuzz',
        onProgress: (_done, _total, name) => {
          const now = performance.now();
          if (now - last > slowest.ms) slowest = { ms: Math.round(now - last), name };
          last = now;
          say({ type: 'progress' });
        },
      });
      const outside = await storedOutsideGate(wh, since);
      say({ type: 'done', from: start, to: end, kinds, summary, slowest, outside: outside.slice(0, 20), outsideCount: outside.length, rss: process.memoryUsage().rss });
      if (outside.length === 0) rmSync(folder, { recursive: true, force: true });
    }
  } finally {
    wh?.close();
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    say({ type: 'crash', message: err.message, stack: err.stack });
    process.exit(1);
  },
);
