/**
 * HRV4Training's CSV export: one row per day. Column names as the app writes
 * them, observed in users' exports and in the headers GoldenCheetah's HRV
 * measures import accepts (GoldenCheetah `src/Core/Measures.cpp`: `rMSSD`,
 * `HR`, `AVNN`, `SDNN`, `pNN50`, `LF`, `HF`, `HRV4T_Recovery_Points`, and
 * `_lying` variants): the day in `date` (e.g. `2025-12-11 00:01:00 +0000`,
 * older exports `timestamp_measurement`), `-` for a value not measured,
 * and a space after each comma of the header.
 */
import { BiometricReading, emptyResult, rejectionOf, type ParseResult } from '../../core/models.ts';
import { readCsv, type CsvTable, type ExportOptions } from '../../formats/csv.ts';
import { SOURCE } from './index.ts';
import { hrv4tReadings, type Hrv4tMeasurement } from './map.ts';

const DAY_COLUMNS = ['date', 'timestamp_measurement'];
const VALUE_COLUMNS = ['rMSSD', 'SDNN', 'HR', 'HRV4T_Recovery_Points'] as const;

/** Whether a CSV header is HRV4Training's: a day column and rMSSD, or the app's own recovery points. */
export function isHrv4TrainingHeader(header: readonly string[]): boolean {
  const h = header.map((c) => c.trim());
  return h.includes('HRV4T_Recovery_Points') || (h.includes('rMSSD') && h.includes('HR') && DAY_COLUMNS.some((d) => h.includes(d)));
}

/** Parse an HRV4Training CSV export into daily HRV (RMSSD, SDNN) and resting HR readings. */
export function parseHrv4TrainingCsv(text: string, input: string, opts: ExportOptions = {}): ParseResult {
  const result = emptyResult();
  let table: CsvTable;
  try {
    table = readCsv(text);
  } catch (e) {
    result.errors.push({ input, reason: `unreadable CSV: ${(e as Error).message}` });
    return result;
  }
  const header = table.header.map((c) => c.trim());
  // A plain column, else its orthostatic `_lying` twin.
  const col = (name: string) => (header.includes(name) ? header.indexOf(name) : header.indexOf(`${name}_lying`));
  const dayCol = DAY_COLUMNS.map((d) => header.indexOf(d)).find((i) => i >= 0);
  if (dayCol === undefined || col('rMSSD') < 0) {
    result.errors.push({ input, field: dayCol === undefined ? 'date' : 'rMSSD', reason: 'not an HRV4Training export: it needs a "date" (or "timestamp_measurement") and an "rMSSD" column' });
    return result;
  }
  const source = opts.source ?? SOURCE;
  table.rows.forEach((cells, i) => {
    const record = `row ${i + 1} (line ${table.lines[i]})`;
    const dayCell = (cells[dayCol] ?? '').trim();
    const day = /^(\d{4}-\d{2}-\d{2})\b/.exec(dayCell)?.[1];
    if (!day) {
      result.errors.push({ input, record, field: header[dayCol], reason: `not a date: "${dayCell}" (row skipped)` });
      return;
    }
    const m: Hrv4tMeasurement = { day };
    const raw: Record<string, string> = {};
    for (const name of VALUE_COLUMNS) {
      const k = col(name);
      if (k < 0) continue;
      const cell = (cells[k] ?? '').trim();
      raw[header[k]!] = cell;
      if (cell === '' || cell === '-') continue;
      const v = Number(cell);
      if (!Number.isFinite(v)) {
        result.errors.push({ input, record, field: header[k], reason: `not a number: "${cell}" (value left absent)` });
        continue;
      }
      m[name] = v;
    }
    for (const r of hrv4tReadings(m, { source, athleteId: opts.athleteId ?? 'me', input, raw: { row: i + 1, ...raw } })) {
      const problem = rejectionOf(BiometricReading, r, input, record, r.metric_type);
      if (problem) result.errors.push(problem);
      else result.biometrics.push(r);
    }
  });
  return result;
}
