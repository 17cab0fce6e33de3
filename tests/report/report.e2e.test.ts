import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAnalysis } from '../../lib/analysis/run.ts';
import { Warehouse } from '../../lib/core/warehouse.ts';
import { analyzeBallSports } from '../../lib/plugins/ball_sports/index.ts';
import type { PluginResult } from '../../lib/plugins/base.ts';
import { analyzeRunning } from '../../lib/plugins/running/index.ts';
import { buildFigures, buildReport, loadReportData, renderReportHtml, type ReportData } from '../../lib/report/index.ts';
import { ballSportsTrack, steadyRun } from './synthetic.ts';

/**
 * Five weeks (Mon 2024-03-04 to Sun 2024-04-07) for an athlete at UTC+10:
 * garmin runs Mon/Wed/Sat (1 h, 10 km, load 80), strength Thu (30 min, RPE 6)
 * and, in the last two weeks, 20-minute soccer sessions on Tuesday (load 60);
 * strava has the Mon and Sat runs again (merged) and two Sunday rides (2 h, 50 km, load 100).
 * 34 source records become 24 workouts; biometrics every day.
 */
const OFFSET_MIN = 600;
const DAY_MS = 86_400_000;
const MONDAY = Date.UTC(2024, 2, 4);
const WEEKS = 5;

function localStart(dayIndex: number, hour: number): Date {
  return new Date(MONDAY + dayIndex * DAY_MS + hour * 3_600_000 - OFFSET_MIN * 60_000);
}

function isoDay(dayIndex: number): string {
  return new Date(MONDAY + dayIndex * DAY_MS).toISOString().slice(0, 10);
}

async function columns(wh: Warehouse, table: string): Promise<string[]> {
  const rows = await wh.all<{ column_name: string }>(
    'SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position',
    [table],
  );
  return rows.map((r) => r.column_name);
}

async function insert(wh: Warehouse, table: string, rows: Record<string, unknown>[]): Promise<void> {
  const cols = await columns(wh, table);
  await wh.appendRows(table, rows.map((r) => cols.map((c) => r[c] ?? null)));
}

interface Session {
  id: string;
  day: number;
  sport: string;
  category: string;
  durationS: number;
  distanceM: number | null;
  load: number | null;
  rpe: number | null;
  sources: { source: string; tier: number | null }[];
}

function sessions(): Session[] {
  const out: Session[] = [];
  for (let week = 0; week < WEEKS; week++) {
    for (const dow of [0, 2, 5]) {
      const day = week * 7 + dow;
      const dup = dow === 0 ? 1 : dow === 5 ? 2 : null;
      out.push({
        id: `run-${day}`, day, sport: 'running', category: 'ENDURANCE', durationS: 3600, distanceM: 10_000, load: 80, rpe: null,
        sources: dup === null ? [{ source: 'garmin', tier: null }] : [{ source: 'garmin', tier: null }, { source: 'strava', tier: dup }],
      });
    }
    const thu = week * 7 + 3;
    out.push({
      id: `gym-${thu}`, day: thu, sport: 'strength_training', category: 'STRENGTH', durationS: 1800, distanceM: null, load: null, rpe: 6,
      sources: [{ source: 'garmin', tier: null }],
    });
    if (week >= 3) {
      const tue = week * 7 + 1;
      out.push({
        id: `soccer-${tue}`, day: tue, sport: 'soccer', category: 'BALL_SPORT', durationS: 1200, distanceM: 4150, load: 60, rpe: null,
        sources: [{ source: 'garmin', tier: null }],
      });
    }
    if (week < 2) {
      const sun = week * 7 + 6;
      out.push({
        id: `ride-${sun}`, day: sun, sport: 'cycling', category: 'ENDURANCE', durationS: 7200, distanceM: 50_000, load: 100, rpe: null,
        sources: [{ source: 'strava', tier: null }],
      });
    }
  }
  return out;
}

