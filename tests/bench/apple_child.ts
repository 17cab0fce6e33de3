/**
 * Child process of the Apple Health benchmark: imports one export.xml into a
 * fresh warehouse with importPaths, then again unchanged, and prints seconds,
 * counts and peak RSS as JSON. Its own process, so the peak RSS is the
 * import's alone.
 */
import { createReadStream } from 'node:fs';
import { SaxesParser } from 'saxes';
import { importPaths } from '../../lib/ingest/importer.ts';
import { withWarehouse } from './measure.ts';

const path = process.argv[2];
if (!path) throw new Error('usage: apple_child.ts EXPORT_XML');

/** Baseline: saxes alone (an empty opentag handler) over the first `limit` bytes, MB/s. */
async function bareSaxes(limit: number): Promise<number> {
  const parser = new SaxesParser({ xmlns: false, position: true });
  let tags = 0;
  parser.on('opentag', () => tags++);
  const decoder = new TextDecoder('utf-8');
  const t = performance.now();
  let bytes = 0;
  for await (const chunk of createReadStream(path!, { highWaterMark: 1 << 20, end: limit - 1 })) {
    bytes += (chunk as Buffer).length;
    parser.write(decoder.decode(chunk as Buffer, { stream: true }));
  }
  if (tags === 0) throw new Error('saxes saw no elements');
  return bytes / 1e6 / ((performance.now() - t) / 1000);
}

const baselineMBs = await bareSaxes(100 * 1024 * 1024);
const summary = await withWarehouse(async (wh) => {
  const t = performance.now();
  const s = await importPaths(wh, [path], { athleteId: 'me' });
  const first = (performance.now() - t) / 1000;
  const t2 = performance.now();
  const again = await importPaths(wh, [path], { athleteId: 'me' });
  return { ...s, s: first, againS: (performance.now() - t2) / 1000, againUnchanged: again.unchanged };
});
// resourceUsage().maxRSS is in kilobytes.
console.log(JSON.stringify({ baselineMBs, s: summary.s, againS: summary.againS, againUnchanged: summary.againUnchanged, workouts: summary.workouts, biometrics: summary.biometrics, errors: summary.errors, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
