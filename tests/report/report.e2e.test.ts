import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Warehouse } from '../../lib/core/warehouse.ts';
import { buildReport, loadReportData, type ReportData } from '../../lib/report/index.ts';

/**
 * Five weeks (Mon 2024-03-04 to Sun 2024-04-07) for an athlete at UTC+10:
 * garmin runs Mon/Wed/Sat (1 h, 10 km, load 80) and strength Thu (30 min, RPE 6);
 * strava has the Mon and Sat runs again (merged) and two Sunday rides (2 h, 50 km, load 100).
 * 32 source records become 22 workouts; biometrics every day.
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
    const start = localStart(s.day, s.sport === 'cycling' ? 8 : 6);
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

let wh: Warehouse;
let dir: string;

beforeAll(async () => {
  wh = await Warehouse.open(':memory:');
  await seed(wh);
  dir = mkdtempSync(join(tmpdir(), 'report-test-'));
});

afterAll(() => {
  wh?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('loadReportData', () => {
  let d: ReportData;
  beforeAll(async () => {
    d = await loadReportData(wh);
  });

  it('counts workouts, source records and merges', () => {
    expect(d.athleteId).toBe('me');
    expect(d.workouts).toBe(22);
    expect(d.sourceRecords).toBe(32);
    expect(d.mergedRecords).toBe(10);
    expect(d.mergedByTier).toEqual([{ tier: 1, records: 5 }, { tier: 2, records: 5 }]);
  });

  it('uses local dates for the period and per-source coverage', () => {
    // The first run starts 2024-03-03 20:00 UTC, which is Monday 06:00 at UTC+10.
    expect(d.period).toEqual({ start: '2024-03-04', end: '2024-04-07' });
    expect(d.sources).toEqual([
      { source: 'garmin', workouts: 20, biometricRows: 70, firstDate: '2024-03-04', lastDate: '2024-04-07', matchedShare: 0.5 },
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
      { week: '2024-03-25', category: 'ENDURANCE', hours: 3, km: 30 },
      { week: '2024-03-25', category: 'STRENGTH', hours: 0.5, km: 0 },
      { week: '2024-04-01', category: 'ENDURANCE', hours: 3, km: 30 },
      { week: '2024-04-01', category: 'STRENGTH', hours: 0.5, km: 0 },
    ]);
  });

  it('builds a daily load series with CTL/ATL/TSB and ACWR', () => {
    expect(d.load).toHaveLength(35);
    const [mon, tue, , thu] = d.load;
    expect(mon).toMatchObject({ date: '2024-03-04', load: 80, tsb: 0, acwr: null });
    expect(mon!.ctl).toBeCloseTo(80 / 42, 9);
    expect(mon!.atl).toBeCloseTo(80 / 7, 9);
    // Sundays: a 100-load ride in weeks 1-2, nothing after.
    expect(d.load.filter((x) => x.date.endsWith('-10') || x.date.endsWith('-17') || x.date.endsWith('-24')).map((x) => x.load)).toEqual([100, 100, 0]);
    // EWMA ACWR is defined from day 28 on.
    expect(d.load[26]!.acwr).toBeNull();
    expect(d.load[27]!.acwr).toBeGreaterThan(0);
    expect(tue).toMatchObject({ date: '2024-03-05', load: 0 });
    expect(tue!.tsb).toBeCloseTo(80 / 42 - 80 / 7, 9);
    // Strength with RPE 6 for 30 min: 180 AU, scaled so an hour at RPE 7 (420 AU) is 100.
    expect(thu!.load).toBeCloseTo((180 / 420) * 100, 9);
    const last = d.load[34]!;
    expect(d.latest).toEqual({ date: '2024-04-07', ctl: last.ctl, atl: last.atl, tsb: last.tsb, acwr: last.acwr, band: expect.any(String) });
  });

  it('reads the recovery series and the import errors', () => {
    expect(d.biometrics.restingHr).toHaveLength(35);
    expect(d.biometrics.restingHr[1]).toEqual({ date: '2024-03-05', value: 51 });
    expect(d.biometrics.sleepHours[0]).toEqual({ date: '2024-03-04', value: 7.5 });
    expect(d.biometrics.weight[34]!.value).toBeCloseTo(66.6, 9);
    expect(d.biometrics.hrv[34]).toEqual({ date: '2024-04-07', value: 94 });
    expect(d.importErrors.count).toBe(1);
    expect(d.importErrors.latest).toEqual([
      { input: 'exports/bad.fit', record: 'session 2', field: 'start_time', reason: 'timestamp <out of range>', occurredAt: '2024-04-01 00:00 UTC' },
    ]);
  });
});

describe('buildReport (one Chromium run)', () => {
  it('writes an HTML and a PDF with one page per section, all rendered', async () => {
    const out = await buildReport(wh, { outPdf: join(dir, 'out', 'report.pdf'), title: 'Test athlete report' });
    expect(out.html).toBe(join(dir, 'out', 'report.html'));
    expect(out.pages).toBe(5);
    expect(execFileSync('pdfinfo', [out.pdf], { encoding: 'utf8' })).toMatch(/^Pages:\s+5$/m);

    const page = (n: number): string => execFileSync('pdftotext', ['-f', String(n), '-l', String(n), '-layout', out.pdf, '-'], { encoding: 'utf8' });
    const p1 = page(1);
    expect(p1).toContain('Test athlete report');
    expect(p1).toContain('Summary');
    expect(p1).toMatch(/Workouts after deduplication\s+22 from 32 source records \(10 merged as duplicates\)/);
    expect(p1).toContain('2024-03-04 to 2024-04-07 (35 days)');
    expect(p1).toMatch(/garmin\s+20\s+70/);
    expect(p1).toMatch(/strava\s+12\s+0/);
    expect(p1).toMatch(/ACWR \(EWMA 7:28 days\)\s+\d\.\d\d \(/);
    // Chart text comes from the SVG Plotly drew, so these show the figures were rendered.
    const p2 = page(2);
    expect(p2).toContain('Training volume');
    expect(p2).toContain('Weekly training hours by sport category');
    expect(p2).toContain('Distance (km)');
    const p3 = page(3);
    expect(p3).toContain('Training load');
    expect(p3).toContain('Acute:chronic workload ratio');
    expect(p3).toContain('target band 0.8–1.3');
    const p4 = page(4);
    expect(p4).toContain('Recovery');
    for (const t of ['Resting HR (bpm)', 'HRV RMSSD (ms)', 'Sleep (h)', 'Weight (kg)']) expect(p4).toContain(t);
    const p5 = page(5);
    expect(p5).toContain('Data quality');
    expect(p5).toMatch(/garmin\s+20\s+2024-03-04\s+2024-04-07\s+70\s+50 %/);
    expect(p5).toMatch(/strava\s+12\s+2024-03-04\s+2024-04-06\s+0\s+83 %/);
    expect(p5).toMatch(/10 source records were merged into other workouts: 32 source records became 22 workouts/);
    expect(p5).toContain('1 import error recorded');
    expect(p5).toContain('timestamp <out of range>');
    expect(p5).toContain('exports/bad.fit');

    execFileSync('pdftoppm', ['-r', '30', '-png', out.pdf, join(dir, 'page')]);
    const pngs = readdirSync(dir).filter((f) => /^page-\d+\.png$/.test(f)).sort();
    expect(pngs).toHaveLength(5);
    for (const f of pngs) {
      const png = readFileSync(join(dir, f));
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      // A4 at 30 dpi is about 248 × 351 px (poppler rounds up).
      expect(Math.abs(png.readUInt32BE(16) - 248)).toBeLessThanOrEqual(1);
      expect(Math.abs(png.readUInt32BE(20) - 351)).toBeLessThanOrEqual(1);
    }
  });
});
