/** Generated data with planted signals for the ml tests (seeded, so every run is the same). */
import { acwrEwma } from '../../lib/analysis/index.ts';
import { cohortFeatureColumns, COHORT_ID_COLUMNS } from '../../lib/ml/cohort.ts';
import type { DailyRow, InjuryRecord } from '../../lib/ml/features.ts';
import { seededRandom } from '../../lib/ml/forest.ts';

/** A daily row with only load and sources set. */
export function day(athlete_id: string, date: string, load: number, sources: string[] = ['garmin']): DailyRow {
  return {
    athlete_id,
    date,
    load,
    acwr_ewma: null,
    acwr_rolling: null,
    ctl: null,
    atl: null,
    tsb: null,
    monotony: null,
    strain: null,
    sleep_h: null,
    sleep_efficiency: null,
    hrv_ln_rmssd_7d: null,
    hrv_baseline: null,
    resting_hr: null,
    rhr_baseline: null,
    diversity_28d: null,
    high_intensity_min: null,
    sessions: load > 0 ? 1 : 0,
    sources,
  };
}

const DAY_MS = 86_400_000;
/** YYYY-MM-DD of day `n` after 2022-01-01. */
export const dateOf = (n: number): string => new Date(Date.UTC(2022, 0, 1) + n * DAY_MS).toISOString().slice(0, 10);

/**
 * Athletes training ~60/day with 10-day load spikes (×2) every few weeks;
 * an injury begins with probability 0.12 a day while ACWR (EWMA) is above 1.3,
 * 0.002 otherwise, and is followed by 14 days of near rest.
 */
export function squad(athletes = 4, days = 420, seed = 7): { days: DailyRow[]; injuries: InjuryRecord[] } {
  const random = seededRandom(seed);
  const rows: DailyRow[] = [];
  const injuries: InjuryRecord[] = [];
  for (let a = 0; a < athletes; a++) {
    const id = `ath${a}`;
    const loads: number[] = [];
    let spikeLeft = 0;
    let injuredLeft = 0;
    for (let d = 0; d < days; d++) {
      if (spikeLeft === 0 && injuredLeft === 0 && d > 35 && random() < 0.03) spikeLeft = 10;
      let load = random() < 1 / 7 ? 0 : 60 * (0.7 + 0.6 * random());
      if (spikeLeft > 0) {
        load *= 2;
        spikeLeft--;
      }
      if (injuredLeft > 0) {
        load *= 0.1;
        injuredLeft--;
      }
      loads.push(load);
      const ratio = acwrEwma(loads).at(-1)!.ratio;
      const hazard = injuredLeft === 0 && ratio !== null && ratio > 1.3 ? 0.12 : 0.002;
      // The injury begins on the next day, after today's load.
      if (injuredLeft === 0 && d + 1 < days && random() < hazard) {
        injuries.push({ athlete_id: id, date: dateOf(d + 1), area: 'calf', severity: 'moderate' });
        injuredLeft = 15;
        spikeLeft = 0;
      }
      rows.push(day(id, dateOf(d), load));
    }
  }
  return { days: rows, injuries };
}

/**
 * A day-approach CSV with exactly the published columns (70 features + Athlete
 * ID, injury, Date = 73). Athletes have their own mileage level; the injury
 * probability rises steeply with the window's total km relative to the
 * athlete's level (a planted spike signal). Perceived fields are −0.01 on rest days.
 */
export function cohortCsv(athletes = 24, rowsPerAthlete = 120, seed = 11): { text: string; header: string[] } {
  const random = seededRandom(seed);
  const header = [...cohortFeatureColumns('day'), ...COHORT_ID_COLUMNS];
  const lines = [header.map((h) => (h.includes(',') ? `"${h}"` : h)).join(',')];
  for (let a = 0; a < athletes; a++) {
    const level = 6 + 10 * random();
    for (let r = 0; r < rowsPerAthlete; r++) {
      const spike = random() < 0.25 ? 1 + random() : 1;
      const cells: number[] = [];
      let km7 = 0;
      for (let b = 0; b < 7; b++) {
        const rest = random() < 0.15;
        const km = rest ? 0 : level * spike * (0.6 + 0.8 * random());
        km7 += km;
        const perceived = (): number => (rest ? -0.01 : Math.round(random() * 100) / 100);
        cells.push(rest ? 0 : 1, km, km * 0.2 * random(), km * 0.1 * random(), km * 0.02 * random(), random() < 0.2 ? 1 : 0, random() * 0.5, perceived(), perceived(), perceived());
      }
      const relative = km7 / (7 * level);
      const p = 1 / (1 + Math.exp(-(-4.5 + 6 * (relative - 0.9))));
      const injury = random() < p ? 1 : 0;
      lines.push([...cells.map((v) => Number(v.toFixed(4))), a, injury, r].join(','));
    }
  }
  return { text: lines.join('\n') + '\n', header };
}
