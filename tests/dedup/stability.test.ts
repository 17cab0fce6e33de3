import { describe, expect, it } from 'vitest';
import { aliasChanges, clustersOf, deduplicate, evaluateLinks, type DedupRecord, type DedupResult } from '../../lib/core/dedup/deduplicate.ts';
import { groups, rec } from './records.ts';
import { seededRandom as prng } from '../../lib/core/random.ts';


const SOURCES = ['garmin', 'whoop', 'strava', 'oura', 'apple_health'];
const SPORTS = ['running', 'cycling', 'swimming', 'strength_training', 'walking'];

/**
 * `n` activities, one every 3 hours, each recorded by 1-3 sources with a few
 * seconds of jitter; some copies carry the Garmin id. Returns the records and
 * the true groups of record keys.
 */
function corpus(n: number, seed = 7): { records: DedupRecord[]; truth: string[][] } {
  const rnd = prng(seed);
  const records: DedupRecord[] = [];
  const truth: string[][] = [];
  const t0 = Date.UTC(2023, 0, 1, 5);
  for (let k = 0; k < n; k++) {
    const start = t0 + k * 3 * 3600_000 + Math.floor(rnd() * 600) * 1000;
    const duration = 1200 + Math.floor(rnd() * 5400);
    const sport = SPORTS[Math.floor(rnd() * SPORTS.length)]!;
    const distance = sport === 'strength_training' ? null : Math.round(2000 + rnd() * 30_000);
    const copies = 1 + Math.floor(rnd() * 3);
    const first = Math.floor(rnd() * SOURCES.length);
    const group: string[] = [];
    for (let c = 0; c < copies; c++) {
      const source = SOURCES[(first + c) % SOURCES.length]!;
      const id = `${source}-${k}`;
      const jitter = Math.floor(rnd() * 60) * 1000;
      records.push(
        rec({
          source,
          external_id: id,
          sport: c === 2 ? 'workout' : sport,
          start: new Date(start + jitter).toISOString(),
          duration_s: duration - Math.floor(rnd() * 60),
          distance_m: distance === null ? null : Math.round(distance * (1 + (rnd() - 0.5) * 0.04)),
          avg_hr: 110 + Math.floor(rnd() * 60),
          data_quality_score: Math.round(rnd() * 100) / 100,
          external_ids: source === 'strava' && SOURCES[first] === 'garmin' ? { garmin: `garmin-${k}` } : {},
        }),
      );
      group.push(`${source}:${id}`);
    }
    truth.push(group);
  }
  return { records, truth };
}

function shuffle<T>(xs: T[], seed: number): T[] {
  const rnd = prng(seed);
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const snapshot = (r: DedupResult) => JSON.stringify({ w: r.workouts, m: r.members, s: r.stats });

describe('determinism', () => {
  const { records, truth } = corpus(150);
  const reference = deduplicate(records);

  it('finds the true groups of the synthetic corpus', () => {
    expect(reference.workouts).toHaveLength(150);
    expect(evaluateLinks(groups(reference), truth)).toMatchObject({ precision: 1, recall: 1, fp: 0, fn: 0 });
    expect(reference.stats.links.tier1).toBeGreaterThan(0);
    expect(reference.stats.links.tier2).toBeGreaterThan(0);
  });

  it('gives identical output for shuffled input', () => {
    for (const seed of [1, 2, 3, 4, 5]) expect(snapshot(deduplicate(shuffle(records, seed)))).toBe(snapshot(reference));
    expect(snapshot(deduplicate([...records].reverse()))).toBe(snapshot(reference));
  });

  it('gives identical output when run twice', () => {
    expect(snapshot(deduplicate(records))).toBe(snapshot(deduplicate(records)));
  });

  it('is a fixed point: merged workouts fed back in keep their ids and merge no further', () => {
    const base = new Map(reference.members.filter((m) => m.match_tier === null).map((m) => [m.workout_id, m]));
    const again: DedupRecord[] = reference.workouts.map((w) => {
      const m = base.get(w.workout_id)!;
      return {
        ...w,
        external_id: m.external_id,
        record_id: m.record_id,
        moving_time_s: null,
        source_sport: null,
        parent_external_id: null,
        input: null,
      };
    });
    const second = deduplicate(shuffle(again, 9));
    expect(second.workouts.map((w) => w.workout_id)).toEqual(reference.workouts.map((w) => w.workout_id));
    expect(second.workouts.map((w) => w.avg_hr)).toEqual(reference.workouts.map((w) => w.avg_hr));
  });
});

describe('aliasChanges', () => {
  const start = '2024-09-01T06:00:00Z';
  const strava = rec({ source: 'strava', external_id: 's', start, duration_s: 3600 });
  const whoop = rec({ source: 'whoop', external_id: 'w', start, duration_s: 3600 });
  const garmin = rec({ source: 'garmin', external_id: 'g', start, duration_s: 3600 });

  it('maps the old id to the new one when a higher-precedence record joins', () => {
    const before = deduplicate([strava, whoop]);
    const after = deduplicate([strava, whoop, garmin]);
    const oldId = before.workouts[0]!.workout_id;
    const newId = after.workouts[0]!.workout_id;
    expect(oldId).not.toBe(newId);
    expect(aliasChanges(clustersOf(before), clustersOf(after))).toEqual({ [oldId]: newId });
  });

  it('maps nothing when a lower-precedence record joins', () => {
    const before = deduplicate([garmin, strava]);
    const after = deduplicate([garmin, strava, whoop]);
    expect(after.workouts[0]!.workout_id).toBe(before.workouts[0]!.workout_id);
    expect(aliasChanges(clustersOf(before), clustersOf(after))).toEqual({});
  });

  it('sends a split workout to the part holding most of its records', () => {
    const previous = [{ workout_id: 'aaaaaaaaaaaaaaaa', record_ids: ['r1', 'r2', 'r3'] }, { workout_id: 'cccccccccccccccc', record_ids: ['r9'] }];
    const current = [
      { workout_id: 'bbbbbbbbbbbbbbbb', record_ids: ['r1'] },
      { workout_id: 'dddddddddddddddd', record_ids: ['r2', 'r3'] },
    ];
    expect(aliasChanges(previous, current)).toEqual({ aaaaaaaaaaaaaaaa: 'dddddddddddddddd' });
  });
});

describe('sweep cost', () => {
  it('grows linearly with the number of records at a fixed density', () => {
    const sizes = [500, 1000, 2000, 4000];
    const counts = sizes.map((n) => {
      const { records } = corpus(n, 11);
      return { records: records.length, comparisons: deduplicate(records).stats.comparisons };
    });
    const perRecord = counts.map((c) => c.comparisons / c.records);
    // Comparisons per record stay flat (all pairs would grow 8× from 500 to 4000 activities).
    for (const p of perRecord) expect(p).toBeGreaterThan(0.5);
    expect(Math.max(...perRecord) / Math.min(...perRecord)).toBeLessThan(1.25);
    const ratio = counts[3]!.comparisons / counts[0]!.comparisons;
    expect(ratio).toBeGreaterThan(6);
    expect(ratio).toBeLessThan(10);
  });
});
