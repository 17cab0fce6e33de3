/**
 * Elite HRV's export of readings: the app e-mails an archive with one text
 * file per reading, named after its local start (`YYYY-MM-DD HH-MM-SS.txt`),
 * holding the reading's R-R intervals in ms, one per line (Elite HRV FAQ:
 * "Data exported from the app comes in raw R-R interval form"; the file
 * shape as seen in users' exports published with open-source readers such as
 * chriotte/EliteHRV_to_dataframe). The file name carries no UTC offset, so
 * readings keep their local day and no instant.
 */
import { posix } from 'node:path';
import { BiometricReading, emptyResult, rejectionOf, type ParseResult } from '../../core/models.ts';
import type { ExportOptions } from '../../formats/csv.ts';
import { SOURCE } from './index.ts';
import { eliteHrvReadings, notDaily, summariseRr } from './map.ts';

const FILE_NAME = /^(\d{4}-\d{2}-\d{2}) (\d{2})-(\d{2})-(\d{2})\.txt$/i;

/** The reading's local day and clock from an export file name, or null when the name is not one. */
export function eliteHrvFileStart(name: string): { day: string; clock: string } | null {
  const m = FILE_NAME.exec(posix.basename(name.split('!').pop()!.split('\\').join('/')));
  return m ? { day: m[1]!, clock: `${m[2]}:${m[3]}:${m[4]}` } : null;
}

/** Whether a file is an Elite HRV reading: its name, and a head of whole numbers one per line. */
export function isEliteHrvReading(name: string, head: string): boolean {
  if (!eliteHrvFileStart(name)) return false;
  const lines = head.split(/\r?\n/).slice(0, -1).filter((l) => l.trim() !== '');
  return lines.length > 0 && lines.every((l) => /^\s*\d{2,4}\s*$/.test(l));
}

/** Parse one Elite HRV reading file into the day's RMSSD and resting HR (morning readings only). */
export function parseEliteHrvReading(text: string, input: string, opts: ExportOptions = {}): ParseResult {
  const result = emptyResult();
  const start = eliteHrvFileStart(input);
  if (!start) {
    result.errors.push({ input, reason: 'not an Elite HRV reading: the file name is not "YYYY-MM-DD HH-MM-SS.txt"' });
    return result;
  }
  const rr: number[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const t = line.trim();
    if (t === '') return;
    const v = Number(t);
    if (Number.isFinite(v)) rr.push(v);
    else result.errors.push({ input, record: `line ${i + 1}`, field: 'rr_ms', reason: `not an R-R interval in ms: "${t}" (line skipped)` });
  });
  const reading = { ...start, rrMs: rr };
  const summary = summariseRr(rr);
  const why = notDaily(reading, summary);
  if (why !== null) {
    result.errors.push({ input, record: `reading ${start.day} ${start.clock}`, reason: why });
    return result;
  }
  // notDaily is null only with a summary.
  for (const r of eliteHrvReadings(reading, summary!, { source: opts.source ?? SOURCE, athleteId: opts.athleteId ?? 'me', input })) {
    const problem = rejectionOf(BiometricReading, r, input, `reading ${start.day} ${start.clock}`, r.metric_type);
    if (problem) result.errors.push(problem);
    else result.biometrics.push(r);
  }
  return result;
}
