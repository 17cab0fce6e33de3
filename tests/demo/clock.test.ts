import { describe, expect, it } from 'vitest';
import { localIso, localWall, zurichOffsetMin, zurichWallToUtc } from '../../lib/demo/clock.ts';
import { Rng } from '../../lib/demo/random.ts';

describe('Zurich offsets by the EU rule', () => {
  it('switches at 01:00 UTC on the last Sundays of March and October', () => {
    expect(zurichOffsetMin(Date.UTC(2026, 2, 29, 0, 59))).toBe(60);
    expect(zurichOffsetMin(Date.UTC(2026, 2, 29, 1, 0))).toBe(120);
    expect(zurichOffsetMin(Date.UTC(2025, 9, 26, 0, 59))).toBe(120);
    expect(zurichOffsetMin(Date.UTC(2025, 9, 26, 1, 0))).toBe(60);
    expect(zurichOffsetMin(Date.UTC(2025, 6, 1))).toBe(120);
    expect(zurichOffsetMin(Date.UTC(2025, 11, 1))).toBe(60);
  });

  it('converts wall clock to UTC and back', () => {
    const utc = zurichWallToUtc(Date.UTC(2025, 6, 1, 7, 30));
    expect(new Date(utc).toISOString()).toBe('2025-07-01T05:30:00.000Z');
    expect(localIso(utc, 120)).toBe('2025-07-01T07:30:00+02:00');
    expect(localWall(utc, 600)).toBe('2025-07-01 15:30:00');
  });
});

describe('Rng', () => {
  it('repeats its sequence for a seed and forks independent streams', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(new Rng(42).fork('x').next()).toBe(new Rng(42).fork('x').next());
    expect(new Rng(42).fork('x').next()).not.toBe(new Rng(42).fork('y').next());
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });
});
