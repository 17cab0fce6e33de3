/**
 * The import orchestrator: detects each input's format by content, hands it
 * to the matching parser, joins account exports (a Strava export's CSV with
 * its activity files), and stores the results in batches.
 */
import { availableParallelism } from 'node:os';
import { posix } from 'node:path';
import { crc32 } from 'node:zlib';
import { emptyResult, mergeResults, type ImportError, type ParseResult } from '../core/models.ts';
import { collectInputs, contentIdentity, type InputEntry } from './inputs.ts';
import { ContentKeys, exportFingerprint, fingerprint, importedFingerprints, rememberImported } from './imported_files.ts';
import type { InputLimits } from './limits.ts';
import { addStoreSummary, type StoreSummary } from './store.ts';
import { storeApart } from './store_apart.ts';
import type { Warehouse } from '../core/warehouse.ts';
import { logger } from '../core/log.ts';
import { parseFilesParallel, parseJob, type ParallelFormat, type ParseJob } from './parallel.ts';
import { detectFormat, type DetectedFormat } from './detect.ts';
import { parseFit } from '../formats/fit.ts';
import { parseGpx, parseGpxStream } from '../formats/gpx.ts';
import { parseTcx, parseTcxStream } from '../formats/tcx.ts';
import { parsePositionsCsv, parsePositionsCsvStream } from '../formats/positions_csv.ts';
import { parseEliteHrvReading } from '../sources/elite_hrv/export.ts';
import { parseHrv4TrainingCsv } from '../sources/hrv4training/export.ts';
import { parseStravaActivitiesCsv, mergeStravaFile } from '../sources/strava/export.ts';
import { parseWhoopCsv } from '../sources/whoop/export.ts';
import { parseOura } from '../sources/oura/export.ts';
import { parseScaleCsv } from '../sources/vesync/export.ts';
import { parseAppleHealth } from '../sources/apple_health/export.ts';
import { parseGarminJson, garminFitActivityId } from '../sources/garmin/export.ts';
import { readGoogleHealthArchive } from '../sources/google_health/export.ts';
import { parseLegacyActivitiesCsv, parseLegacyStravaJson } from '../sources/legacy/export.ts';
import { matchLegacyCsvToJson } from '../sources/legacy/map.ts';

const log = logger('import');

/** Options of an import. */
export interface ImportOptions {
  athleteId: string;
  /** Source to attribute records to when the files do not say (a folder of GPX from Strava: `strava`). */
  source?: string;
  /** Called after each input file. */
  onProgress?: (done: number, total: number, name: string) => void;
  /**
   * Store after this many files (default {@link BATCH_FILES}), or once the
   * files read hold {@link BATCH_SAMPLES} track samples or {@link BATCH_RECORDS}
   * records: each batch is one transaction, and what it holds is in memory.
   */
  batchFiles?: number;
  /**
   * Worker threads parsing FIT, GPX and TCX files; default: one per core but
   * the one storing. Fewer than {@link MIN_WORKERS} workers (as on 2 cores),
   * or fewer than {@link PARALLEL_MIN_FILES} such files, parse in-process.
   */
  workers?: number;
  /** Bounds on decompression and whole-file reads (default: DEFAULT_LIMITS of limits.ts). */
  limits?: InputLimits;
  /** Read every file, also those imported before with the same content (skipped otherwise). */
  again?: boolean;
}

/**
 * Batch bounds. A transaction costs some 20 ms whatever it holds, which
 * small files (a few thousand samples each) would pay per file or two; the
 * bounds keep a batch's memory to about 100 MB.
 */
export const BATCH_FILES = 1000;
export const BATCH_SAMPLES = 1_000_000;
export const BATCH_RECORDS = 20_000;

/** Below this many activity files, starting worker threads costs more than it saves. */
export const PARALLEL_MIN_FILES = 20;

