/**
 * The squad at a glance: for every athlete, the last sync, how fresh their
 * data is, the last week's load, the ACWR band, HRV and resting-HR status,
 * the injury risk and open injuries, scored and sorted by concern. Read from
 * the warehouse in a few queries over all athletes (daily_metrics from
 * `athlete analyze`, predictions from `athlete predict`).
 */
import { acwrBand, addDays, type AcwrBand } from '../analysis/daily.ts';
import { listAthletes } from '../core/athletes.ts';
import type { SqlRunner } from '../core/warehouse.ts';
import { loadRiskData, type RiskPrediction } from './risk.ts';
import { tableExists } from './schema.ts';

/** An injury that has not ended by the report's day. */
export interface OpenInjury {
  date: string;
  area: string;
  severity: string | null;
  /** Return to full training, when recorded. */
  endDate: string | null;
}

/** One athlete's line on the squad page. */
export interface SquadAthlete {
  athleteId: string;
  displayName: string | null;
  /** Latest sync of any source (UTC, `YYYY-MM-DD HH:MM UTC`), or null when only files were imported. */
  lastSync: string | null;
  /** Last local day with a workout or a biometric value. */
  lastData: string | null;
  /** Days from lastData to the report's day. */
  staleDays: number | null;
  /** Latest day of the athlete's daily metrics: the day the status below is for. */
  statusDay: string | null;
  /** Sum of the daily load over the 7 days ending on statusDay. */
  load7d: number | null;
  /** ACWR (EWMA 7:28) on statusDay, and its band (Gabbett 2016). */
  acwr: number | null;
  acwrBand: AcwrBand | null;
  /** Latest HRV status against its own baseline: below, normal or above. */
  hrvStatus: string | null;
  /** Latest resting-HR status: normal or elevated. */
  rhrStatus: string | null;
  /** Latest injury-risk prediction. */
  risk: RiskPrediction | null;
  openInjuries: OpenInjury[];
  /** The sum of the reasons' weights (see CONCERNS); the page is sorted by it, highest first. */
  concern: number;
  /** Why the athlete is of concern, in words, most serious first. */
  concerns: string[];
}

/** The squad page's data. */
export interface SquadData {
  /** The report's day (YYYY-MM-DD): freshness and open injuries are as of it. */
  asOf: string;
  athletes: SquadAthlete[];
}

/** Days without new data after which an athlete's status is flagged as possibly out of date. */
export const STALE_AFTER_DAYS = 7;

/**
 * An injury without a recorded end counts as open for 28 days after it
 * began: the upper end of a "moderate" time loss (8–28 days) in the
 * consensus injury definitions (Fuller et al. 2006, Br J Sports Med 40:193).
 */
export const OPEN_WITHOUT_END_DAYS = 28;

/** What raises concern, and by how much: the squad page's convention, not a clinical score. */
export const CONCERNS = {
  riskHigh: 3,
  riskModerate: 2,
  openInjury: 3,
  acwrHigh: 3,
  acwrCaution: 2,
  acwrLow: 1,
  hrvBelow: 2,
  rhrElevated: 1,
  stale: 1,
} as const;

function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return String(v);
}

