/**
 * Mutations of seed inputs, from a seeded generator so every input of a run
 * can be made again from its number: byte-level damage (flips, junk, cuts,
 * repeats, splices), value-level damage in text formats (numbers and dates
 * swapped for extremes, lines dropped or repeated, deep nesting), and
 * container damage (gzip layers, zips with lying or broken headers, archives
 * inside archives, small bombs).
 */
import { gzipSync } from 'node:zlib';
import { Rng } from '../../lib/demo/random.ts';
import { member, zipOf, type RawMember } from '../helpers/zip_build.ts';
import type { Seed } from './corpus.ts';

/** One generated input: its file name, bytes and how it was made (for reports). */
export interface FuzzInput {
  name: string;
  bytes: Buffer;
  recipe: string[];
}

/** Numbers that break parsers and bounds: zero, negatives, huge, tiny, not numbers. */
const EXTREME_NUMBERS = ['0', '-1', '-0', '1e308', '-1e308', '99999999', '4294967295', '2147483648', '1e-300', 'NaN', 'Infinity', '-Infinity', '300', '0.0000001', '', '1,5', '0x10', '১২'];
/** Dates that no record may carry: not on the calendar, before 1990, far ahead, malformed. */
const EXTREME_DATES = ['2024-13-45', '2024-02-30', '1989-12-31', '1970-01-01', '0000-00-00', '2099-01-01', '9999-12-31', '2024-1-5', '24-03-01', '2024-03-01T25:61:61Z', '2024-03-01T06:00:00+99:00', '-002024-03-01'];
/** Text to insert: markup, escapes, encodings, separators. */
const JUNK_TEXT = ['<', '>', '&', '&#0;', '&bogus;', '<!DOCTYPE x [<!ENTITY a "aaaa">]>', ']]>', '"', "'", ',', ';', '\n', '\r', '\t', '\u0000', '\uFEFF', '\uFFFD', '\uD800', '{', '}', '[', ']', ':', 'null', '\\', '%s', '${x}'];

const NUMBER = /-?\d+(\.\d+)?([eE][-+]?\d+)?/g;
const DATE = /\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[-+]\d{2}:?\d{2})?)?/g;

function isText(b: Buffer): boolean {
  const n = Math.min(b.length, 512);
  for (let i = 0; i < n; i++) if (b[i] === 0) return false;
  return n > 0 && b[0] !== 0x1f && !(b[0] === 0x50 && b[1] === 0x4b);
}

/** A random match of `re` in `text` and a replacement for it. */
function replaceMatch(rng: Rng, text: string, re: RegExp, choices: readonly string[]): string | null {
  const found = [...text.matchAll(re)];
  if (!found.length) return null;
  const m = found[rng.int(0, found.length - 1)]!;
  return text.slice(0, m.index) + rng.pick(choices) + text.slice(m.index! + m[0].length);
}

type Mutator = (rng: Rng, b: Buffer, seeds: readonly Seed[]) => Buffer | null;

const at = (rng: Rng, b: Buffer) => rng.int(0, Math.max(0, b.length - 1));

/** Byte-level mutations, for any file. */
const BYTES: Record<string, Mutator> = {
  flip: (rng, b) => {
    const out = Buffer.from(b);
    for (let i = rng.int(1, 8); i > 0 && out.length; i--) out[at(rng, out)] ^= 1 << rng.int(0, 7);
    return out;
  },
  interesting: (rng, b) => {
    const out = Buffer.from(b);
    for (let i = rng.int(1, 4); i > 0 && out.length; i--) out[at(rng, out)] = rng.pick([0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe]);
    return out;
  },
  truncate: (rng, b) => b.subarray(0, rng.int(0, b.length)),
  cut: (rng, b) => {
    const from = at(rng, b);
    return Buffer.concat([b.subarray(0, from), b.subarray(Math.min(b.length, from + rng.int(1, 4096)))]);
  },
  repeat: (rng, b) => {
    const from = at(rng, b);
    const chunk = b.subarray(from, Math.min(b.length, from + rng.int(1, 2048)));
    return Buffer.concat([b.subarray(0, from), ...Array.from({ length: rng.int(2, 50) }, () => chunk), b.subarray(from)]);
  },
  junk: (rng, b) => {
    const from = at(rng, b);
    const junk = Buffer.from(Array.from({ length: rng.int(1, 256) }, () => rng.int(0, 255)));
    return Buffer.concat([b.subarray(0, from), junk, b.subarray(from)]);
  },
  splice: (rng, b, seeds) => {
    const other = rng.pick(seeds).bytes;
    return Buffer.concat([b.subarray(0, at(rng, b)), other.subarray(at(rng, other))]);
  },
  empty: () => Buffer.alloc(0),
};

