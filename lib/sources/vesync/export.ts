/**
 * Smart-scale weight CSV, as this project defines the VeSync/Etekcity app
 * export: `Time,Weight(kg),Body Fat(%),BMI,Muscle Mass(kg)`, pounds accepted,
 * local `YYYY-MM-DD HH:MM:SS` times with an optional `Timezone` column.
 */
import {
  BiometricReading,
  METRIC_UNITS,
  emptyResult,
  type BiometricReadingInput,
  type MetricType,
  type ParseResult,
  rejectionOf,
} from '../../core/models.ts';
import {
  bindColumns,
  columnIndex,
  convertRow,
  num,
  readCsv,
  reported,
  scaled,
  utcOffset,
  wallTime,
  type ColumnSpec,
  type CsvTable,
  type ExportOptions,
  type WallTime,
} from '../../formats/csv.ts';

/** The international avoirdupois pound, exactly (Weights and Measures Act 1963). */
const KG_PER_LB = 0.45359237;

type Field = 'time' | 'tz' | 'weight' | 'body_fat_pct' | 'bmi' | 'muscle_mass';

const COLUMNS: readonly ColumnSpec<Field>[] = [
  { column: 'Time', field: 'time', convert: wallTime },
  { column: 'Date', field: 'time', convert: wallTime },
  { column: 'Timezone', field: 'tz', convert: utcOffset },
  { column: 'Weight(kg)', field: 'weight', convert: num },
  { column: 'Weight(lb)', field: 'weight', convert: scaled(KG_PER_LB) },
  { column: 'Body Fat(%)', field: 'body_fat_pct', convert: num },
  { column: 'BMI', field: 'bmi', convert: num },
  { column: 'Muscle Mass(kg)', field: 'muscle_mass', convert: num },
  { column: 'Muscle Mass(lb)', field: 'muscle_mass', convert: scaled(KG_PER_LB) },
];

const METRICS: readonly (MetricType & Field)[] = ['weight', 'body_fat_pct', 'bmi', 'muscle_mass'];

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
    if (v.weight === 0) zeroWeights++;
    const values = METRICS.map((m) => [m, v[m] as number | undefined] as const).filter(([, x]) => x != null && x !== 0);
    if (!values.length) return;
    const time = v.time as WallTime | undefined;
    if (!time) {
      if (!reported(result.errors, record, 'Time') && !reported(result.errors, record, 'Date')) {
        result.errors.push({ input, record, field: 'Time', reason: `no time given (line ${table.lines[i]})` });
      }
      return;
    }
    const tz = v.tz as number | undefined;
    for (const [metric, value] of values) {
      pending.push({
        record,
        reading: {
          athlete_id: opts.athleteId ?? 'me',
          date: time.day,
          time: tz != null ? new Date(time.wallMs - tz * 60_000) : null,
          metric_type: metric,
          value: value!,
          unit: METRIC_UNITS[metric],
          source,
          raw_data: { row: i + 1, utc_offset_min: tz ?? null },
          input,
        },
      });
    }
  });
  for (const { reading, record } of pending) {
    reading.raw_data = { ...(reading.raw_data as object), zero_weights_skipped: zeroWeights };
    const problem = rejectionOf(BiometricReading, reading, input, record, reading.metric_type);
    if (problem) result.errors.push(problem);
    else result.biometrics.push(reading);
  }
  return result;
}
