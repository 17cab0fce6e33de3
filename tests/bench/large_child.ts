/**
 * Child process of the large-file benchmark: parses one file the way named
 * by its first argument and prints seconds, counts and peak RSS as JSON. Its
 * own process, so the peak RSS is that parse's alone.
 */
import { closeSync, createReadStream, openSync, readFileSync, readSync } from 'node:fs';
import { SaxesParser } from 'saxes';
import { parseGpxStream } from '../../lib/formats/gpx.ts';
import { readCsv, readCsvStream } from '../../lib/formats/csv.ts';

const [kind, path, limitArg] = process.argv.slice(2);
if (!kind || !path) throw new Error('usage: large_child.ts gpx|saxes|csv|csv-whole PATH [BYTES]');
const chunks = () => createReadStream(path, { highWaterMark: 1 << 20, end: limitArg ? Number(limitArg) - 1 : undefined }) as AsyncIterable<Uint8Array>;

const t = performance.now();
let items = 0;
let errors = 0;
let bytes = 0;
if (kind === 'gpx') {
  const r = await parseGpxStream(chunks(), path);
  items = r.streams.reduce((n, s) => n + s.time.length, 0);
  errors = r.errors.length;
} else if (kind === 'saxes') {
  // Baseline: saxes alone (an empty opentag handler) over the same bytes, counting track points.
  const parser = new SaxesParser({ xmlns: false });
  parser.on('opentag', (tag) => {
    if (tag.name === 'trkpt') items++;
  });
  const decoder = new TextDecoder('utf-8');
  for await (const c of chunks()) {
    bytes += c.length;
    parser.write(decoder.decode(c, { stream: true }));
  }
} else if (kind === 'csv') {
  await readCsvStream(chunks(), { header: () => {}, row: () => items++ }, { onTooLong: () => errors++ });
} else if (kind === 'csv-whole') {
  // Baseline: the whole text read at once, as importers did before (only the first BYTES of the file, when given).
  let text: string;
  if (limitArg) {
    const buf = Buffer.alloc(Number(limitArg));
    const fd = openSync(path, 'r');
    try {
      text = buf.subarray(0, readSync(fd, buf, 0, buf.length, 0)).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } else {
    text = readFileSync(path, 'utf8');
  }
  items = readCsv(text).rows.length;
} else {
  throw new Error(`unknown kind ${kind}`);
}
const s = (performance.now() - t) / 1000;
// resourceUsage().maxRSS is in kilobytes.
console.log(JSON.stringify({ s, items, errors, bytes, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
