/**
 * Deduplication benchmark: synthetic workouts from four sources stored in a
 * warehouse, then rebuildCanonical (read source rows, deduplicate, write the
 * canonical tables back) timed at three sizes, with the growth exponent. Two
 * cases: canonical tables empty (every row written) and a repeated rebuild
 * over unchanged sources (rows compared, none rewritten).
 */
import { rebuildCanonical, loadDedupRecords } from '../../lib/core/dedup/rebuild.ts';
import { deduplicate } from '../../lib/core/dedup/deduplicate.ts';
import { storeResult } from '../../lib/ingest/store.ts';
import { emptyResult, type SourceWorkoutInput } from '../../lib/core/models.ts';
import type { Warehouse } from '../../lib/core/warehouse.ts';
import { seededRandom as rng } from '../../lib/core/random.ts';
import { FULL, fmt, report, timed, timedSelf, withWarehouse } from './measure.ts';

const SOURCES = ['garmin', 'strava', 'whoop', 'oura'] as const;
const SPORTS = ['running', 'cycling', 'swimming', 'strength_training', 'walking'] as const;
const CATEGORY: Record<string, 'ENDURANCE' | 'STRENGTH'> = { strength_training: 'STRENGTH' };

/**
 * `n` source workouts: activities recorded by 1-4 sources each, with jittered
 * starts (up to 90 s), durations and distances (up to 3 %); Strava copies of
 * Garmin activities carry the Garmin id (tier 1), the rest match on time (tier 2).
 */
export function syntheticWorkouts(n: number): SourceWorkoutInput[] {
  const r = rng(7);
  const out: SourceWorkoutInput[] = [];
  // 100 k records span about 27 years: all in the past, as the plausibility gate wants.
  let t = Date.UTC(1995, 0, 1, 6);
  for (let a = 0; out.length < n; a++) {
    t += (2 + Math.floor(r() * 9)) * 3_600_000;
    const sport = SPORTS[a % SPORTS.length]!;
    const duration = 1200 + Math.floor(r() * 6000);
    const distance = sport === 'strength_training' ? null : duration * (sport === 'cycling' ? 7 : 2.8);
    const copies = 1 + Math.floor(r() * 4);
    const first = Math.floor(r() * SOURCES.length);
    for (let c = 0; c < copies && out.length < n; c++) {
      const source = SOURCES[(first + c) % SOURCES.length]!;
      const jitter = c === 0 ? 0 : Math.round((r() - 0.5) * 180);
      const start = t + jitter * 1000;
      const dur = duration * (1 + (r() - 0.5) * 0.02);
      const externalIds: Record<string, string> = { [source]: `${source}-${a}` };
      if (source === 'strava' && c > 0 && SOURCES[first] === 'garmin') externalIds.garmin = `garmin-${a}`;
      out.push({
        athlete_id: 'me',
        source,
        external_id: `${source}-${a}`,
        start_time: new Date(start),
        end_time: new Date(start + dur * 1000),
        duration_s: dur,
        utc_offset_min: 60,
        sport,
        sport_category: CATEGORY[sport] ?? 'ENDURANCE',
        distance_m: distance === null ? null : distance * (1 + (r() - 0.5) * 0.06),
        avg_hr: 120 + Math.floor(r() * 40),
        calories_kcal: Math.round(dur / 6),
        external_ids: externalIds,
        // Garmin's come from files, one per activity, as imports give them; the others from an API.
        input: source === 'garmin' ? `garmin/activity-${a}.fit` : `${source}.json`,
      });
    }
  }
  return out;
}

async function load(wh: Warehouse, workouts: SourceWorkoutInput[]): Promise<void> {
  for (let i = 0; i < workouts.length; i += 20_000) {
    const batch = emptyResult();
    batch.workouts = workouts.slice(i, i + 20_000);
    const s = await storeResult(wh, batch, { athleteId: 'me' });
    if (s.invalid > 0) throw new Error(`${s.invalid} synthetic workouts failed validation`);
  }
}

/** Run the dedup benchmark and print its figures. */
export async function benchDedup(): Promise<void> {
  const sizes = (process.env.BENCH_DEDUP_SIZES ?? (FULL ? '10000,30000,100000' : '3000,10000,30000')).split(',').map(Number);
  console.log(`Dedup: rebuildCanonical over ${sizes.map((n) => n.toLocaleString('en')).join(' / ')} source workouts from ${SOURCES.length} sources`);
  const times: number[] = [];
  for (const n of sizes) {
    const workouts = syntheticWorkouts(n);
    await withWarehouse(async (wh) => {
      await load(wh, workouts);
      const records = await loadDedupRecords(wh);
      const mem = await timed(() => deduplicate(records));
      const cold = await timedSelf(async () => {
        await wh.run('DELETE FROM workouts');
        await wh.run('DELETE FROM workout_sources');
        await wh.run('DELETE FROM workout_aliases');
        const t = performance.now();
        const summary = await rebuildCanonical(wh);
        if (summary.sourceRecords !== n) throw new Error(`rebuild read ${summary.sourceRecords} records, expected ${n}`);
        return (performance.now() - t) / 1000;
      });
      const again = await timedSelf(async () => {
        const t = performance.now();
        await rebuildCanonical(wh);
        return (performance.now() - t) / 1000;
      });
      const merged = mem.value.workouts.length;
      times.push(cold);
      report(`${fmt(n)} workouts -> ${fmt(merged)} merged`, {
        'rebuildCanonical (empty tables) s': cold,
        'again (unchanged) s': again,
        'deduplicate() alone s': mem.s,
        'goal (100k) < 1 s': n >= 100_000 ? (cold < 1 ? 'ok' : 'MISSED') : '-',
      });
    });
  }
  // Least-squares slope of log(time) against log(size).
  const xs = sizes.map(Math.log);
  const ys = times.map(Math.log);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const slope = xs.reduce((acc, x, i) => acc + (x - mx) * (ys[i]! - my), 0) / xs.reduce((acc, x) => acc + (x - mx) ** 2, 0);
  report('growth exponent, empty tables (time ~ n^k)', { k: slope });
}
