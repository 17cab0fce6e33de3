/**
 * The predecessor's exports (`data/export_*_workouts.*`, `*_biometrics.*`):
 * its `workouts` and `biometrics` tables written out by pandas as CSV, JSON
 * or Parquet, with the tables' own column names. Their rows are mapped as
 * the database's are (rows.ts). CSV and JSON are read here; Parquet rows come
 * from the caller, which has DuckDB.
 */
import { readCsv } from '../../formats/csv.ts';
import { emptyRead, type LegacyRead } from './read.ts';
import { mapLegacyBiometricRow, mapLegacyWorkoutRow, type LegacyRow } from './rows.ts';

/** Which table an export file holds, from its name; undefined for other files. */
export function legacyExportTable(fileName: string): 'workouts' | 'biometrics' | undefined {
  const m = /_(workouts|biometrics)\.(csv|json|parquet)$/i.exec(fileName);
  return m ? (m[1]!.toLowerCase() as 'workouts' | 'biometrics') : undefined;
}

/** Rows of an exported CSV file. */
export function exportCsvRows(csvText: string): LegacyRow[] {
  const t = readCsv(csvText);
  return t.rows.map((cells) => Object.fromEntries(t.header.map((h, k) => [h.trim(), cells[k] ?? ''])));
}

/**
 * Rows of an exported JSON file: pandas writes a list of row objects
 * (`orient='records'`) or, by default, an object of columns each keyed by row index.
 */
export function exportJsonRows(jsonText: string): LegacyRow[] {
  const doc: unknown = JSON.parse(jsonText.replace(/^\uFEFF/, ''));
  if (Array.isArray(doc)) return doc.filter((r): r is LegacyRow => !!r && typeof r === 'object' && !Array.isArray(r));
  if (!doc || typeof doc !== 'object') throw new Error('expected a list of rows or an object of columns');
  const columns = Object.entries(doc as Record<string, unknown>);
  const rows = new Map<string, LegacyRow>();
  for (const [name, byIndex] of columns) {
    if (!byIndex || typeof byIndex !== 'object') throw new Error(`column ${name} is not an object of rows`);
    for (const [index, v] of Object.entries(byIndex)) {
      const row = rows.get(index) ?? {};
      row[name] = v;
      rows.set(index, row);
    }
  }
  return [...rows.entries()].sort((a, b) => Number(a[0]) - Number(b[0])).map(([, r]) => r);
}

/** Map the rows of one export file of `table`; each file's records are its own (external ids prefixed with its name). */
export function readLegacyExportRows(
  rows: readonly LegacyRow[],
  table: 'workouts' | 'biometrics',
  input: string,
  opts: { athleteId: string; fileName: string },
): LegacyRead {
  const read = emptyRead();
  const map = table === 'workouts' ? mapLegacyWorkoutRow : mapLegacyBiometricRow;
  rows.forEach((row, i) => {
    const r = map(row, { input, record: `row ${i + 1}`, athleteId: opts.athleteId, idPrefix: `${opts.fileName}#` });
    if (r.workout) read.result.workouts.push(r.workout);
    if (r.reading) read.result.biometrics.push(r.reading);
    if (r.profile) read.profile.push(r.profile);
    if (r.error) read.result.errors.push(r.error);
    read.leftOut.push(...r.leftOut);
  });
  return read;
}
