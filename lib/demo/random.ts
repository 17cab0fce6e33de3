/**
 * Seeded pseudo-random numbers for the demo athlete: the same seed always
 * gives the same sequence, so generated files are byte-identical.
 */
import { seededRandom } from '../core/random.ts';

/** A seeded generator (mulberry32) with the draws the simulation needs. */
export class Rng {
  private readonly draw: () => number;
  private readonly origin: number;

  constructor(seed: number) {
    this.origin = seed >>> 0;
    this.draw = seededRandom(this.origin);
  }

  /** A uniform number in [0, 1). */
  next(): number {
    return this.draw();
  }

  /** A uniform number in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** A uniform integer in [lo, hi] (both included). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A normal draw (Box–Muller). */
  normal(mean = 0, sd = 1): number {
    const u = 1 - this.next();
    const v = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** A new generator whose sequence depends on this generator's seed and a label, not on how many draws were made. */
  fork(label: string | number): Rng {
    return new Rng(hashSeed(`${this.origin}:${label}`));
  }

  /** A generator for one labelled stream of a seed (per workout, per source). */
  static from(seed: number, label: string | number): Rng {
    return new Rng(hashSeed(`${seed >>> 0}:${label}`));
  }
}

/** A 32-bit FNV-1a hash of a string, used to derive seeds from labels. */
export function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