/**
 * The fewest workers worth starting. One worker beside this thread does not
 * pay on 2 cores: while this thread parses, DuckDB commits on the other core,
 * and a worker adds its start (loading and compiling the parsers again in its
 * own isolate) and its messages; parsing here was faster at every size
 * measured (300 large FIT files 1.7 s against 2.0 s with a worker).
 */
export const MIN_WORKERS = 2;

const POOL_FORMATS: ReadonlySet<DetectedFormat> = new Set<ParallelFormat>(['fit', 'gpx', 'tcx']);

/**
 * Formats whose records come from the file alone, so an unchanged file can be
 * skipped (an export's index reads its other files; legacy JSON is matched to
 * the legacy CSV of the same import).
 */
const ON_ITS_OWN = (fmt: DetectedFormat): boolean => POOL_FORMATS.has(fmt) || (fmt in PARSERS && fmt !== 'legacy_strava_json');

/** A file's fingerprint and what to remember it by, once its records are stored. */
interface Print {
  fingerprint: string;
  input: string;
  size: number;
}

/** What an import did. */
export interface ImportSummary extends StoreSummary {
  files: number;
  /** Inputs that were recognised but hold nothing to import, are not a known format, or repeat another input. */
  skipped: number;
  byFormat: Record<string, number>;
  /** Files imported before with the same content, read the same way: skipped unread. */
  unchanged: number;
  /**
   * Rows recorded for something not imported: a file, archive member, record
   * or value that could not be read or was refused. Neither the gate's
   * warnings (a value stored as null) nor the rows of skipped inputs count.
   * More than 0 makes the import partial.
   */
  problems: number;
}

const decoder = new TextDecoder('utf-8');
const text = (b: Uint8Array) => decoder.decode(b);

type Parser = (bytes: Uint8Array, name: string, source: string | undefined, athleteId: string) => ParseResult;

const PARSERS: Partial<Record<DetectedFormat, Parser>> = {
  fit: (b, n, source, athleteId) => linkGarminActivity(parseFit(b, n, { source, athleteId }), n),
  gpx: (b, n, source, athleteId) => parseGpx(b, n, { source, athleteId }),
  tcx: (b, n, source, athleteId) => parseTcx(b, n, { source, athleteId }),
  whoop_csv: (b, n, source, athleteId) => parseWhoopCsv(text(b), n, { source, athleteId }),
  oura_json: (b, n, source, athleteId) => parseOura(b, n, { source, athleteId }),
  oura_csv: (b, n, source, athleteId) => parseOura(b, n, { source, athleteId }),
  scale_csv: (b, n, source, athleteId) => parseScaleCsv(text(b), n, { source, athleteId }),
  garmin_json: (b, n, source, athleteId) => parseGarminJson(b, n, { source, athleteId }),
  legacy_strava_json: (b, n, source, athleteId) => parseLegacyStravaJson(text(b), n, { source, athleteId }),
  positions_csv: (b, n, source, athleteId) => parsePositionsCsv(b, n, { source, athleteId }),
  hrv4training_csv: (b, n, source, athleteId) => parseHrv4TrainingCsv(text(b), n, { source, athleteId }),
  elite_hrv_rr: (b, n, source, athleteId) => parseEliteHrvReading(text(b), n, { source, athleteId }),
};

type StreamParser = (chunks: AsyncIterable<Uint8Array>, name: string, source: string | undefined, athleteId: string) => Promise<ParseResult>;

/**
 * Formats read as a stream when large, or when compressed (a gzip stream does
 * not say what it inflates to): memory then grows with the records, not the file.
 */
const STREAMED: Partial<Record<DetectedFormat, StreamParser>> = {
  gpx: (c, n, source, athleteId) => parseGpxStream(c, n, { source, athleteId }),
  tcx: (c, n, source, athleteId) => parseTcxStream(c, n, { source, athleteId }),
  positions_csv: (c, n, source, athleteId) => parsePositionsCsvStream(c, n, { source, athleteId }),
};