async function seed(wh: Warehouse): Promise<void> {
  const ingested = new Date(Date.UTC(2024, 3, 1));
  const sw: Record<string, unknown>[] = [];
  const w: Record<string, unknown>[] = [];
  const ws: Record<string, unknown>[] = [];
  for (const s of sessions()) {
    const start = localStart(s.day, s.sport === 'cycling' ? 8 : s.sport === 'soccer' ? 17 : 6);
    const end = new Date(start.getTime() + s.durationS * 1000);
    const metrics = {
      athlete_id: 'me', start_time: start, end_time: end, duration_s: s.durationS, utc_offset_min: OFFSET_MIN,
      sport: s.sport, sport_category: s.category, distance_m: s.distanceM, training_load: s.load, perceived_exertion: s.rpe,
      has_gps: s.distanceM !== null, has_power: false, data_quality_score: 0.9,
    };
    w.push({ ...metrics, workout_id: s.id, name: s.id, source: s.sources[0]!.source, source_count: s.sources.length });
    for (const src of s.sources) {
      const recordId = `${src.source}-${s.id}`;
      sw.push({ ...metrics, record_id: recordId, source: src.source, external_id: recordId, name: s.id, ingested_at: ingested });
      ws.push({ workout_id: s.id, record_id: recordId, source: src.source, external_id: recordId, match_tier: src.tier });
    }
  }
  await insert(wh, 'source_workouts', sw);
  await insert(wh, 'workouts', w);
  await insert(wh, 'workout_sources', ws);

  const sb: Record<string, unknown>[] = [];
  const b: Record<string, unknown>[] = [];
  for (let i = 0; i < WEEKS * 7; i++) {
    const date = isoDay(i);
    const readings: [string, number, string, string][] = [
      ['resting_hr', 50 + (i % 3), 'bpm', 'garmin'],
      ['weight', 70 - 0.1 * i, 'kg', 'garmin'],
      ['hrv_rmssd', 60 + i, 'ms', 'oura'],
      ['sleep_duration', 27_000, 's', 'oura'],
    ];
    for (const [metric, value, unit, source] of readings) {
      sb.push({ reading_id: `${source}-${metric}-${date}`, athlete_id: 'me', date, metric_type: metric, value, unit, source, confidence: 1, ingested_at: ingested });
      b.push({ athlete_id: 'me', date, metric_type: metric, value, unit, source, confidence: 1, source_count: 1 });
    }
  }
  await insert(wh, 'source_biometrics', sb);
  await insert(wh, 'biometrics', b);
  await insert(wh, 'import_errors', [
    { error_id: '1', input: 'exports/bad.fit', record: 'session 2', field: 'start_time', reason: 'timestamp <out of range>', occurred_at: ingested },
  ]);
}

/** What the plugins computed for the stored sessions, by workout id. */
const pluginOut = new Map<string, PluginResult>();

/**
 * Plugin results computed by the real plugins on generated streams (soccer
 * sessions and the last two weeks' runs, plus one failed run that must not
 * show), two predictions for the last day and one the day before, injuries
 * (one older than a year) and the sync state of two sources.
 */