function instant(v: unknown): string | null {
  if (v instanceof Date) return `${v.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return text(v);
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/**
 * Every athlete's latest status from daily_metrics: their latest day, the
 * 7-day load ending on it, the ACWR that day, and the latest HRV and
 * resting-HR status. One scan of daily_metrics for the whole squad.
 */
export const SQUAD_STATUS_SQL = `
  WITH last AS (SELECT athlete_id, max(date) AS day FROM daily_metrics GROUP BY athlete_id)
  SELECT m.athlete_id, CAST(l.day AS VARCHAR) AS status_day,
         sum(m.load) FILTER (WHERE m.date > l.day - 7) AS load_7d,
         max(m.acwr_ewma) FILTER (WHERE m.date = l.day) AS acwr,
         arg_max(m.hrv_status, m.date) FILTER (WHERE m.hrv_status IS NOT NULL) AS hrv_status,
         arg_max(m.rhr_status, m.date) FILTER (WHERE m.rhr_status IS NOT NULL) AS rhr_status
  FROM daily_metrics m JOIN last l USING (athlete_id)
  GROUP BY m.athlete_id, l.day`;

/** Open injuries as of `?`: begun by then, and ended after it (or without a recorded end, begun within OPEN_WITHOUT_END_DAYS). */
async function openInjuries(db: SqlRunner, asOf: string): Promise<Map<string, OpenInjury[]>> {
  const out = new Map<string, OpenInjury[]>();
  if (!(await tableExists(db, 'injuries'))) return out;
  const [col] = await db.all<{ n: number }>("SELECT count(*) AS n FROM duckdb_columns() WHERE table_name = 'injuries' AND column_name = 'end_date'");
  const end = col?.n ? 'end_date' : 'CAST(NULL AS DATE)';
  const rows = await db.all<{ athlete_id: string; date: unknown; area: string; severity: string | null; end_date: unknown }>(
    `SELECT athlete_id, date, area, severity, ${end} AS end_date FROM injuries
     WHERE date <= CAST(? AS DATE)
       AND (${end} > CAST(? AS DATE) OR (${end} IS NULL AND date > CAST(? AS DATE) - ${OPEN_WITHOUT_END_DAYS}))
     ORDER BY athlete_id, date DESC, area`,
    [asOf, asOf, asOf],
  );
  for (const r of rows) {
    const list = out.get(r.athlete_id) ?? [];
    list.push({ date: text(r.date)!, area: r.area, severity: r.severity, endDate: text(r.end_date) });
    out.set(r.athlete_id, list);
  }
  return out;
}

/** The reasons for concern about one athlete and their weight. */
export function concernsOf(a: Omit<SquadAthlete, 'concern' | 'concerns'>): { concern: number; concerns: string[] } {
  const found: [number, string][] = [];
  if (a.risk?.band === 'high') found.push([CONCERNS.riskHigh, 'high injury risk']);
  else if (a.risk?.band === 'moderate') found.push([CONCERNS.riskModerate, 'moderate injury risk']);
  if (a.openInjuries.length) found.push([CONCERNS.openInjury, `${a.openInjuries.length === 1 ? 'an open injury' : `${a.openInjuries.length} open injuries`}`]);
  if (a.acwrBand === 'high') found.push([CONCERNS.acwrHigh, 'ACWR above 1.5']);
  else if (a.acwrBand === 'caution') found.push([CONCERNS.acwrCaution, 'ACWR 1.3–1.5']);
  else if (a.acwrBand === 'low') found.push([CONCERNS.acwrLow, 'ACWR below 0.8']);
  if (a.hrvStatus === 'below') found.push([CONCERNS.hrvBelow, 'HRV below its normal range']);
  if (a.rhrStatus === 'elevated') found.push([CONCERNS.rhrElevated, 'resting HR elevated']);
  if (a.staleDays === null || a.staleDays > STALE_AFTER_DAYS) found.push([CONCERNS.stale, a.staleDays === null ? 'no data' : `no new data for ${a.staleDays} days`]);
  // Stable: the heavier reason first, then the order above.
  const sorted = found.map((f, i) => [...f, i] as const).sort((x, y) => y[0] - x[0] || x[2] - y[2]);
  return { concern: found.reduce((s, [w]) => s + w, 0), concerns: sorted.map(([, t]) => t) };
}

/**
 * Read the squad's status as of `asOf` (default: today, UTC), every athlete
 * registered or present in the data, sorted by concern (then risk, then id).
 */
export async function loadSquadData(db: SqlRunner, opts: { asOf?: string } = {}): Promise<SquadData> {
  const asOf = opts.asOf ?? new Date().toISOString().slice(0, 10);
  const listed = await listAthletes(db);
  const syncs = new Map(
    (await db.all<{ athlete_id: string; last_sync: unknown }>('SELECT athlete_id, max(last_sync) AS last_sync FROM sync_metadata GROUP BY athlete_id')).map((r) => [r.athlete_id, r.last_sync]),
  );
  const status = new Map((await db.all<Record<string, unknown>>(SQUAD_STATUS_SQL)).map((r) => [String(r.athlete_id), r]));
  const injuries = await openInjuries(db, asOf);
  const athletes: SquadAthlete[] = [];
  for (const a of listed) {
    const s = status.get(a.athlete_id);
    const acwr = num(s?.acwr);
    const lastData = text(a.last_data);
    const statusDay = text(s?.status_day);
    const base = {
      athleteId: a.athlete_id,
      displayName: a.display_name,
      lastSync: instant(syncs.get(a.athlete_id)),
      lastData,
      staleDays: lastData === null ? null : Math.max(0, daysBetween(lastData, asOf)),
      statusDay,
      load7d: num(s?.load_7d),
      acwr,
      acwrBand: acwrBand(acwr),
      hrvStatus: text(s?.hrv_status),
      rhrStatus: text(s?.rhr_status),
      risk: (await loadRiskData(db, a.athlete_id, statusDay ?? asOf)).latest,
      openInjuries: injuries.get(a.athlete_id) ?? [],
    };
    athletes.push({ ...base, ...concernsOf(base) });
  }
  athletes.sort((x, y) => y.concern - x.concern || (y.risk?.risk ?? -1) - (x.risk?.risk ?? -1) || x.athleteId.localeCompare(y.athleteId));
  return { asOf, athletes };
}

/** The last `days` days up to `end` (inclusive) of a date-keyed series. */
export function lastDays<T extends { date: string }>(series: readonly T[], end: string | null, days: number): T[] {
  if (end === null) return [];
  const from = addDays(end, -(days - 1));
  return series.filter((p) => p.date >= from && p.date <= end);
}