/** Activity files larger than this are streamed in this thread rather than read whole for a worker. */
const STREAM_ABOVE_BYTES = 32 * 1024 ** 2;

/** Why an input gave nothing, as its import_errors row says. */
const NOTHING = {
  empty: 'empty file (0 bytes): nothing to import',
  unknown:
    'not a format athlete imports (FIT, GPX, TCX, position CSV, or a Strava, Garmin, WHOOP, Oura, Apple Health, Google Health, scale or HRV-app export file): skipped',
  nothing: 'an activity file without an activity: no timed samples or session to import',
  duplicate: (of: string) => `the same content as ${of} (size and CRC-32): imported once, from there`,
};

/**
 * A FIT file from Garmin's export is named after its Connect activity id: record it,
 * so the file's workout links (tier 1) to the activity summary of the same export.
 */
function linkGarminActivity(r: ParseResult, name: string): ParseResult {
  const id = garminFitActivityId(posix.basename(name.split('!').pop()!.split('\\').join('/')));
  if (id && r.workouts.length === 1) r.workouts[0]!.external_ids = { ...r.workouts[0]!.external_ids, garmin: id };
  return r;
}

/**
 * A Strava export's activities.csv read, with the activity file each row
 * names, relative to the export's root (undefined: none, or not in the export).
 */
interface StravaExport {
  csv: InputEntry;
  rows: ReturnType<typeof parseStravaActivitiesCsv>['rows'];
  summaries: ParseResult;
  files: (InputEntry | undefined)[];
}

/** Read a Strava export's index and find the files it names, which the export claims (`consumed`) from the other inputs. */
function readStravaIndex(csv: InputEntry, byRel: Map<string, InputEntry>, opts: ImportOptions, consumed: Set<InputEntry>): StravaExport {
  const { rows, result } = parseStravaActivitiesCsv(text(csv.read()), csv.name, { source: opts.source, athleteId: opts.athleteId });
  const base = posix.dirname(csv.rel.split('\\').join('/'));
  const files = rows.map((row) => (row.filename ? byRel.get(posix.normalize(posix.join(base, row.filename))) : undefined));
  for (const f of files) if (f) consumed.add(f);
  return { csv, rows, summaries: result, files };
}

/** A Strava export: each row's summary joined with its activity file's track. */
function stravaExport({ csv, rows, summaries, files }: StravaExport, opts: ImportOptions): ParseResult {
  const out = emptyResult();
  out.errors.push(...summaries.errors);
  rows.forEach((row, i) => {
    const w = summaries.workouts[i]!;
    const filename = row.filename;
    const entry = files[i];
    if (!filename || !entry) {
      if (filename) out.errors.push({ input: csv.name, record: `row ${i + 2}`, field: 'Filename', reason: `activity file ${filename} is not in the export (summary kept)` });
      out.workouts.push(w);
      return;
    }
    let bytes: Uint8Array;
    try {
      bytes = entry.read();
    } catch (err) {
      // A damaged or oversized activity file costs its track only: the summary row stands.
      out.errors.push({ input: entry.name, reason: `could not be read: ${(err as Error).message}; summary from activities.csv kept` });
      out.workouts.push(w);
      return;
    }
    const fmt = detectFormat(entry.name, bytes.subarray(0, 4096));
    const parser = PARSERS[fmt];
    if (!parser || !['fit', 'gpx', 'tcx'].includes(fmt)) {
      out.errors.push({ input: entry.name, reason: `unrecognised activity file format (expected FIT, GPX or TCX); summary from activities.csv kept` });
      out.workouts.push(w);
      return;
    }
    mergeResults(out, mergeStravaFile(row, parser(bytes, entry.name, 'strava', opts.athleteId)));
  });
  return out;
}

