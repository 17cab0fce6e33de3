/**
 * Bounded cost for compressed inputs: how much a file may expand to (gzip,
 * zip and archives inside archives), by how much, and how deep archives may
 * nest. Every byte inflated from one file found on disk, at any depth, is
 * counted against that file's budget, so a bomb stops at the limit whichever
 * way it is built (one layer at deflate's maximum ratio of about 1,032:1, or
 * layers inside layers), with an error naming the file.
 */
import type { InflateBudget } from '../formats/zip.ts';

/** The limits of one import; see {@link DEFAULT_LIMITS}. */
export interface InputLimits {
  /** Bytes one file may expand to in total, every member and layer included. */
  maxExpandedBytes: number;
  /** Expanded bytes per byte of the file on disk, beyond the first {@link RATIO_FREE_BYTES}. */
  maxRatio: number;
  /** Archives inside archives (zip or gzip) a file may hold: `run.fit.gz` inside `export.zip` is depth 2. */
  maxDepth: number;
  /** Bytes of one file or member read whole into memory (formats that are not read as a stream). */
  maxInMemoryBytes: number;
}

const GB = 1024 ** 3;
const MB = 1024 ** 2;

/**
 * Defaults. A real Apple Health export of 10 GB (export.xml and its routes)
 * compresses about 15-25:1 and fits well inside 64 GB at a ratio below 200;
 * device files and account exports compress 2-30:1. A deflate bomb reaches
 * about 1,000:1 per layer and multiplies with nesting. Garmin's export nests
 * two archives (the export, its UploadedFiles part, then a FIT file, perhaps
 * gzipped: depth 3).
 */
export const DEFAULT_LIMITS: Readonly<InputLimits> = {
  maxExpandedBytes: 64 * GB,
  maxRatio: 200,
  maxDepth: 4,
  maxInMemoryBytes: 512 * MB,
};

/** Bytes any file may expand to before the ratio applies: a small file of zeros costs nothing worth refusing. */
export const RATIO_FREE_BYTES = 64 * MB;

/** Limits from the configuration's IMPORT_* keys (see core/config.ts). */
export function limitsFromConfig(c: { IMPORT_MAX_EXPANDED_GB: number; IMPORT_MAX_EXPANSION_RATIO: number; IMPORT_MAX_ARCHIVE_DEPTH: number; IMPORT_MAX_FILE_MB: number }): InputLimits {
  return {
    maxExpandedBytes: Math.round(c.IMPORT_MAX_EXPANDED_GB * GB),
    maxRatio: c.IMPORT_MAX_EXPANSION_RATIO,
    maxDepth: c.IMPORT_MAX_ARCHIVE_DEPTH,
    maxInMemoryBytes: Math.round(c.IMPORT_MAX_FILE_MB * MB),
  };
}

/** An input refused because it passes a limit; the message names the input and the limit (and its setting). */
export class InputLimitError extends Error {
  override name = 'InputLimitError';
}

/** Bytes in a readable unit, for messages. */
export function bytesText(n: number): string {
  if (n >= GB) return `${(n / GB).toFixed(n >= 10 * GB ? 0 : 1)} GB`;
  if (n >= MB) return `${(n / MB).toFixed(n >= 10 * MB ? 0 : 1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} B`;
}

/**
 * What one file on disk may still expand to. Shared by everything read out of
 * that file (its members, their members, gzip layers); each inflation adds
 * what it produced.
 */
export class ExpansionBudget implements InflateBudget {
  private expanded = 0;
  /** The most this file may expand to: the total limit, or the ratio's allowance if smaller. */
  readonly allowed: number;
  private readonly byRatio: boolean;

  constructor(
    /** The file on disk, for messages. */
    readonly file: string,
    /** Its size on disk. */
    readonly compressedBytes: number,
    readonly limits: InputLimits,
  ) {
    const ratioCap = Math.max(RATIO_FREE_BYTES, limits.maxRatio * compressedBytes);
    this.byRatio = ratioCap < limits.maxExpandedBytes;
    this.allowed = Math.min(limits.maxExpandedBytes, ratioCap);
  }

  /** Whether inflation went past the limit: nothing more is read from this file. */
  spent(): boolean {
    return this.expanded > this.allowed;
  }

  /** Throws when the file's limit was already reached: `what`, read from it after that, is not read at all. */
  refuseWhenSpent(what: string): void {
    if (this.spent() && what !== this.file) throw new InputLimitError(`${what}: not read, the expansion limit of ${this.file} was reached before it`);
  }

  /** Bytes that may still be inflated. */
  remaining(): number {
    return Math.max(0, this.allowed - this.expanded);
  }

  /** Count `n` inflated bytes of `what`; throws {@link InputLimitError} past the limit. */
  add(n: number, what: string): void {
    this.expanded += n;
    if (this.spent()) throw this.exceeded(what);
  }

  /** The error for `what` expanding beyond the budget. */
  exceeded(what: string): InputLimitError {
    this.expanded = Math.max(this.expanded, this.allowed + 1);
    const where = what === this.file ? this.file : `${what} (in ${this.file})`;
    const limit = this.byRatio
      ? `${bytesText(this.allowed)}, more than ${this.limits.maxRatio} times its ${bytesText(this.compressedBytes)} on disk (IMPORT_MAX_EXPANSION_RATIO): a decompression bomb or damaged data`
      : `${bytesText(this.limits.maxExpandedBytes)} in all (IMPORT_MAX_EXPANDED_GB)`;
    return new InputLimitError(`${where}: expands beyond ${limit}; not imported`);
  }

  /** The error for `what` being too large to read whole into memory. */
  tooLarge(what: string, maxBytes: number): InputLimitError {
    return new InputLimitError(`${what}: too large to read whole (more than ${bytesText(maxBytes)}, IMPORT_MAX_FILE_MB); not imported`);
  }
}
