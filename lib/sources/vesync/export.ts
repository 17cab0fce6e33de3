/**
 * Smart-scale weight CSV, as this project defines the VeSync/Etekcity app
 * export: `Time,Weight(kg),Body Fat(%),BMI,Muscle Mass(kg)`, pounds accepted,
 * local `YYYY-MM-DD HH:MM:SS` times with an optional `Timezone` column. Each
 * row is put into the shape of the fat-scale endpoint's weigh-in (map.ts) and
 * mapped there.
 */
import { holdsReading, weighInReadings, type WeighInRecord } from './map.ts';
import { BiometricReading, emptyResult, type BiometricReadingInput, type ParseResult, rejectionOf } from '../../core/models.ts';
import {
  bindColumns,
  columnIndex,
  convertRow,
  num,
  readCsv,
  reported,
  utcOffset,
  wallTime,
  type CellConverter,
  type ColumnSpec,
  type CsvTable,
  type ExportOptions,
  type WallTime,
} from '../../formats/csv.ts';

/** The international avoirdupois pound, exactly (Weights and Measures Act 1963). */
const KG_PER_LB = 0.45359237;

/** Cell converter: an amount, which cannot be negative. */
const amount: CellConverter<number> = (cell) => {
  const v = num(cell);
  if (v < 0) throw new Error('a negative amount');
  return v;
};
const pounds: CellConverter<number> = (cell) => amount(cell) * KG_PER_LB;

type Field = 'time' | 'tz' | keyof WeighInRecord;

// Fields carry the weigh-in record's names (map.ts); pounds become kilograms here.
const COLUMNS: readonly ColumnSpec<Field>[] = [
  { column: 'Time', field: 'time', convert: wallTime },
  { column: 'Date', field: 'time', convert: wallTime },
  { column: 'Timezone', field: 'tz', convert: utcOffset },
  { column: 'Weight(kg)', field: 'weigh_kg', convert: amount },
  { column: 'Weight(lb)', field: 'weigh_kg', convert: pounds },
  { column: 'Body Fat(%)', field: 'bodyFat', convert: amount },
  { column: 'BMI', field: 'bmi', convert: amount },
  { column: 'Muscle Mass(kg)', field: 'muscle_kg', convert: amount },
  { column: 'Muscle Mass(lb)', field: 'muscle_kg', convert: pounds },
];

/**
 * Parse a smart-scale CSV into weight, body fat, BMI and muscle mass
 * readings dated on the local day of the weigh-in. A zero (or empty) value is
 * absent: the predecessor wrote placeholder zeros, so such rows are skipped
 * without an error; how many zero weights were skipped is recorded in every
 * reading's raw_data (`zero_weights_skipped`). Without a `Timezone` column
 * the instant is unknown and `time` is null.
 */
export function parseScaleCsv(csvText: string, input: string, opts: ExportOptions = {}): ParseResult {
  const result = emptyResult();
  let table: CsvTable;
  try {
    table = readCsv(csvText);
  } catch (e) {
    result.errors.push({ input, reason: `unreadable CSV: ${(e as Error).message}` });
    return result;
  }
  const hasTime = columnIndex(table.header, 'Time') >= 0 || columnIndex(table.header, 'Date') >= 0;
  const hasWeight = table.header.some((h) => h.startsWith('Weight('));
  if (!hasTime || !hasWeight) {
    result.errors.push({ input, field: hasTime ? 'Weight(kg)' : 'Time', reason: 'not a scale CSV: it needs a "Time" (or "Date") column and a "Weight(kg)" or "Weight(lb)" column' });
    return result;
  }
  const bound = bindColumns(table.header, COLUMNS);
  const source = opts.source ?? 'vesync';
  const pending: { reading: BiometricReadingInput; record: string }[] = [];
  let zeroWeights = 0;
  table.rows.forEach((cells, i) => {
    const record = `row ${i + 1}`;
    const v = convertRow(bound, cells, input, record, result.errors);
    if (v.weigh_kg === 0) zeroWeights++;
    const weighIn: WeighInRecord = {
      weigh_kg: v.weigh_kg as number | undefined,
      bodyFat: v.bodyFat as number | undefined,
      bmi: v.bmi as number | undefined,
      muscle_kg: v.muscle_kg as number | undefined,
    };
    if (!holdsReading(weighIn)) return;
    const time = v.time as WallTime | undefined;
    if (!time) {
      if (!reported(result.errors, record, 'Time') && !reported(result.errors, record, 'Date')) {
        result.errors.push({ input, record, field: 'Time', reason: `no time given (line ${table.lines[i]})` });
      }
      return;
    }
    // The day as the app wrote it; the instant only when the row gives its offset.
    const tz = v.tz as number | undefined;
    const at = { day: time.day, time: tz != null ? new Date(time.wallMs - tz * 60_000) : null };
    const origin = { source, raw_data: { row: i + 1, utc_offset_min: tz ?? null } };
    for (const r of weighInReadings(weighIn, at, origin)) pending.push({ record, reading: { ...r, athlete_id: opts.athleteId ?? 'me', input } });
  });
  for (const { reading, record } of pending) {
    reading.raw_data = { ...(reading.raw_data as object), zero_weights_skipped: zeroWeights };
    const problem = rejectionOf(BiometricReading, reading, input, record, reading.metric_type);
    if (problem) result.errors.push(problem);
    else result.biometrics.push(reading);
  }
  return result;
}
