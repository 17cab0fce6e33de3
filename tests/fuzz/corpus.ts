/**
 * The seeds the fuzzer mutates: every format of the shared fixtures (FIT,
 * GPX, TCX, Garmin Connect JSON, Apple Health XML and zip, position CSVs and
 * tracking files) and the account exports the demo writes as real files
 * (Strava export with its activity files, WHOOP CSVs, Oura JSON, scale CSV,
 * Garmin FIT), each kept small so a run gets through many inputs.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { generateDemo } from '../../lib/demo/generate.ts';
import { SHARED, fixturePath } from '../helpers/shared.ts';
import { member, zipOf } from '../helpers/zip_build.ts';

/** One seed input: a file name (its extension matters to detection) and its bytes. */
export interface Seed {
  name: string;
  bytes: Buffer;
}

/** Fixture folders and what is taken from each. */
const FIXTURE_DIRS = ['fit', 'gpx', 'tcx', 'health', 'tracking'];

/** Text seeds are cut to this many lines, so one input parses in milliseconds. */
const MAX_LINES = 600;
/** Binary seeds larger than this are left out (plenty of small FIT files remain). */
const MAX_BINARY = 160 * 1024;

function files(dir: string): string[] {
  const out: string[] = [];
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop()!;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile()) out.push(p);
    }
  }
  return out.sort();
}

const isText = (name: string) => /\.(gpx|tcx|xml|csv|json|txt)$/i.test(name);

/** A text file's first lines (whole when short). */
function headLines(bytes: Buffer, n = MAX_LINES): Buffer {
  let at = 0;
  for (let i = 0; i < n; i++) {
    const next = bytes.indexOf(10, at);
    if (next < 0) return bytes;
    at = next + 1;
  }
  return bytes.subarray(0, at);
}

/** Track points kept of a GPX or TCX seed; the file is closed after them, so the seed stays well-formed. */
const MAX_POINTS = 120;

/** A GPX or TCX cut after its first points and closed again; other text cut to its first lines. */
function shortText(name: string, bytes: Buffer): Buffer {
  const close = /\.gpx$/i.test(name) ? ['</trkpt>', '</trkseg></trk></gpx>\n'] : /\.tcx$/i.test(name) ? ['</Trackpoint>', '</Track></Lap></Activity></Activities></TrainingCenterDatabase>\n'] : null;
  if (!close) return headLines(bytes);
  const text = bytes.toString('latin1');
  let at = 0;
  for (let i = 0; i < MAX_POINTS; i++) {
    const next = text.indexOf(close[0]!, at);
    if (next < 0) return bytes;
    at = next + close[0]!.length;
  }
  return Buffer.concat([bytes.subarray(0, at), Buffer.from(`\n${close[1]}`)]);
}

/** An Oura export cut to a few records per collection, still a whole JSON document. */
function smallOura(bytes: Buffer): Buffer {
  const doc = JSON.parse(bytes.toString('utf8')) as Record<string, unknown[]>;
  for (const [k, v] of Object.entries(doc)) if (Array.isArray(v)) doc[k] = v.slice(0, 6);
  return Buffer.from(JSON.stringify(doc, null, 1));
}

/** The seeds: shared fixtures, then a 30-day demo athlete's export files, then archives of a few of them. */
export async function buildCorpus(): Promise<Seed[]> {
  fixturePath('fit');
  const seeds: Seed[] = [];
  for (const sub of FIXTURE_DIRS) {
    for (const p of files(join(SHARED, 'fixtures', sub))) {
      const name = relative(join(SHARED, 'fixtures'), p).split('/').join('_');
      // FitCSVTool dumps beside the FIT files are reference values, not an import format.
      if (sub === 'fit' && name.endsWith('.csv')) continue;
      const bytes = readFileSync(p);
      if (isText(name)) seeds.push({ name, bytes: shortText(name, bytes) });
      else if (/\.gz$/i.test(name) || statSync(p).size <= MAX_BINARY) seeds.push({ name, bytes });
    }
  }
  const demo = mkdtempSync(join(tmpdir(), 'fuzz-demo-'));
  try {
    await generateDemo(demo, { days: 30, seed: 7 });
    const read = (rel: string) => readFileSync(join(demo, rel));
    const fits = files(join(demo, 'garmin')).filter((f) => f.endsWith('.fit')).slice(0, 3);
    for (const f of fits) seeds.push({ name: `demo_garmin_${f.split('/').pop()}`, bytes: readFileSync(f) });
    for (const f of ['physiological_cycles.csv', 'sleeps.csv', 'workouts.csv', 'journal_entries.csv']) seeds.push({ name: f, bytes: headLines(read(`whoop_export/${f}`), 40) });
    seeds.push({ name: 'oura.json', bytes: smallOura(read('oura_export/oura.json')) });
    seeds.push({ name: 'weights.csv', bytes: read('vesync/weights.csv') });
    // The Strava account export as its zip: the activities CSV with three of its activity files (one gzipped).
    const csv = read('strava_export/activities.csv');
    const activities = files(join(demo, 'strava_export', 'activities'));
    const some = [activities.find((f) => f.endsWith('.gpx.gz')), ...activities.filter((f) => f.endsWith('.gpx')).slice(0, 2)].filter((f): f is string => !!f);
    seeds.push({ name: 'activities.csv', bytes: csv });
    seeds.push({
      name: 'strava_export.zip',
      bytes: zipOf([
        member('activities.csv', csv),
        ...some.map((f) => {
          const name = f.split('/').pop()!;
          return f.endsWith('.gz') ? member(`activities/${name}`, gzipSync(shortText(name.slice(0, -3), gunzipSync(readFileSync(f)))), true) : member(`activities/${name}`, shortText(name, readFileSync(f)));
        }),
      ]),
    });
  } finally {
    rmSync(demo, { recursive: true, force: true });
  }
  // A Garmin-export-like archive: summaries and a FIT in a nested UploadedFiles zip.
  const garminJson = seeds.filter((s) => s.name.startsWith('health_garmin_connect_api_')).slice(0, 3);
  const fit = seeds.find((s) => s.name.endsWith('garmin-fenix-5-run.fit'))!;
  seeds.push({
    name: 'garmin_export.zip',
    bytes: zipOf([
      ...garminJson.map((s) => member(`DI_CONNECT/DI-Connect-Fitness/${s.name}`, s.bytes)),
      member('DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip', zipOf([member('2001234567_ACTIVITY.fit', fit.bytes)])),
    ]),
  });
  return seeds;
}