async function seedExtras(wh: Warehouse): Promise<void> {
  const computed = new Date(Date.UTC(2024, 3, 8, 1));
  const rows: Record<string, unknown>[] = [];
  for (const s of sessions()) {
    const start = localStart(s.day, s.sport === 'soccer' ? 17 : 6);
    const w = { workout_id: s.id, sport: s.sport, sport_category: s.category as 'BALL_SPORT', start_time: start, duration_s: s.durationS, has_gps: true, utc_offset_min: OFFSET_MIN };
    let plugin: string;
    let result: PluginResult;
    if (s.sport === 'soccer') {
      plugin = 'ball_sports';
      result = analyzeBallSports(w, ballSportsTrack(start.getTime(), 20));
    } else if (s.sport === 'running' && s.day >= 21) {
      plugin = 'running';
      result = analyzeRunning(w, steadyRun(start.getTime(), 60));
    } else continue;
    pluginOut.set(s.id, result);
    rows.push({ workout_id: s.id, plugin, plugin_version: '1.0.0', status: 'ok', metrics: result.metrics, figures: result.figures ?? null, computed_at: computed });
  }
  rows.push({ workout_id: 'run-14', plugin: 'running', plugin_version: '1.0.0', status: 'error', error: 'no streams', computed_at: computed });
  await insert(wh, 'plugin_results', rows);

  await wh.run(
    `CREATE TABLE IF NOT EXISTS predictions (athlete_id VARCHAR NOT NULL, date DATE NOT NULL, horizon_days INTEGER, risk DOUBLE,
       model VARCHAR NOT NULL, top_features JSON, computed_at TIMESTAMP, PRIMARY KEY (athlete_id, date, model))`,
  );
  const drivers = [
    { name: 'hrv_trend', contribution: -0.015, value: 0.08 },
    { name: 'acwr_ewma', contribution: 0.062, value: 1.42 },
    { name: 'days_since_rest', contribution: 0.012, value: 9 },
    { name: 'sleep_h_7d', contribution: 0.031, value: 6.1 },
  ];
  await insert(wh, 'predictions', [
    { athlete_id: 'me', date: '2024-04-06', horizon_days: 7, risk: 0.05, model: 'athlete', top_features: drivers, computed_at: computed },
    { athlete_id: 'me', date: '2024-04-07', horizon_days: 7, risk: 0.1, model: 'cohort', top_features: drivers, computed_at: computed },
    { athlete_id: 'me', date: '2024-04-07', horizon_days: 7, risk: 0.183, model: 'athlete', top_features: drivers, computed_at: computed },
  ]);
  await insert(wh, 'injuries', [
    { athlete_id: 'me', date: '2024-03-20', area: 'left hamstring', severity: 'moderate', source: 'manual' },
    { athlete_id: 'me', date: '2023-02-01', area: 'right ankle', severity: 'minor', source: 'manual' },
  ]);
  await insert(wh, 'sync_metadata', [
    { source: 'strava', athlete_id: 'me', last_sync: new Date(Date.UTC(2024, 3, 7, 21, 5)), sync_status: 'ok', records: 12 },
    { source: 'garmin', athlete_id: 'me', last_sync: new Date(Date.UTC(2024, 3, 6, 9, 0)), sync_status: 'error', message: 'HTTP 429: rate limited, retry after 900 s' },
  ]);
}

let wh: Warehouse;
let dir: string;

beforeAll(async () => {
  wh = await Warehouse.open(':memory:');
  await seed(wh);
  await seedExtras(wh);
  dir = mkdtempSync(join(tmpdir(), 'report-test-'));
});

