/**
 * Bounded cost for compressed input: a gzip bomb, a zip bomb and a zip nested
 * 10,000 deep each stop at a limit with a row naming the file, the files
 * beside them are imported, and the limits are settings validated like the
 * others. The defaults let a real multi-gigabyte export through.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Warehouse } from '../../lib/core/warehouse.ts';
import { AppConfig, ConfigError, loadConfig } from '../../lib/core/config.ts';
import { importPaths, type ImportSummary } from '../../lib/ingest/importer.ts';
import { DEFAULT_LIMITS, ExpansionBudget, limitsFromConfig, RATIO_FREE_BYTES, type InputLimits } from '../../lib/ingest/limits.ts';
import { deepZip, gzipBomb, member, zipBomb, zipOf } from '../helpers/zip_build.ts';
import { fixturePath } from '../helpers/shared.ts';

const FIT = 'fit/fitparse/garmin-fenix-5-run.fit';
const MB = 1024 ** 2;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'limits-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Row {
  input: string;
  reason: string;
}

/** Import a folder holding `files` and the run FIT; the rows and summary. */
async function importBeside(name: string, files: Record<string, Uint8Array>, limits?: InputLimits): Promise<{ s: ImportSummary; rows: Row[]; folder: string; ms: number }> {
  const folder = join(dir, name);
  mkdirSync(folder);
  for (const [f, bytes] of Object.entries(files)) writeFileSync(join(folder, f), bytes);
  copyFileSync(fixturePath(FIT), join(folder, 'beside.fit'));
  const wh = await Warehouse.open(join(dir, `${name}.duckdb`));
  try {
    const t0 = performance.now();
    const s = await importPaths(wh, [folder], { athleteId: 'me', ...(limits ? { limits } : {}) });
    const ms = performance.now() - t0;
    const rows = await wh.all<Row>('SELECT input, reason FROM import_errors ORDER BY input');
    const [beside] = await wh.all<{ n: number }>(`SELECT count(*)::INT AS n FROM source_workouts WHERE input = ?`, [join(folder, 'beside.fit')]);
    expect(beside!.n, 'the FIT beside the bomb is imported').toBe(1);
    return { s, rows, folder, ms };
  } finally {
    wh.close();
  }
}

/** A FIT header (14 bytes, FIT protocol 1.0) over `size` bytes of zeros: detected as FIT, read whole. */
function fitOfZeros(size: number): Buffer {
  const b = Buffer.alloc(size);
  b[0] = 14;
  b[1] = 0x10;
  b.writeUInt32LE(size - 16, 4);
  b.write('.FIT', 8, 'latin1');
  return b;
}