/** Apple Health: export.xml streamed, each workout joined with its route GPX from the same export. */
async function appleHealth(xml: InputEntry, byRel: Map<string, InputEntry>, opts: ImportOptions, consumed: Set<InputEntry>): Promise<ParseResult> {
  const parsed = await parseAppleHealth(xml.stream(), xml.name, { source: opts.source, athleteId: opts.athleteId });
  const { routes, ...out } = parsed;
  const base = posix.dirname(xml.rel);
  const byId = new Map(out.workouts.map((w) => [w.external_id, w]));
  for (const ref of routes) {
    const entry = byRel.get(`${xml.root}\u0000${posix.normalize(posix.join(base, ref.path))}`);
    const w = byId.get(ref.external_id);
    if (!entry || !w) {
      out.errors.push({ input: xml.name, record: `Workout ${ref.external_id}`, field: 'WorkoutRoute', reason: `route file ${ref.path} is not in the export (workout kept without its track)` });
      if (w) w.has_gps = false;
      continue;
    }
    consumed.add(entry);
    let route: ParseResult;
    try {
      route = parseGpx(entry.read(), entry.name, { source: w.source, athleteId: opts.athleteId });
    } catch (err) {
      out.errors.push({ input: entry.name, record: `Workout ${ref.external_id}`, field: 'WorkoutRoute', reason: `could not be read: ${(err as Error).message}; workout kept without its track` });
      w.has_gps = false;
      continue;
    }
    out.errors.push(...route.errors);
    for (const s of route.streams) out.streams.push({ ...s, source: w.source, external_id: w.external_id });
  }
  return out;
}

/**
 * The files under an Apple Health export's workout-routes folder: those its
 * workouts can name. The export's key covers them all, so that an unchanged
 * export may claim them without reading which ones it names.
 */
function appleRouteFiles(xml: InputEntry, byRel: ReadonlyMap<string, InputEntry>): InputEntry[] {
  const prefix = `${xml.root}\u0000${posix.join(posix.dirname(xml.rel), 'workout-routes')}/`;
  const out: InputEntry[] = [];
  for (const [k, v] of byRel) if (k.startsWith(prefix)) out.push(v);
  return out;
}

/** A Google Health archive's members and the TCX files beside them that its exercises can name. */
interface GoogleHealthFiles {
  members: InputEntry[];
  tcx: InputEntry[];
}

function googleHealthFiles(detected: readonly { e: InputEntry; fmt: DetectedFormat }[], consumed: ReadonlySet<InputEntry>): GoogleHealthFiles {
  const members = detected.filter((d) => d.fmt === 'google_health').map((d) => d.e);
  const roots = new Set(members.map((m) => m.root));
  const tcx = detected.filter((d) => d.fmt === 'tcx' && roots.has(d.e.root) && !consumed.has(d.e)).map((d) => d.e);
  return { members, tcx };
}

/** Google Health (Fitbit) archive: all its members read together, exercises joined with their TCX files and heart rate. */
async function googleHealth({ members, tcx }: GoogleHealthFiles, opts: ImportOptions, consumed: Set<InputEntry>): Promise<ParseResult> {
  for (const m of members) consumed.add(m);
  const { result, usedTracks } = await readGoogleHealthArchive(members, tcx, { source: opts.source, athleteId: opts.athleteId });
  for (const t of usedTracks) consumed.add(t as InputEntry);
  return result;
}

/**
 * Content identity for finding the same file twice in one import: only inputs
 * of equal size are compared, by their CRC-32 (stated by their archive, or
 * computed), so plain files and archive members compare alike.
 */
class Duplicates {
  private readonly bySize = new Map<number, InputEntry[]>();
  private readonly ids = new Map<InputEntry, string | null>();
  private readonly ok = new Map<InputEntry, boolean>();

  private id(e: InputEntry): string | null {
    if (e.identity) return e.identity;
    if (!this.ids.has(e)) {
      let id: string | null = null;
      try {
        const bytes = e.read();
        id = contentIdentity(crc32(bytes), bytes.length);
      } catch {
        // Unreadable: its parser says why; it is nobody's duplicate.
      }
      this.ids.set(e, id);
    }
    return this.ids.get(e)!;
  }

