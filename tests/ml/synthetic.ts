/** Generated data with planted signals for the ml tests (seeded, so every run is the same). */
import { acwrEwma } from '../../lib/analysis/index.ts';
import { cohortFeatureColumns, COHORT_ID_COLUMNS, type CohortRow } from '../../lib/ml/cohort.ts';
import type { DailyRow, InjuryRecord } from '../../lib/ml/features.ts';
import { seededRandom } from '../../lib/core/random.ts';

/** A daily row with only load and sources set. */
export function day(athlete_id: string, date: string, load: number | null, sources: string[] = ['garmin']): DailyRow {
  return {
    athlete_id,
    date,
    load,
    sleep_h: null,
    sleep_efficiency: null,
    hrv_ln_rmssd_7d: null,
    hrv_baseline: null,
    resting_hr: null,
    rhr_baseline: null,
    diversity_28d: null,
    high_intensity_min: null,
    sessions: load !== null && load > 0 ? 1 : 0,
    sources,
  };
}

const DAY_MS = 86_400_000;
/** YYYY-MM-DD of day `n` after 2022-01-01. */
export const dateOf = (n: number): string => new Date(Date.UTC(2022, 0, 1) + n * DAY_MS).toISOString().slice(0, 10);

/**
 * Athletes training ~60/day with 10-day load spikes (×2) every few weeks;
 * an injury begins with probability 0.12 a day while ACWR (EWMA) is above 1.3,
 * 0.002 otherwise, and is followed by 15 days of near rest (its end date the day after).
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
        injuries.push({ athlete_id: id, date: dateOf(d + 1), area: 'calf', severity: 'moderate', end_date: dateOf(d + 16) });
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

/** A generated cohort of the published day-approach shape, with the probability each row was drawn from. */
export interface PlantedCohort {
  rows: CohortRow[];
  /** The planted probability of an injury on each row's event day. */
  truth: number[];
}

/**
 * A runners' cohort of the published shape (Lövdal et al. 2021, day
 * approach): 74 athletes, 42,766 event days with the 7 days before each
 * (10 features a day, block `.6` the day before the event), about 583
 * injuries (1.4 %). Each athlete has their own mileage, rhythm and rating
 * habits, so only per-athlete z-scores make them comparable. The planted
 * hazard rises with the last week's mileage relative to the athlete's level,
 * with hard (zone 5) kilometres of the last three days and with poor
 * perceived recovery, steeply past a 1.3× week; `truth` is that probability,
 * so the AUC it reaches on the test athletes is the ceiling any model can.
 */
export function plantedCohort(options: { athletes?: number; rows?: number; positives?: number; seed?: number } = {}): PlantedCohort {
  const { athletes = 74, rows: totalRows = 42_766, positives = 583, seed = 2021 } = options;
  const random = seededRandom(seed);
  const weights = Array.from({ length: athletes }, () => 0.3 + 1.4 * random());
  const wSum = weights.reduce((s, w) => s + w, 0);
  const counts = weights.map((w) => Math.floor((totalRows * w) / wSum));
  for (let a = 0; totalRows - counts.reduce((s, c) => s + c, 0) > 0; a = (a + 1) % athletes) counts[a]!++;
  const drafts: { athleteId: number; date: number; features: number[]; logit: number }[] = [];
  for (let a = 0; a < athletes; a++) {
    const level = 5 + 10 * random();
    const restShare = 0.08 + 0.15 * random();
    const exertionBias = 0.3 + 0.3 * random();
    const recoveryBias = 0.45 + 0.3 * random();
    const days: number[][] = [];
    const km: number[] = [];
    let spike = 0;
    let fatigue = 0;
    for (let t = 0; t < counts[a]! + 7; t++) {
      if (spike === 0 && random() < 0.02) spike = 7 + Math.floor(random() * 8);
      const build = spike > 0 ? 1.5 + 0.4 * random() : 1;
      if (spike > 0) spike--;
      const rest = random() < restShare;
      const dayKm = rest ? 0 : level * build * (0.5 + random());
      const hard = !rest && random() < 0.3;
      const intervals = !rest && random() < 0.15;
      const z34 = hard ? dayKm * (0.1 + 0.3 * random()) : 0;
      const z5 = intervals ? dayKm * (0.05 + 0.2 * random()) : 0;
      fatigue = 0.7 * fatigue + 0.3 * (dayKm / level);
      const rate = (x: number): number => (rest ? -0.01 : Math.round(Math.min(1, Math.max(0, x)) * 100) / 100);
      days.push([
        rest ? 0 : random() < 0.2 ? 2 : 1,
        dayKm,
        z34,
        z5,
        intervals ? dayKm * 0.03 * random() : 0,
        !rest && random() < 0.2 ? 1 : 0,
        !rest && random() < 0.2 ? random() : 0,
        rate(exertionBias + 0.25 * (dayKm / level - 1) + 0.1 * (random() - 0.5)),
        rate(0.6 + 0.3 * (random() - 0.5)),
        rate(recoveryBias - 0.25 * (fatigue - 1) + 0.15 * (random() - 0.5)),
      ]);
      km.push(dayKm);
    }
    for (let r = 0; r < counts[a]!; r++) {
      const window = days.slice(r, r + 7);
      const week = km.slice(r, r + 7).reduce((s, x) => s + x, 0) / (7 * level);
      const hardKm = window.slice(4).reduce((s, d) => s + d[3]!, 0) / level;
      const rated = window.slice(4).filter((d) => d[9]! >= 0);
      const recovery = rated.length ? rated.reduce((s, d) => s + d[9]!, 0) / rated.length - recoveryBias : 0;
      const logit = 2 * (week - 1) + 1.2 * Math.max(0, week - 1.3) * 4 + 1.5 * hardKm - 3 * recovery;
      drafts.push({ athleteId: a, date: r, features: window.flat(), logit });
    }
  }
  // The intercept that gives `positives` injuries in expectation.
  let lo = -20;
  let hi = 5;
  for (let k = 0; k < 60; k++) {
    const mid = (lo + hi) / 2;
    const expected = drafts.reduce((s, d) => s + 1 / (1 + Math.exp(-(d.logit + mid))), 0);
    if (expected > positives) hi = mid;
    else lo = mid;
  }
  const truth = drafts.map((d) => 1 / (1 + Math.exp(-(d.logit + lo))));
  const rows = drafts.map((d, i) => ({ athleteId: d.athleteId, injury: (random() < truth[i]! ? 1 : 0) as 0 | 1, date: d.date, features: d.features }));
  return { rows, truth };
}

/** The cohort as the published CSV (73 columns), for the CLI. */
export function cohortCsvText(rows: readonly CohortRow[]): string {
  const header = [...cohortFeatureColumns('day'), ...COHORT_ID_COLUMNS];
  const lines = [header.join(',')];
  for (const r of rows) lines.push([...r.features.map((v) => Number(v.toFixed(4))), r.athleteId, r.injury, r.date].join(','));
  return `${lines.join('\n')}\n`;
}