describe('decompression bombs stop at the limits, with a row naming the file', () => {
  it('a 1 MB .fit.gz expanding to 1 GB stops after 200 times its size (the default ratio), in well under a minute', async () => {
    // One gzip member inflating to 8 MB of zeros is about 8 KB: 128 of them are 1 MB on disk and 1 GB inflated.
    const bomb = gzipBomb(128, 8, '\u0000');
    expect(bomb.length).toBeLessThan(1.2 * MB);
    const { s, rows, folder, ms } = await importBeside('gz-bomb', { 'bomb.fit.gz': Buffer.concat([gzipSync(fitOfZeros(4096)), bomb]) });
    expect(rows).toEqual([
      {
        input: join(folder, 'bomb.fit.gz'),
        reason: expect.stringMatching(/bomb\.fit\.gz: expands beyond 200 MB, more than 200 times its [\d.]+ [KM]B on disk \(IMPORT_MAX_EXPANSION_RATIO\): a decompression bomb or damaged data; not imported$/),
      },
    ]);
    expect(s.problems).toBe(1);
    expect(ms).toBeLessThan(30_000);
  });

  it('a gzipped GPX bomb is read as a stream and stops at the limit', async () => {
    const head = gzipSync('<?xml version="1.0"?>\n<gpx version="1.1" creator="x" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>');
    const { rows, folder } = await importBeside('gpx-bomb', { 'track.gpx.gz': Buffer.concat([head, gzipBomb(64, 8, ' ')]) }, { ...DEFAULT_LIMITS, maxExpandedBytes: 48 * MB });
    expect(rows).toEqual([{ input: join(folder, 'track.gpx.gz'), reason: expect.stringMatching(/track\.gpx\.gz: expands beyond 48 MB in all \(IMPORT_MAX_EXPANDED_GB\)/) }]);
  });

  it('a zip bomb (100 members of 4 MB in a 0.4 MB zip) stops after 200 times its size; every member after that gets a row', async () => {
    // Each member a FIT file of zeros with its own header, so none is a duplicate of another: each would be read.
    const zip = zipBomb(100, 4, (i) => fitOfZeros(16 + i).subarray(0, 16 + i), (i) => `activity-${String(i).padStart(3, '0')}.fit`);
    expect(zip.length).toBeLessThan(0.5 * MB);
    const { rows, folder, s } = await importBeside('zip-bomb', { 'export.zip': zip });
    const limit = rows.filter((r) => /expands beyond [\d.]+ MB, more than 200 times its [\d.]+ KB on disk \(IMPORT_MAX_EXPANSION_RATIO\)/.test(r.reason));
    const after = rows.filter((r) => /not read, the expansion limit of .*export\.zip was reached before it/.test(r.reason));
    expect(limit).toHaveLength(1);
    // What was read before the limit, the member that passed it, and one row per member not read: every member is accounted for.
    const read = Math.floor((200 * zip.length) / (4 * MB));
    expect(limit[0]!.input).toBe(`${join(folder, 'export.zip')}!activity-${String(read).padStart(3, '0')}.fit`);
    expect(after).toHaveLength(100 - read - 1);
    expect(s.files).toBe(101);
  });

  it('a zip nested 10,000 deep stops at the fifth level, without recursion', async () => {
    const deep = deepZip(10_000, 'run.fit', readFileSync(fixturePath(FIT)));
    const { rows, folder } = await importBeside('deep', { 'deep.zip': deep });
    const chain = ['deep.zip', 'level-2.zip', 'level-3.zip', 'level-4.zip', 'level-5.zip'].join('!');
    expect(rows).toEqual([{ input: join(folder, chain), reason: 'archives nested deeper than 4 (IMPORT_MAX_ARCHIVE_DEPTH); not imported' }]);
    // The same archive 3 levels deep is read to its core.
    const { rows: shallow } = await importBeside('shallow', { 'shallow.zip': deepZip(3, 'run-copy.fit', readFileSync(fixturePath(FIT))) });
    expect(shallow.filter((r) => !/the same content as/.test(r.reason))).toEqual([]);
  });

  it('a member that inflates beyond the size its archive states is refused as damaged', async () => {
    const liar = member('run.fit', fitOfZeros(1 * MB));
    const { rows, folder } = await importBeside('liar', { 'liar.zip': zipOf([{ ...liar, size: 2048 }]) });
    expect(rows).toEqual([{ input: `${join(folder, 'liar.zip')}!run.fit`, reason: expect.stringMatching(/damaged \(it inflates beyond the 2048 bytes its archive states\)/) }]);
  });

  it('a file larger than IMPORT_MAX_FILE_MB that must be read whole is refused as too large', async () => {
    const { rows, folder } = await importBeside('large', { 'big.fit': fitOfZeros(3 * MB) }, { ...DEFAULT_LIMITS, maxInMemoryBytes: 2 * MB });
    expect(rows).toEqual([{ input: join(folder, 'big.fit'), reason: expect.stringMatching(/big\.fit: too large to read whole \(more than 2\.0 MB, IMPORT_MAX_FILE_MB\); not imported/) }]);
  });
});

describe('the limits', () => {
  it('let a real 10 GB Apple Health export through: about 20:1, as its XML compresses', () => {
    const onDisk = 500 * MB;
    const budget = new ExpansionBudget('export.zip', onDisk, DEFAULT_LIMITS);
    expect(budget.allowed).toBeGreaterThan(10 * 1024 * MB);
    // A small file may always expand to the first 64 MB, whatever its ratio.
    expect(new ExpansionBudget('a.fit.gz', 1000, DEFAULT_LIMITS).allowed).toBe(RATIO_FREE_BYTES);
  });

  it('are settings with the documented defaults, validated with the key named', () => {
    const defaults = loadConfig({});
    expect(limitsFromConfig(defaults)).toEqual(DEFAULT_LIMITS);
    expect(limitsFromConfig(loadConfig({ IMPORT_MAX_ARCHIVE_DEPTH: '6', IMPORT_MAX_EXPANSION_RATIO: '50' }))).toMatchObject({ maxDepth: 6, maxRatio: 50 });
    for (const [key, value] of [['IMPORT_MAX_ARCHIVE_DEPTH', '0'], ['IMPORT_MAX_EXPANSION_RATIO', 'lots'], ['IMPORT_MAX_EXPANDED_GB', '-1'], ['IMPORT_MAX_FILE_MB', '9000']]) {
      expect(() => loadConfig({ [key!]: value })).toThrow(ConfigError);
      expect(() => loadConfig({ [key!]: value })).toThrow(new RegExp(`${key}: .*was`));
    }
    expect(Object.keys(AppConfig.shape)).toEqual(expect.arrayContaining(['IMPORT_MAX_EXPANDED_GB', 'IMPORT_MAX_EXPANSION_RATIO', 'IMPORT_MAX_ARCHIVE_DEPTH', 'IMPORT_MAX_FILE_MB']));
  });
});