  /** Whether an earlier entry reads whole (a member's CRC checked): only then may it stand for another. */
  private readable(e: InputEntry): boolean {
    if (!this.ok.has(e)) {
      let ok = true;
      try {
        e.read();
      } catch {
        ok = false;
      }
      this.ok.set(e, ok);
    }
    return this.ok.get(e)!;
  }

  /** The earlier entry with the same content as `e`, or undefined (and `e` is remembered). */
  earlier(e: InputEntry): InputEntry | undefined {
    const same = this.bySize.get(e.size);
    if (!same) {
      this.bySize.set(e.size, [e]);
      return undefined;
    }
    const id = this.id(e);
    const found = id === null ? undefined : same.find((o) => this.id(o) === id && this.readable(o));
    if (!found) same.push(e);
    return found;
  }
}

/**
 * Import files, folders and zip archives into the warehouse. Each input's
 * problems are recorded in import_errors and the rest goes on: a file, an
 * archive member or a record that cannot be read or stored costs only
 * itself. Every input found is imported or gets a row saying why not.
 */
export async function importPaths(wh: Warehouse, paths: readonly string[], opts: ImportOptions): Promise<ImportSummary> {
  const inputs = await collectInputs(paths, opts.limits);
  try {
    return await importEntries(wh, inputs.entries, inputs.problems, inputs.emptyArchives, opts);
  } finally {
    inputs.close();
  }
}