/** Value-level mutations of text formats (XML, CSV, JSON). */
const TEXT: Record<string, (rng: Rng, t: string) => string | null> = {
  number: (rng, t) => replaceMatch(rng, t, NUMBER, EXTREME_NUMBERS),
  numbers: (rng, t) => {
    let out: string | null = t;
    for (let i = rng.int(2, 20); i > 0 && out; i--) out = replaceMatch(rng, out, NUMBER, EXTREME_NUMBERS) ?? out;
    return out;
  },
  date: (rng, t) => replaceMatch(rng, t, DATE, EXTREME_DATES),
  junkText: (rng, t) => {
    const i = rng.int(0, t.length);
    return t.slice(0, i) + rng.pick(JUNK_TEXT) + t.slice(i);
  },
  dropLine: (rng, t) => {
    const lines = t.split('\n');
    lines.splice(rng.int(0, lines.length - 1), rng.int(1, 5));
    return lines.join('\n');
  },
  repeatLine: (rng, t) => {
    const lines = t.split('\n');
    const i = rng.int(0, lines.length - 1);
    lines.splice(i, 0, ...Array.from({ length: rng.int(2, 500) }, () => lines[i]!));
    return lines.join('\n');
  },
  swapLines: (rng, t) => {
    const lines = t.split('\n');
    const i = rng.int(0, lines.length - 1);
    const j = rng.int(0, lines.length - 1);
    [lines[i], lines[j]] = [lines[j]!, lines[i]!];
    return lines.join('\n');
  },
  nest: (rng, t) => {
    // Deep nesting where the format nests: elements in XML, arrays in JSON.
    const depth = rng.int(100, 50_000);
    const i = rng.int(0, t.length);
    const [open, close] = t.trimStart().startsWith('<') ? ['<a>', '</a>'] : ['[', ']'];
    return t.slice(0, i) + open.repeat(depth) + (rng.chance(0.5) ? close.repeat(depth) : '') + t.slice(i);
  },
};

/** Containers around an input: gzip layers, zips (with a good sibling, damaged headers, nesting), small bombs. */
const CONTAINERS: Record<string, (rng: Rng, name: string, b: Buffer, seeds: readonly Seed[]) => FuzzInput> = {
  gzip: (_rng, name, b) => ({ name: `${name}.gz`, bytes: gzipSync(b), recipe: [] }),
  gzipTwice: (_rng, name, b) => ({ name: `${name}.gz`, bytes: gzipSync(gzipSync(b)), recipe: [] }),
  zip: (rng, name, b, seeds) => {
    const sibling = rng.pick(seeds);
    return { name: 'archive.zip', bytes: zipOf([member(name, b, rng.chance(0.3)), member(sibling.name, sibling.bytes)]), recipe: [`sibling ${sibling.name}`] };
  },
  zipDamaged: (rng, name, b) => {
    const z = Buffer.from(zipOf([member(name, b), member(`copy-${name}`, b, true)]));
    // Damage the structure: the central directory, a local header, or a stated size.
    const cd = z.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    const spots = [cd + rng.int(0, 45), rng.int(0, 29), cd + 20 + rng.int(0, 7), z.length - rng.int(1, 22)];
    for (let i = rng.int(1, 3); i > 0; i--) {
      const p = rng.pick(spots);
      if (p >= 0 && p < z.length) z[p] = rng.int(0, 255);
    }
    return { name: 'damaged.zip', bytes: z, recipe: [] };
  },
  zipTruncated: (rng, name, b) => {
    const z = zipOf([member(name, b), member(`second-${name}`, b)]);
    return { name: 'cut.zip', bytes: z.subarray(0, rng.int(30, z.length - 1)), recipe: [] };
  },
  zipNested: (rng, name, b) => {
    let bytes = zipOf([member(name, b)]);
    const depth = rng.int(2, 8);
    for (let i = 1; i < depth; i++) bytes = zipOf([member(`level-${depth - i}.zip`, bytes, rng.chance(0.5))]);
    return { name: 'nested.zip', bytes, recipe: [`depth ${depth}`] };
  },
  zipLying: (rng, name, b) => {
    const m: RawMember = { ...member(name, b), size: rng.pick([0, 1, 100, b.length * 1000, 0xffffffff]) };
    return { name: 'lying.zip', bytes: zipOf([m]), recipe: [`states ${m.size}`] };
  },
  bomb: (rng, name) => {
    // A small bomb: a few KB that inflate to up to 16 MB of one repeated byte.
    const mb = rng.int(1, 16);
    return { name: `${name}.gz`, bytes: gzipSync(Buffer.alloc(mb * 1024 * 1024, rng.pick([0, 0x20, 0x3c]))), recipe: [`${mb} MB`] };
  },
};

/** Input number `index` of a run with `seed`: always the same bytes for the same pair. */
export function fuzzInput(seeds: readonly Seed[], seed: number, index: number): FuzzInput {
  const rng = new Rng((seed * 1_000_003 + index * 7919) >>> 0);
  const base = seeds[rng.int(0, seeds.length - 1)]!;
  let bytes: Buffer = base.bytes;
  const recipe = [base.name];
  for (let i = rng.int(1, 4); i > 0; i--) {
    const text = isText(bytes) && rng.chance(0.6);
    if (text) {
      const name = rng.pick(Object.keys(TEXT));
      const out = TEXT[name]!(rng, bytes.toString('utf8'));
      if (out !== null) {
        bytes = Buffer.from(out);
        recipe.push(name);
      }
    } else {
      const name = rng.pick(Object.keys(BYTES));
      const out = BYTES[name]!(rng, bytes, seeds);
      if (out !== null) {
        bytes = out;
        recipe.push(name);
      }
    }
  }
  if (rng.chance(0.25)) {
    const kind = rng.chance(0.02) ? 'bomb' : rng.pick(Object.keys(CONTAINERS).filter((k) => k !== 'bomb'));
    const c = CONTAINERS[kind]!(rng, base.name, bytes, seeds);
    return { name: c.name, bytes: c.bytes, recipe: [...recipe, kind, ...c.recipe] };
  }
  return { name: base.name, bytes, recipe };
}
