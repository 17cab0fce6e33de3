/** The VeSync scale app's CSV: `Time,Weight(kg),Body Fat(%),BMI,Muscle Mass(kg)`, local time, 0.0 rows are placeholders. */
import { bmi, type DayRecord } from './athlete.ts';
import { localWall } from './clock.ts';
import { csvText } from './csv.ts';

/** Header of weights.csv. */
export const SCALE_HEADER: readonly string[] = ['Time', 'Weight(kg)', 'Body Fat(%)', 'BMI', 'Muscle Mass(kg)'];

/** weights.csv text and its row count. */
export function writeScale(days: DayRecord[]): { text: string; rows: number } {
  const rows: string[][] = [];
  for (const d of days) {
    if (d.weighInMs === null) continue;
    const time = localWall(d.weighInMs, d.offsetMin);
    if (d.weighInPlaceholder) rows.push([time, '0.0', '0.0', '0.0', '0.0']);
    else rows.push([time, d.weightKg.toFixed(1), d.bodyFatPct.toFixed(1), bmi(d.weightKg).toFixed(1), d.muscleKg.toFixed(1)]);
  }
  return { text: csvText(SCALE_HEADER, rows), rows: rows.length };
}
