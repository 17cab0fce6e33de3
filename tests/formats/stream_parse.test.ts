/**
 * GPX and TCX read as a stream of chunks give what reading the whole file
 * gives, for every real fixture, at awkward chunk sizes and gzipped.
 */
import { readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseGpx, parseGpxStream } from '../../lib/formats/gpx.ts';
import { parseTcx, parseTcxStream } from '../../lib/formats/tcx.ts';
import { fixturePath, readFixture } from '../helpers/shared.ts';

async function* chunks(bytes: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

function files(dir: string, ext: RegExp): string[] {
  const root = fixturePath(dir);
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => ext.test(f)).map((f) => `${dir}/${f}`).sort();
}

describe('streamed GPX and TCX equal whole-file parsing', () => {
  const cases: Array<[string, typeof parseGpx, typeof parseGpxStream]> = [
    ...files('gpx', /\.gpx(\.gz)?$/).map((f) => [f, parseGpx, parseGpxStream] as [string, typeof parseGpx, typeof parseGpxStream]),
    ...files('tcx', /\.tcx$/).map((f) => [f, parseTcx, parseTcxStream] as [string, typeof parseGpx, typeof parseGpxStream]),
  ];

  it('finds the fixtures', () => expect(cases.length).toBeGreaterThan(30));

  for (const [rel, whole, stream] of cases) {
    it(rel, async () => {
      const bytes = readFixture(rel);
      const expected = whole(bytes, rel);
      for (const size of [1, 7, 4096]) {
        if (size === 1 && bytes.length > 20_000) continue;
        expect(await stream(chunks(bytes, size), rel), `chunks of ${size}`).toEqual(expected);
      }
      if (!rel.endsWith('.gz')) expect(await stream(chunks(gzipSync(bytes), 333), rel), 'gzipped').toEqual(expected);
    });
  }
});
