/**
 * Large single files for the memory benchmarks, written piece by piece into
 * the temp folder (never built as one string): one GPX track of millions of
 * points, a CSV of many rows, and a CSV that is one enormous line.
 */
import { closeSync, existsSync, openSync, readFileSync, statSync, writeSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom as rng } from '../../lib/core/random.ts';

/** A generated file and what it holds. */
export interface LargeFile {
  path: string;
  bytes: number;
  /** Track points (GPX) or data rows (CSV). */
  items: number;
}

/** Write `parts()` to `path` in pieces of about 1 MB (unless a finished copy exists); returns how many parts. */
function written(path: string, parts: () => Generator<string>): number {
  const done = `${path}.done`;
  if (existsSync(done) && existsSync(path)) return Number(readFileSync(done, 'utf8'));
  const fd = openSync(path, 'w');
  let items = 0;
  let pending: string[] = [];
  let size = 0;
  try {
    for (const p of parts()) {
      pending.push(p);
      size += p.length;
      items++;
      if (size >= 1 << 20) {
        writeSync(fd, pending.join(''));
        pending = [];
        size = 0;
      }
    }
    writeSync(fd, pending.join(''));
  } finally {
    closeSync(fd);
  }
  writeFileSync(done, String(items));
  return items;
}

/** A GPX of one track whose size is about `mb` megabytes (1 Hz points, heart rate and cadence). */
export function largeGpx(mb: number): LargeFile {
  const path = join(tmpdir(), `app-bench-large-v2-${mb}mb.gpx`);
  const target = mb * 1e6;
  const items = written(path, function* () {
    yield `<?xml version="1.0" encoding="UTF-8"?>
<gpx creator="Garmin Connect" version="1.1" xmlns="http://www.topografix.com/GPX/1/1" xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">
 <trk><name>Long ride</name><type>cycling</type><trkseg>
`;
    const r = rng(42);
    let lat = 46.9;
    let lon = 7.4;
    let ele = 500;
    let bytes = 0;
    const start = Date.UTC(2024, 0, 1, 6);
    for (let k = 0; bytes < target; k++) {
      // Out and back every 10,000 points, so a track of millions of points stays near its start.
      lat += (Math.floor(k / 10_000) % 2 === 0 ? 1 : -1) * ((3 + r()) / 111_320);
      lon += (r() - 0.5) / 75_000;
      ele += (r() - 0.5) * 0.5;
      const line = `   <trkpt lat="${lat.toFixed(7)}" lon="${lon.toFixed(7)}"><ele>${ele.toFixed(1)}</ele><time>${new Date(start + k * 1000).toISOString().replace('.000Z', 'Z')}</time><extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>${120 + (k % 40)}</gpxtpx:hr><gpxtpx:cad>${80 + (k % 8)}</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions></trkpt>\n`;
      bytes += line.length;
      yield line;
    }
    yield ' </trkseg></trk>\n</gpx>\n';
  }) - 2;
  return { path, bytes: statSync(path).size, items };
}

/** A CSV of about `mb` megabytes: many ordinary rows of a wide export. */
export function largeCsv(mb: number): LargeFile {
  const path = join(tmpdir(), `app-bench-large-${mb}mb-rows.csv`);
  const target = mb * 1e6;
  const items = written(path, function* () {
    yield 'id,time,name,"notes, quoted",distance_m,hr,cadence\n';
    let bytes = 0;
    for (let k = 0; bytes < target; k++) {
      const line = `${k},2024-01-01T06:${String(k % 60).padStart(2, '0')}:00Z,Row ${k},"a ""quoted"", note ${k % 97}",${(k * 3.7).toFixed(1)},${120 + (k % 40)},${80 + (k % 8)}\n`;
      bytes += line.length;
      yield line;
    }
  }) - 1;
  return { path, bytes: statSync(path).size, items };
}

/** A CSV of about `mb` megabytes that is a header and one enormous line (no line break for hundreds of MB). */
export function singleLineCsv(mb: number): LargeFile {
  const path = join(tmpdir(), `app-bench-large-${mb}mb-one-line.csv`);
  const target = mb * 1e6;
  written(path, function* () {
    yield 'Timestamp,Longitude,Latitude\n';
    const cell = '44519.71565509259,-9.123676221696329,41.72609520324996,'.repeat(1000);
    for (let bytes = 0; bytes < target; bytes += cell.length) yield cell;
    yield '\n';
  });
  return { path, bytes: statSync(path).size, items: 0 };
}