afterAll(() => {
  wh?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('loadReportData without analysis results', () => {
  let d: ReportData;
  beforeAll(async () => {
    d = await loadReportData(wh);
  });

  it('counts workouts, source records and merges', () => {
    expect(d.athleteId).toBe('me');
    expect(d.workouts).toBe(24);
    expect(d.sourceRecords).toBe(34);
    expect(d.mergedRecords).toBe(10);
    expect(d.mergedByTier).toEqual([{ tier: 1, records: 5 }, { tier: 2, records: 5 }]);
  });

  it('uses local dates for the period and per-source coverage', () => {
    // The first run starts 2024-03-03 20:00 UTC, which is Monday 06:00 at UTC+10.
    expect(d.period).toEqual({ start: '2024-03-04', end: '2024-04-07' });
    expect(d.sources).toEqual([
      { source: 'garmin', workouts: 22, biometricRows: 70, firstDate: '2024-03-04', lastDate: '2024-04-07', matchedShare: 10 / 22 },
      { source: 'oura', workouts: 0, biometricRows: 70, firstDate: '2024-03-04', lastDate: '2024-04-07', matchedShare: null },
      { source: 'strava', workouts: 12, biometricRows: 0, firstDate: '2024-03-04', lastDate: '2024-04-06', matchedShare: 10 / 12 },
    ]);
  });

  it('sums weekly hours and distance by category', () => {
    expect(d.weekly).toEqual([
      { week: '2024-03-04', category: 'ENDURANCE', hours: 5, km: 80 },
      { week: '2024-03-04', category: 'STRENGTH', hours: 0.5, km: 0 },
      { week: '2024-03-11', category: 'ENDURANCE', hours: 5, km: 80 },
      { week: '2024-03-11', category: 'STRENGTH', hours: 0.5, km: 0 },
      { week: '2024-03-18', category: 'ENDURANCE', hours: 3, km: 30 },
      { week: '2024-03-18', category: 'STRENGTH', hours: 0.5, km: 0 },
      { week: '2024-03-25', category: 'BALL_SPORT', hours: 1200 / 3600, km: 4.15 },
      { week: '2024-03-25', category: 'ENDURANCE', hours: 3, km: 30 },
      { week: '2024-03-25', category: 'STRENGTH', hours: 0.5, km: 0 },
      { week: '2024-04-01', category: 'BALL_SPORT', hours: 1200 / 3600, km: 4.15 },
      { week: '2024-04-01', category: 'ENDURANCE', hours: 3, km: 30 },
      { week: '2024-04-01', category: 'STRENGTH', hours: 0.5, km: 0 },
    ]);
  });

  it('computes a daily load series with CTL/ATL/TSB and ACWR', () => {
    expect(d.analysis).toBe('computed');
    expect(d.load).toHaveLength(35);
    const [mon, tue, , thu] = d.load;
    // Five weeks: CTL needs 42 days before it starts (from their mean, not from 0), so none of it is drawn yet.
    expect(mon).toMatchObject({ date: '2024-03-04', load: 80, ctl: null, atl: null, tsb: null, acwr: null });
    expect(d.load.every((x) => x.ctl === null && x.tsb === null)).toBe(true);
    // Every day has a biometric reading, so every load is known and the coverage of the last 28 days is full.
    expect(d.load.every((x) => x.load !== null)).toBe(true);
    expect(d.load[34]!.coverage).toBe(1);
    // Sundays: a 100-load ride in weeks 1-2, nothing after.
    expect(d.load.filter((x) => x.date.endsWith('-10') || x.date.endsWith('-17') || x.date.endsWith('-24')).map((x) => x.load)).toEqual([100, 100, 0]);
    // Tuesdays of weeks 4 and 5: the soccer sessions.
    expect(d.load.filter((x) => x.date === '2024-03-26' || x.date === '2024-04-02').map((x) => x.load)).toEqual([60, 60]);
    // EWMA ACWR is defined from day 28 on, started from the four weeks' means.
    expect(d.load[26]!.acwr).toBeNull();
    const means = (from: number, to: number): number => d.load.slice(from, to + 1).reduce((s, x) => s + x.load!, 0) / (to - from + 1);
    expect(d.load[27]!.acwr).toBeCloseTo(means(21, 27) / means(0, 27), 9);
    expect(d.load[27]!.acwrRolling).toBeCloseTo(means(21, 27) / means(0, 27), 9);
    expect(tue).toMatchObject({ date: '2024-03-05', load: 0 });
    // Strength with RPE 6 for 30 min: 180 AU, scaled so an hour at RPE 7 (420 AU) is 100.
    expect(thu!.load).toBeCloseTo((180 / 420) * 100, 9);
    const last = d.load[34]!;
    expect(d.latest).toEqual({
      date: '2024-04-07', ctl: null, atl: null, tsb: null, acwr: last.acwr, band: expect.any(String), acwrRolling: last.acwrRolling, coverage: 1,
    });
    // Distance by sport: running and cycling apart, soccer's km too.
    expect(d.weeklyDistance.filter((w) => w.week === '2024-03-04')).toEqual([
      { week: '2024-03-04', sport: 'cycling', km: 50 },
      { week: '2024-03-04', sport: 'running', km: 30 },
    ]);
  });

  it('reads the recovery series and computes their baselines', () => {
    expect(d.biometrics.restingHr).toHaveLength(35);
    expect(d.biometrics.restingHr[1]).toEqual({ date: '2024-03-05', value: 51 });
    expect(d.biometrics.sleepHours[0]).toEqual({ date: '2024-03-04', value: 7.5 });
    expect(d.biometrics.weight[34]!.value).toBeCloseTo(66.6, 9);
    expect(d.biometrics.hrv[34]).toEqual({ date: '2024-04-07', value: 94 });
    // Sleep is 7.5 h every night, so its 7-night trend is too, from the 4th night on.
    expect(d.biometrics.sleepTrend[0]).toEqual({ date: '2024-03-07', value: 7.5 });
    // HRV baseline: mean ± 0.5 SD of ln RMSSD over the (up to) 60 days before the 7-day window, from 14 values on.
    const band = d.biometrics.hrvBaseline;
    expect(band).toHaveLength(35);
    expect(band[19]!.baseline).toBeNull();
    const ln = Array.from({ length: 28 }, (_, i) => Math.log(60 + i));
    const mean = ln.reduce((a, b) => a + b, 0) / 28;
    const sd = Math.sqrt(ln.reduce((a, b) => a + (b - mean) ** 2, 0) / 27);
    expect(band[34]!.baseline).toBeCloseTo(mean, 9);
    expect(band[34]!.upper).toBeCloseTo(mean + 0.5 * sd, 9);
    expect(band[34]!.ln7d).toBeCloseTo([28, 29, 30, 31, 32, 33, 34].reduce((a, i) => a + Math.log(60 + i), 0) / 7, 9);
    // HRV rises every day, so its 7-day mean ends above the range.
    expect(d.recoveryStatus.hrv).toEqual({ date: '2024-04-07', status: 'above' });
    // Resting HR cycles 50, 51, 52: baseline of the days before, from day 15 on.
    expect(d.biometrics.restingHrBaseline[0]!.date).toBe('2024-03-18');
    expect(d.recoveryStatus.restingHr).toEqual({ date: '2024-04-07', status: 'normal' });
  });

  it('reads the import errors and the sync state', () => {
    expect(d.importErrors.count).toBe(1);
    expect(d.importErrors.latest).toEqual([
      { input: 'exports/bad.fit', record: 'session 2', field: 'start_time', reason: 'timestamp <out of range>', occurredAt: '2024-04-01 00:00 UTC' },
    ]);
    expect(d.sync).toEqual([
      { source: 'garmin', status: 'error', lastSync: '2024-04-06 09:00 UTC', records: null, message: 'HTTP 429: rate limited, retry after 900 s' },
      { source: 'strava', status: 'ok', lastSync: '2024-04-07 21:05 UTC', records: 12, message: null },
    ]);
  });

  it('takes the latest prediction (own model before cohort) and the last year of injuries', () => {
    expect(d.risk.latest).toMatchObject({ date: '2024-04-07', horizonDays: 7, risk: 0.183, band: 'moderate', model: 'athlete', computedAt: '2024-04-08 01:00 UTC' });
    expect(d.risk.latest!.meaning).toBe(
      "18 %: the probability that an injury starts within the 7 days after 2024-04-07, by this athlete's own model, not calibrated: compare it with other days rather than read it as a chance.",
    );
    expect(d.risk.latest!.drivers.map((x) => [x.name, x.contribution])).toEqual([
      ['acwr_ewma', 0.062],
      ['sleep_h_7d', 0.031],
      ['hrv_trend', -0.015],
      ['days_since_rest', 0.012],
    ]);
    expect(d.risk.injuries).toEqual([{ date: '2024-03-20', area: 'left hamstring', severity: 'moderate' }]);
  });

  it('reads the plugins\' stored metrics and the latest figures', () => {
    const ball = d.plugins.ballSports!;
    expect(ball.sessions.map((s) => [s.workoutId, s.date])).toEqual([
      ['soccer-29', '2024-04-02'],
      ['soccer-22', '2024-03-26'],
    ]);
    const m = pluginOut.get('soccer-29')!.metrics as Record<string, number>;
    expect(ball.sessions[0]).toEqual({
      workoutId: 'soccer-29', date: '2024-04-02', sport: 'soccer', durationS: m.duration_s, distanceM: m.total_distance_m,
      hsrDistanceM: m.hsr_distance_m, hsrThresholdKmh: 19.8, sprints: 20, topSpeedKmh: 28.8, accelerations: 20, decelerations: 20, sampleIntervalS: 0.1,
    });
    expect(ball.figuresDate).toBe('2024-04-02');
    expect(ball.figures.map((f) => f.title)).toEqual(['Speed profile', 'Field coverage']);
    // Runs of the last two weeks, newest first; the failed run is left out.
    const runs = d.plugins.running!.sessions;
    expect(runs.map((r) => r.date)).toEqual(['2024-04-06', '2024-04-03', '2024-04-01', '2024-03-30', '2024-03-27', '2024-03-25']);
    expect(runs[0]).toEqual({ workoutId: 'run-33', date: '2024-04-06', durationS: 3600, distanceM: 10_000, cadenceSpm: 170, paHrDecouplingPct: 4.76, pwHrDecouplingPct: null });
  });
});

describe('with `athlete analyze` results (one Chromium run)', () => {
  let d: ReportData;
  beforeAll(async () => {
    await runAnalysis(wh, { sex: 'female' });
    d = await loadReportData(wh);
  });

  it('reads load, ACWR and baselines from daily_metrics', async () => {
    const rows = await wh.all<Record<string, number | string | null>>(
      `SELECT date, load, ctl, atl, tsb, acwr_ewma, acwr_rolling, load_coverage_28d, hrv_upper, rhr_baseline FROM daily_metrics WHERE athlete_id = 'me' ORDER BY date`,
    );
    expect(d.analysis).toBe('daily_metrics');
    expect(rows).toHaveLength(35);
    expect(d.load).toEqual(rows.map((r) => ({ date: r.date, load: r.load, ctl: r.ctl, atl: r.atl, tsb: r.tsb, acwr: r.acwr_ewma, acwrRolling: r.acwr_rolling, coverage: r.load_coverage_28d })));
    expect(d.biometrics.hrvBaseline.map((x) => x.upper)).toEqual(rows.map((r) => r.hrv_upper));
    expect(d.biometrics.restingHrBaseline).toEqual(rows.filter((r) => r.rhr_baseline !== null).map((r) => ({ date: r.date, value: r.rhr_baseline })));
    expect(d.latest).toMatchObject({ date: '2024-04-07', ctl: rows[34]!.ctl, tsb: rows[34]!.tsb, acwr: rows[34]!.acwr_ewma });
  });

  it('writes an HTML and a PDF with every section, all rendered', async () => {
    // Made a month after the data ends: the first page says so.
    const out = await buildReport(wh, { outPdf: join(dir, 'out', 'report.pdf'), title: 'Test athlete report', asOf: '2024-05-08' });
    expect(out.html).toBe(join(dir, 'out', 'report.html'));
    // The same data gives the same document.
    const reread = await loadReportData(wh);
    expect(renderReportHtml(reread, buildFigures(reread), { title: 'Test athlete report', asOf: '2024-05-08' })).toBe(readFileSync(out.html, 'utf8'));
    expect(execFileSync('pdfinfo', [out.pdf], { encoding: 'utf8' })).toMatch(new RegExp(`^Pages:\\s+${out.pages}$`, 'm'));

    const text = execFileSync('pdftotext', ['-layout', out.pdf, '-'], { encoding: 'utf8' });
    const pages = text.split('\f').filter((p) => p.trim());
    expect(pages).toHaveLength(out.pages);
    const page = (heading: string): string => {
      const found = pages.find((p) => p.trimStart().startsWith(heading));
      if (!found) throw new Error(`no page starts with ${heading}`);
      return found;
    };
    const p1 = pages[0]!;
    expect(p1).toContain('Test athlete report');
    expect(p1).toMatch(/Workouts after deduplication\s+24 from 34 source records \(10 merged as duplicates\)/);
    expect(p1).toContain('2024-03-04 to 2024-04-07 (35 days)');
    expect(p1).toMatch(/garmin\s+22\s+70/);
    expect(p1).toMatch(/The latest data is from 2024-04-07, 31 days before this report \(2024-05-08\)/);
    expect(p1).toMatch(/\d\.\d\d exponentially weighted \(/);
    // The label column wraps between the two lines of the value.
    expect(p1).toMatch(/from rolling[\s\S]{0,80}7- and 28-day means/);
    // Five weeks: CTL and form not yet defined, shown as "–", never as a number from 0.
    expect(p1).toMatch(/fitness \(CTL\) – · fatigue \(ATL\) – · form \(TSB\) – a\.u\.\/day/);
    expect(p1).toMatch(/Days with recorded data, last\s+100 %\s+28/);
    expect(p1).toContain('HRV above its normal range · resting HR normal (2024-04-07)');
    expect(p1).toContain('18 % (moderate) on 2024-04-07, athlete model');
    // Chart text comes from the SVG Plotly drew, so these show the figures were rendered.
    expect(page('Training volume')).toContain('Weekly training hours by sport category');
    expect(page('Training volume')).toContain('Weekly distance by sport');
    expect(page('Training volume')).toMatch(/Running[\s\S]*Cycling/);
    expect(page('Training load')).toContain('shaded: target band 0.8–1.3');
    expect(page('Training load')).toContain('ACWR, rolling 7-day ÷ 28-day mean');
    const recovery = page('Recovery');
    for (const t of ['Resting HR (bpm)', 'HRV RMSSD (ms)', 'Sleep (h)', 'Weight (kg)', 'Normal range', '60-day baseline', '7-night mean']) expect(recovery).toContain(t);

    const risk = page('Injury risk');
    expect(risk).toMatch(/Predicted injury risk\s+18 % \(moderate\)\n/);
    expect(risk).toMatch(/What it means\s+18 %: the probability that an injury starts within the 7 days after 2024-\s*04-07/);
    expect(risk).toMatch(/Days since a rest day\s+9 days\s+\+1\.2\s+raises risk/);
    expect(risk).toContain("the athlete's own model");
    expect(risk).toContain('Main drivers of the injury-risk prediction');
    expect(risk).toContain('Contribution to risk (percentage points)');
    expect(risk).toMatch(/ACWR, exponentially weighted 7:28 d\s+1\.42 ratio\s+\+6\.2\s+raises risk/);
    expect(risk).toMatch(/HRV 7-day mean vs baseline\s+0\.08 ln ms\s+−1\.5\s+lowers risk/);
    expect(risk).toMatch(/Sleep \(7-day mean\)\s+6\.10 h\s+\+3\.1/);
    expect(risk).toMatch(/2024-03-20\s+left hamstring\s+moderate/);
    expect(risk).not.toContain('right ankle');

    const m = pluginOut.get('soccer-29')!.metrics as Record<string, number>;
    const ball = page('Ball sports');
    expect(ball).toMatch(
      new RegExp(`2024-04-02\\s+soccer\\s+20\\s+${Math.round(m.total_distance_m!)}\\s+${Math.round(m.hsr_distance_m!)}\\s+20\\s+28\\.8\\s+20 / 20`),
    );
    expect(ball).toMatch(/High-speed running is\s+distance\s+above\s+19\.8 km\/h/);
    expect(ball).toContain('Speed profile: 20 sprints above 25.2 km/h');
    // Both figures fit on the page with the table.
    expect(ball).toMatch(/Field coverage \(\d+ % inside the pitch\)/);
    const running = page('Running');
    expect(running).toMatch(/2024-04-06\s+10\.00\s+60\s+170\s+4\.8\s+–/);
    expect(running.match(/^\s*2024-\d\d-\d\d\s/gm)).toHaveLength(6);

    const quality = page('Data quality');
    expect(quality).toMatch(/garmin\s+22\s+2024-03-04\s+2024-04-07\s+70\s+45 %/);
    expect(quality).toMatch(/10 source records were merged into other workouts: 34 source records became 24 workouts/);
    expect(quality).toMatch(/1: same external id\s+5/);
    expect(quality).toMatch(/2: overlapping time, sport and distance\s+5/);
    expect(quality).toMatch(/garmin\s+error\s+2024-04-06 09:00 UTC\s+–\s+HTTP 429: rate limited/);
    expect(quality).toMatch(/strava\s+ok\s+2024-04-07 21:05 UTC\s+12/);
    expect(quality).toContain('1 import error recorded');
    expect(quality).toContain('timestamp <out of range>');

    execFileSync('pdftoppm', ['-r', '30', '-png', out.pdf, join(dir, 'page')]);
    const pngs = readdirSync(dir).filter((f) => /^page-\d+\.png$/.test(f)).sort();
    expect(pngs).toHaveLength(out.pages);
    for (const f of pngs) {
      const png = readFileSync(join(dir, f));
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      // A4 at 30 dpi is about 248 × 351 px (poppler rounds up).
      expect(Math.abs(png.readUInt32BE(16) - 248)).toBeLessThanOrEqual(1);
      expect(Math.abs(png.readUInt32BE(20) - 351)).toBeLessThanOrEqual(1);
    }
  });
});
