/**
 * A gzipped input (`run.fit.gz`, a Strava export's `activities/123.gpx.gz`)
 * seen through its compression: the head, the whole content and the stream
 * are the inflated bytes, within the budget of the file it came from.
 */
import { createGunzip, gunzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { boundedInflate, inflatedHead, inflateGuard, ZipError, type InflateBudget } from '../formats/zip.ts';

/** Where a plain file's bytes were on disk, and when they were last modified. */
export interface FileStamp {
  path: string;
  /** Modification time, ms since the epoch (with the file system's precision). */
  modifiedMs: number;
}

/** Readable bytes: a file, an archive member, or another layer. */
export interface ByteSource {
  /** Display name, for errors. */
  name: string;
  /** Size of the content; as stored (compressed) when `sizeKnown` is false. */
  size: number;
  /** Whether `size` is the content's size (a gzip stream does not say what it inflates to). */
  sizeKnown: boolean;
  /** A cheap identity of the content when at hand (an archive's CRC-32 and size), for finding duplicates. */
  identity?: string;
  /** A plain file's path and modification time (also for a gzipped one, seen through its compression). */
  stamp?: FileStamp;
  head(n: number): Uint8Array;
  read(maxBytes: number): Uint8Array;
  stream(): AsyncIterable<Uint8Array>;
}

/** Whether bytes start with the gzip magic number. */
export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** Bytes read through their gzip compression, inflation counted against `budget`. */
export function gunzipped(inner: ByteSource, budget: InflateBudget): ByteSource {
  return {
    name: inner.name,
    size: inner.size,
    sizeKnown: false,
    ...(inner.stamp ? { stamp: inner.stamp } : {}),
    // A head needs at most 64 KB of the compressed bytes (see inflatedHead).
    head: (n) => {
      const raw = inner.head(65_536);
      return inflatedHead((len) => raw.subarray(0, len), raw.length, n, 'gzip');
    },
    read: (maxBytes) => boundedInflate(gunzipSync, inner.read(maxBytes), inner.name, budget, maxBytes),
    stream: () => {
      const gunzip = createGunzip();
      const guard = inflateGuard(budget, inner.name);
      const source = Readable.from(inner.stream());
      source.on('error', (e) => guard.destroy(e));
      gunzip.on('error', (e) => guard.destroy(new ZipError(`${inner.name}: damaged gzip data (${e.message})`)));
      return source.pipe(gunzip).pipe(guard);
    },
  };
}