async function importEntries(
  wh: Warehouse,
  entries: readonly InputEntry[],
  unreadable: readonly ImportError[],
  emptyArchives: readonly ImportError[],
  opts: ImportOptions,
): Promise<ImportSummary> {
  const byRel = new Map(entries.map((e) => [`${e.root}\u0000${e.rel.split('\\').join('/')}`, e]));
  const summary: ImportSummary = { files: 0, skipped: 0, unchanged: 0, byFormat: {}, workouts: 0, biometrics: 0, points: 0, errors: 0, invalid: 0, warnings: 0, problems: 0 };
  const known = opts.again ? new Set<string>() : await importedFingerprints(wh);
  const keys = await ContentKeys.load(wh, entries, opts.again);
  /** Files of the batch read without a problem: remembered once their records are stored. */
  let prints: Print[] = [];
  /** The fingerprint of a file whose records come from it alone (none for an unreadable one: it is read again). */
  const printOf = async (e: InputEntry, fmt: DetectedFormat): Promise<Print | undefined> => {
    if (!ON_ITS_OWN(fmt)) return undefined;
    try {
      return { fingerprint: fingerprint(await keys.streamed(e), e, fmt, opts.source, opts.athleteId), input: e.name, size: e.size };
    } catch {
      return undefined;
    }
  };
  /**
   * The key of an export read as a whole, from its index and the files that
   * belong to it. One that cannot be read leaves the export without a key,
   * and it is read again each time.
   */
  const exportPrint = async (index: InputEntry, members: readonly InputEntry[], fmt: DetectedFormat): Promise<Print | undefined> => {
    try {
      const fingerprint = await exportFingerprint(keys, index, members, fmt, opts.source, opts.athleteId);
      return { fingerprint, input: index.name, size: members.reduce((n, f) => n + f.size, index.size) };
    } catch {
      return undefined;
    }
  };
  const consumed = new Set<InputEntry>();
  const duplicates = new Duplicates();
  const batchFiles = opts.batchFiles ?? BATCH_FILES;
  let batch = emptyResult();
  let inBatch = 0;
  let batchSamples = 0;
  /** Rows saying an input was skipped (nothing to import, unknown format, duplicate): not problems. */
  let notices = 0;
  const flush = async () => {
    if (inBatch === 0) return;
    const s = await storeApart(wh, batch, { athleteId: opts.athleteId });
    // A batch with a record the warehouse refused is read again next time, whichever file it came from.
    if (s.invalid === 0) await rememberImported(wh, opts.athleteId, prints);
    await keys.save(wh);
    prints = [];
    addStoreSummary(summary, s);
    batch = emptyResult();
    inBatch = 0;
    batchSamples = 0;
  };

  // Formats read first: account-export indexes claim their activity files.
  const undetectable: ImportError[] = [];
  const detected: { e: InputEntry; fmt: DetectedFormat }[] = [];
  for (const e of entries) {
    try {
      detected.push({ e, fmt: detectFormat(e.name, e.head(4096)) });
    } catch (err) {
      undetectable.push({ input: e.name, reason: `could not be read: ${(err as Error).message}` });
    }
  }
  const order = (f: DetectedFormat) =>
    f === 'strava_activities_csv' || f === 'legacy_strava_json' || f === 'apple_health_xml' || f === 'google_health' ? 0 : f === 'legacy_activities_csv' ? 2 : 1;
  detected.sort((a, b) => order(a.fmt) - order(b.fmt));
  const total = detected.length + unreadable.length + undetectable.length + emptyArchives.length;

  const legacyJson: ParseResult[] = [];
  let done = 0;
  const add = async (r: ParseResult, name: string, fmt?: DetectedFormat, notice = false, print?: Print) => {
    if (print && r.errors.length === 0) prints.push(print);
    if (r.workouts.length === 0 && r.biometrics.length === 0 && (notice || r.errors.length === 0)) {
      summary.skipped++;
      // An activity file that gave nothing and said nothing gets a row saying so; an export's other
      // members (a WHOOP journal) are read for what they hold, which may be nothing we store.
      if (r.errors.length === 0 && fmt && POOL_FORMATS.has(fmt)) {
        r.errors.push({ input: name, reason: NOTHING.nothing });
        notices++;
      }
    }
    mergeResults(batch, r);
    inBatch++;
    for (const st of r.streams) batchSamples += st.time.length;
    if (inBatch >= batchFiles || batchSamples >= BATCH_SAMPLES || batch.workouts.length + batch.biometrics.length >= BATCH_RECORDS) await flush();
    opts.onProgress?.(++done, total, name);
  };
  const skip = (e: InputEntry, reason: string) => {
    notices++;
    return add({ ...emptyResult(), errors: [{ input: e.name, reason }] }, e.name, undefined, true);
  };

  // Files and members that could not be opened, or whose first bytes could not be read, are rows of their own.
  for (const problem of [...unreadable, ...undetectable]) {
    summary.files++;
    await add({ ...emptyResult(), errors: [problem] }, problem.input);
  }
  for (const notice of emptyArchives) {
    summary.files++;
    notices++;
    await add({ ...emptyResult(), errors: [notice] }, notice.input, undefined, true);
  }

  // Activity files are parsed last, on the worker pool when there are enough of them; the rest here, in order.
  const jobs: { e: InputEntry; fmt: ParallelFormat; print: Print | undefined }[] = [];
  for (const { e, fmt } of detected) {
    if (consumed.has(e)) {
      done++;
      continue;
    }
    summary.files++;
    summary.byFormat[fmt] = (summary.byFormat[fmt] ?? 0) + 1;
    if (e.size === 0) {
      await skip(e, NOTHING.empty);
      continue;
    }
    const first = duplicates.earlier(e);
    if (first) {
      await skip(e, NOTHING.duplicate(first.name));
      continue;
    }
    // A Strava export claims its activity files first, whether it is read again or found unchanged.
    let strava: StravaExport | undefined;
    let google: GoogleHealthFiles | undefined;
    let print: Print | undefined;
    /** Files an unchanged export claims: those its key covers besides the index. */
    let belonging: InputEntry[] = [];
    if (fmt === 'strava_activities_csv') {
      try {
        const scoped = new Map<string, InputEntry>();
        for (const [k, v] of byRel) if (k.startsWith(`${e.root}\u0000`)) scoped.set(k.slice(e.root.length + 1), v);
        strava = readStravaIndex(e, scoped, opts, consumed);
      } catch (err) {
        await add({ ...emptyResult(), errors: [{ input: e.name, reason: `could not be read: ${(err as Error).message}` }] }, e.name, fmt);
        continue;
      }
      print = await exportPrint(e, strava.files.filter((f): f is InputEntry => f !== undefined), fmt);
    } else if (fmt === 'apple_health_xml') {
      belonging = appleRouteFiles(e, byRel);
      print = await exportPrint(e, belonging, fmt);
    } else if (fmt === 'google_health') {
      google = googleHealthFiles(detected, consumed);
      belonging = [...google.members, ...google.tcx].filter((m) => m !== e);
      print = await exportPrint(e, belonging, fmt);
    } else {
      print = await printOf(e, fmt);
    }
    if (print && known.has(print.fingerprint)) {
      // What the export was read with before: its records are stored, so none is imported on its own.
      for (const f of belonging) consumed.add(f);
      summary.unchanged++;
      opts.onProgress?.(++done, total, e.name);
      continue;
    }
    if (POOL_FORMATS.has(fmt) && e.sizeKnown && e.size <= STREAM_ABOVE_BYTES) {
      jobs.push({ e, fmt: fmt as ParallelFormat, print });
      continue;
    }
    let r: ParseResult;
    try {
      if (strava) {
        r = stravaExport(strava, opts);
      } else if (fmt === 'apple_health_xml') {
        r = await appleHealth(e, byRel, opts, consumed);
      } else if (google) {
        r = await googleHealth(google, opts, consumed);
      } else if (fmt === 'legacy_activities_csv') {
        const csv = parseLegacyActivitiesCsv(text(e.read()), e.name, { source: opts.source, athleteId: opts.athleteId });
        // Rows matched to the JSON are the same activities, which carry the Strava ids: keep only the rest.
        const { unmatched } = matchLegacyCsvToJson(csv.rows, legacyJson.flatMap((j) => j.workouts));
        r = { ...csv.result, workouts: unmatched };
      } else {
        const streamed = STREAMED[fmt];
        const parser = PARSERS[fmt];
        if (streamed && (!e.sizeKnown || e.size > STREAM_ABOVE_BYTES)) {
          r = await streamed(e.stream(), e.name, opts.source, opts.athleteId);
        } else if (!parser) {
          log.debug('skipped input of unknown format', { input: e.name });
          await skip(e, NOTHING.unknown);
          continue;
        } else {
          r = parser(e.read(), e.name, opts.source, opts.athleteId);
          if (fmt === 'legacy_strava_json') legacyJson.push(r);
        }
      }
    } catch (err) {
      r = emptyResult();
      r.errors.push({ input: e.name, reason: `could not be read: ${(err as Error).message}` });
    }
    await add(r, e.name, fmt, false, print);
  }

  const parseJobs: ParseJob[] = jobs.map(({ e, fmt }) => ({ name: e.name, read: () => e.read(), format: fmt, source: opts.source, athleteId: opts.athleteId }));
  const parsed = (index: number, result: ParseResult) => {
    const { e, fmt, print } = jobs[index]!;
    return add(fmt === 'fit' ? linkGarminActivity(result, e.name) : result, e.name, fmt, false, print);
  };
  const workers = opts.workers ?? availableParallelism() - 1;
  if (parseJobs.length >= PARALLEL_MIN_FILES && workers >= MIN_WORKERS) {
    // Results arrive in the order workers finish them; each file is its own result, so order does not matter here.
    for await (const { index, result } of parseFilesParallel(parseJobs, { workers })) await parsed(index, result);
  } else {
    for (const [index, job] of parseJobs.entries()) await parsed(index, parseJob(job));
  }
  await flush();
  // Keys learned of files found unchanged, or read for nothing to store: what the next import recognises them by.
  await keys.save(wh);
  summary.problems = Math.max(0, summary.errors - summary.warnings - notices);
  return summary;
}
