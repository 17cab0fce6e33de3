/** Reading FitCSVTool dumps (the FIT SDK's ground truth for a file) in tests. */
import { readFixture } from '../helpers/shared.ts';

/** Seconds between the Unix epoch and the FIT epoch. */
export const FIT_EPOCH_S = 631065600;

/** Split one CSV line, honouring double quotes. */
function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** Data rows of one message in a FitCSVTool dump: field name to value string (the first of a repeated name). */
export function fitCsvRows(rel: string, message: string): Record<string, string>[] {
  const rows: Record<string, string>[] = [];
  for (const line of readFixture(rel).toString('utf8').split(/\r?\n/)) {
    const cells = splitCsv(line);
    if (cells[0] !== 'Data' || cells[2] !== message) continue;
    const row: Record<string, string> = {};
    for (let i = 3; i + 1 < cells.length; i += 3) if (cells[i]) row[cells[i]!] ??= cells[i + 1]!;
    rows.push(row);
  }
  return rows;
}

/** A dump's value as a number; NaN when absent. */
export function value(s: string | undefined): number {
  return s === undefined || s === '' ? NaN : Number(s);
}

/** A dump's FIT date_time as epoch ms. */
export function fitTimeMs(s: string | undefined): number {
  return (value(s) + FIT_EPOCH_S) * 1000;
}
