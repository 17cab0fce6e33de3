/**
 * Squad benchmark: a synthetic squad stored through the import path
 * (storeResult: validation, bulk load of streams), deduplicated and analysed,
 * written as the Parquet lake (and again, unchanged), read back, and the
 * squad report printed; then the typical queries of a coach's analysis, each
 * timed on the open warehouse (median of 5 after a first, cold run).
 * BENCH_FULL=1: 50 athletes × 10 years (≈ 250 k workouts) with 4,000 samples
 * a workout (≈ 1 billion samples); quick: 10 athletes × 2 years with 400.
 * SQUAD_ATHLETES, SQUAD_YEARS and SQUAD_SAMPLES override the sizes.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAnalysis } from '../../lib/analysis/run.ts';
import { saveAthlete } from '../../lib/core/athletes.ts';
import { rebuildCanonical } from '../../lib/core/dedup/rebuild.ts';
import { Warehouse } from '../../lib/core/warehouse.ts';
import { storeResult } from '../../lib/ingest/store.ts';
import { exportLake } from '../../lib/lake/export.ts';
import { importLake } from '../../lib/lake/import.ts';
import { buildSquadReport } from '../../lib/report/squad.ts';
import { SQUAD_STATUS_SQL } from '../../lib/report/squad_data.ts';
import { FULL, fmt, median, report } from './measure.ts';
import { athleteBatches, squadAthleteId, type SquadSize } from './squad_corpus.ts';

/** Bytes of a file or everything under a folder. */
function bytesOf(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((s, f) => s + bytesOf(join(path, f)), 0);
}

function gb(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

async function seconds<T>(fn: () => Promise<T>): Promise<{ s: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { s: (performance.now() - t) / 1000, value };
}

/** A query's first (cold) time and the median of five more, in ms. */
async function queryMs(wh: Warehouse, sql: string, params: unknown[] = []): Promise<{ cold: number; warm: number; rows: number }> {
  const t0 = performance.now();
  const rows = (await wh.all(sql, params)).length;
  const cold = performance.now() - t0;
  const warm: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await wh.all(sql, params);
    warm.push(performance.now() - t);
  }
  return { cold, warm: median(warm), rows };
}

/** The typical queries: weekly load per athlete, one athlete's ACWR over the whole history, the squad's latest status. */
const QUERIES: [label: string, sql: string, params: unknown[]][] = [
  ['weekly load per athlete', "SELECT athlete_id, date_trunc('week', local_date) AS week, sum(load) AS load, count(*) AS sessions FROM workout_loads GROUP BY ALL", []],
  ['ACWR of one athlete, whole history', 'SELECT date, acwr_ewma, acwr_band FROM daily_metrics WHERE athlete_id = ? ORDER BY date', [squadAthleteId(0)]],
  ["the squad's latest status", SQUAD_STATUS_SQL, []],
];

/** Run the squad benchmark and print its figures. */
export async function benchSquad(): Promise<void> {
  const size: SquadSize = {
    athletes: Number(process.env.SQUAD_ATHLETES ?? (FULL ? 50 : 10)),
    years: Number(process.env.SQUAD_YEARS ?? (FULL ? 10 : 2)),
    samplesPerWorkout: Number(process.env.SQUAD_SAMPLES ?? (FULL ? 4000 : 400)),
  };
  console.log(`Squad: ${size.athletes} athletes × ${size.years} years, ${size.samplesPerWorkout} stream samples per workout (1 Hz)`);
  const dir = mkdtempSync(join(tmpdir(), 'app-bench-squad-'));
  const db = join(dir, 'squad.duckdb');
  let wh = await Warehouse.open(db);
  try {
    for (let i = 0; i < size.athletes; i++) {
      await saveAthlete(wh, { athlete_id: squadAthleteId(i), display_name: `Athlete ${i + 1}`, sex: i % 2 ? 'female' : 'male', max_hr: 185 + (i % 15), home_time_zone: 'Europe/Zurich' });
    }
    let records = 0;
    let samples = 0;
    const imp = await seconds(async () => {
      for (let i = 0; i < size.athletes; i++) {
        for (const batch of athleteBatches(i, size)) {
          const s = await storeResult(wh, batch, { athleteId: squadAthleteId(i) });
          if (s.invalid > 0) throw new Error(`${s.invalid} synthetic records failed validation`);
          records += batch.workouts.length;
          samples += s.points;
        }
      }
      await wh.checkpoint();
    });
    report('import (storeResult, streams bulk-loaded)', { 's': imp.s, 'source workouts': records, samples, 'samples/s': samples / imp.s });

    const dedup = await seconds(() => rebuildCanonical(wh, { homeTimeZone: 'Europe/Zurich' }));
    report('dedup (rebuildCanonical)', { s: dedup.s, workouts: dedup.value.workouts, merged: dedup.value.merged });
    const analysis = await seconds(() => runAnalysis(wh, { sex: 'male' }));
    report('analysis (runAnalysis, every athlete)', { s: analysis.s, 'athlete-days': analysis.value.days });
    // No model is trained here: one stored prediction per athlete stands in for `athlete predict`.
    await wh.run(
      `INSERT INTO predictions (athlete_id, date, horizon_days, risk, model, top_features, computed_at)
       SELECT athlete_id, max(date), 7, 0.02 + (hash(athlete_id) % 30) / 100.0, 'athlete', '[]', now()::TIMESTAMP FROM daily_metrics GROUP BY athlete_id`,
    );
    await wh.checkpoint();
    wh.close();
    report('warehouse file', { size: gb(bytesOf(db)), 'bytes/sample': bytesOf(db) / Math.max(1, samples) });
    wh = await Warehouse.open(db, { readOnly: true });

    for (const [label, sql, params] of QUERIES) {
      const q = await queryMs(wh, sql, params);
      report(label, { 'first ms': q.cold, 'median ms': q.warm, rows: q.rows, 'goal < 100 ms': q.warm < 100 ? 'ok' : 'MISSED' });
    }

    const lake = join(dir, 'lake');
    const first = await seconds(() => exportLake(wh, lake));
    report('lake export (every partition)', { s: first.s, partitions: first.value.written, files: first.value.files, size: gb(first.value.bytes) });
    const again = await seconds(() => exportLake(wh, lake));
    report('lake export again (nothing changed)', { s: again.s, 'rewritten': again.value.written });

    const pdf = join(dir, 'squad.pdf');
    const squad = await seconds(() => buildSquadReport(wh, { outPdf: pdf }));
    report('squad report (data, HTML, PDF)', { s: squad.s, athletes: squad.value.athletes, pages: squad.value.pages });
    wh.close();

    const copy = await Warehouse.open(join(dir, 'from-lake.duckdb'));
    try {
      const back = await seconds(() => importLake(copy, lake));
      report('lake read back (import --lake)', { s: back.s, samples: fmt(back.value.rows.stream_points ?? 0) });
    } finally {
      copy.close();
    }
    wh = await Warehouse.open(db, { readOnly: true });
  } finally {
    wh.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
