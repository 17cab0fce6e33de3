/**
 * Incremental work benchmark: a warehouse of 100,000 source workouts
 * (synthetic, four sources, deduplicated and analysed), then a day of new data
 * (5 records) stored, deduplicated and analysed incrementally, against the
 * full path (rebuildCanonical and a full analysis) for the same day, in the
 * same run. Also the full rebuild of the 100,000 itself: over unchanged
 * canonical tables (`athlete dedup --full`) and into empty ones.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAnalysis } from '../../lib/analysis/run.ts';
import { deduplicate } from '../../lib/core/dedup/deduplicate.ts';
import { loadDedupRecords, rebuildCanonical, updateCanonical } from '../../lib/core/dedup/rebuild.ts';
import { emptyResult, type SourceWorkoutInput } from '../../lib/core/models.ts';
import { Warehouse } from '../../lib/core/warehouse.ts';
import { storeResult } from '../../lib/ingest/store.ts';
import { syntheticWorkouts } from './dedup_bench.ts';
import { fmt, median, report, RUNS } from './measure.ts';

const SETTINGS = { sex: 'male' as const };

async function store(wh: Warehouse, workouts: SourceWorkoutInput[]): Promise<void> {
  for (let i = 0; i < workouts.length; i += 20_000) {
    const batch = emptyResult();
    batch.workouts = workouts.slice(i, i + 20_000);
    const s = await storeResult(wh, batch, { athleteId: 'me' });
    if (s.invalid > 0) throw new Error(`${s.invalid} synthetic workouts failed validation`);
  }
}

/** Seconds `fn` takes, measured RUNS times on a fresh copy of `base` each; the median and the last value. */
async function onCopies<T>(base: string, fn: (wh: Warehouse) => Promise<T>): Promise<{ s: number; value: T }> {
  const times: number[] = [];
  let value!: T;
  for (let i = 0; i < RUNS; i++) {
    const copy = `${base}.copy.duckdb`;
    copyFileSync(base, copy);
    const wh = await Warehouse.open(copy);
    try {
      const t = performance.now();
      value = await fn(wh);
      times.push((performance.now() - t) / 1000);
    } finally {
      wh.close();
      rmSync(copy, { force: true });
    }
  }
  return { s: median(times), value };
}

/** Run the incremental benchmark and print its figures. */
export async function benchIncremental(): Promise<void> {
  const n = Number(process.env.BENCH_INCREMENTAL_SIZE ?? 100_000);
  const dayRecords = 5;
  const all = syntheticWorkouts(n + dayRecords);
  const history = all.slice(0, n);
  const day = all.slice(n);
  console.log(`Incremental: ${fmt(n)} source workouts deduplicated and analysed, then a day of ${day.length} new records`);
  const dir = mkdtempSync(join(tmpdir(), 'app-bench-incremental-'));
  try {
    const base = join(dir, 'base.duckdb');
    const wh = await Warehouse.open(base);
    await store(wh, history);
    await rebuildCanonical(wh);
    await runAnalysis(wh, SETTINGS);
    await wh.checkpoint();
    wh.close();
    if (!existsSync(base)) throw new Error('the base warehouse was not written');

    const full = await onCopies(base, async (w) => {
      await store(w, day);
      const r = await rebuildCanonical(w);
      await runAnalysis(w, SETTINGS);
      return r.workouts;
    });
    const inc = await onCopies(base, async (w) => {
      await store(w, day);
      const r = await updateCanonical(w);
      await runAnalysis(w, SETTINGS, {}, { incremental: true });
      return r;
    });
    if (inc.value.workouts !== full.value) throw new Error(`incremental gave ${inc.value.workouts} workouts, the full path ${full.value}`);
    report('baseline: day stored, full rebuild + full analysis', { s: full.s });
    report(`a day stored, deduplicated, analysed (${inc.value.scope} records looked at)`, {
      s: inc.s,
      'x faster': full.s / inc.s,
      'goal < 1 s': inc.s < 1 ? 'ok' : 'MISSED',
    });

    const again = await onCopies(base, (w) => rebuildCanonical(w));
    report(`full rebuild of ${fmt(n)}, canonical tables unchanged`, { s: again.s, 'goal < 1 s': again.s < 1 ? 'ok' : 'MISSED' });
    const empty = await onCopies(base, async (w) => {
      await w.run('DELETE FROM workouts');
      await w.run('DELETE FROM workout_sources');
      const t = performance.now();
      await rebuildCanonical(w);
      return (performance.now() - t) / 1000;
    });
    report(`full rebuild of ${fmt(n)} into empty canonical tables`, { s: empty.value, 'goal < 1 s': empty.value < 1 ? 'ok' : 'MISSED' });

    // Where a rebuild's time goes: reading the source rows (with their routes) and the engine, each alone;
    // the rest of a rebuild is writing (staging, comparing, inserting, committing).
    const read: number[] = [];
    const engine: number[] = [];
    const reader = await Warehouse.open(base, { readOnly: true });
    try {
      for (let i = 0; i < RUNS; i++) {
        let t = performance.now();
        const records = await loadDedupRecords(reader);
        read.push((performance.now() - t) / 1000);
        t = performance.now();
        deduplicate(records);
        engine.push((performance.now() - t) / 1000);
      }
    } finally {
      reader.close();
    }
    const [r, e] = [median(read), median(engine)];
    report('  of which: reading the source rows', { s: r });
    report('  of which: the dedup engine', { s: e });
    report('  the rest, writing: tables unchanged / empty', { s: `${fmt(again.s - r - e)} / ${fmt(empty.value - r - e)}` });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
