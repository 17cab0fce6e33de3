import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Warehouse } from '../../lib/core/warehouse.ts';
import { buildReport, loadReportData } from '../../lib/report/index.ts';

/**
 * A small warehouse with no predictions table (dropped if a migration made
 * one), no plugin results, no analysis results and no API syncs: three days
 * of one athlete at UTC−5 with one run a day and a resting HR each morning.
 */
async function seed(wh: Warehouse): Promise<void> {
  await wh.run('DROP TABLE IF EXISTS predictions');
  const ingested = new Date(Date.UTC(2024, 5, 4));
  for (let i = 0; i < 3; i++) {
    // 23:30 UTC is 18:30 the same local day at UTC−5.
    const start = new Date(Date.UTC(2024, 5, 1 + i, 23, 30));
    const end = new Date(start.getTime() + 2_700_000);
    await wh.run(
      `INSERT INTO source_workouts (record_id, athlete_id, source, external_id, start_time, end_time, duration_s, utc_offset_min, sport,
         sport_category, distance_m, training_load, has_gps, has_power, data_quality_score, ingested_at)
       VALUES (?, 'kim', 'files', ?, ?, ?, 2700, -300, 'running', 'ENDURANCE', 8000, 50, true, false, 0.8, ?)`,
      [`r${i}`, `e${i}`, start, end, ingested],
    );
    await wh.run(
      `INSERT INTO workouts (workout_id, athlete_id, start_time, end_time, duration_s, utc_offset_min, sport, sport_category, distance_m,
         training_load, source, has_gps, has_power, data_quality_score, source_count)
       VALUES (?, 'kim', ?, ?, 2700, -300, 'running', 'ENDURANCE', 8000, 50, 'files', true, false, 0.8, 1)`,
      [`w${i}`, start, end],
    );
    await wh.run(`INSERT INTO workout_sources VALUES (?, ?, 'files', ?, NULL, NULL)`, [`w${i}`, `r${i}`, `e${i}`]);
    const date = `2024-06-0${i + 1}`;
    await wh.run(
      `INSERT INTO source_biometrics (reading_id, athlete_id, date, metric_type, value, unit, source, confidence, ingested_at)
       VALUES (?, 'kim', ?, 'resting_hr', ?, 'bpm', 'files', 1, ?)`,
      [`b${i}`, date, 55 + i, ingested],
    );
    await wh.run(`INSERT INTO biometrics VALUES ('kim', ?, 'resting_hr', ?, 'bpm', 'files', 1, 1)`, [date, 55 + i]);
  }
  await wh.run(`INSERT INTO injuries (athlete_id, date, area, severity, notes, source) VALUES ('kim', DATE '2024-02-10', 'right calf', NULL, NULL, 'manual')`);
}

let wh: Warehouse;
let dir: string;

beforeAll(async () => {
  wh = await Warehouse.open(':memory:');
  await seed(wh);
  dir = mkdtempSync(join(tmpdir(), 'report-nopred-test-'));
});

afterAll(() => {
  wh?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a warehouse without predictions or plugin results (one Chromium run)', () => {
  it('renders the injury-risk page with the "no prediction yet" text and leaves plugin pages out', async () => {
    const out = await buildReport(wh, { outPdf: join(dir, 'report.pdf'), title: 'Kim', generated: '2024-06-04' });
    // Summary, volume, load, recovery, injury risk, data quality.
    expect(out.pages).toBe(6);
    const pages = execFileSync('pdftotext', ['-layout', out.pdf, '-'], { encoding: 'utf8' }).split('\f');
    const p1 = pages[0]!;
    expect(p1).toContain('Generated 2024-06-04');
    expect(p1).toMatch(/Workouts after deduplication\s+3 from 3 source records \(0 merged as duplicates\)/);
    expect(p1).toContain('2024-06-01 to 2024-06-03 (3 days)');
    expect(p1).toMatch(/Injury risk\s+no prediction yet/);
    const risk = pages[4]!;
    expect(risk.trimStart().startsWith('Injury risk')).toBe(true);
    // pdftotext may set the full stop after the monospace command apart.
    expect(risk).toMatch(/No injury-risk prediction yet: run athlete train and athlete predict ?\./);
    expect(risk).toMatch(/2024-02-10\s+right calf\s+–/);
    expect(risk).not.toContain('Main drivers');
    const quality = pages[5]!;
    expect(quality.trimStart().startsWith('Data quality')).toBe(true);
    expect(quality).toContain('No source has been synced through an API (file imports only).');
    expect(quality).toContain('0 import errors recorded');
    for (const p of pages) expect(p).not.toMatch(/^\s*(Ball sports|Running)\n/);
  });

  it('treats an empty predictions table like an absent one', async () => {
    await wh.run(
      `CREATE TABLE predictions (athlete_id VARCHAR, date DATE, horizon_days INTEGER, risk DOUBLE, model VARCHAR, top_features JSON, computed_at TIMESTAMP)`,
    );
    const d = await loadReportData(wh);
    expect(d.athleteId).toBe('kim');
    expect(d.risk).toEqual({
      latest: null,
      evaluation: null,
      fallback: { date: '2024-06-03', acwr: null, band: null },
      injuries: [{ date: '2024-02-10', area: 'right calf', severity: null }],
    });
    expect(d.plugins).toEqual({ ballSports: null, running: null });
    expect(d.analysis).toBe('computed');
    expect(d.load.map((x) => x.load)).toEqual([50, 50, 50]);
  });

  it('names the athlete: a registered name first, then ATHLETE_NAME, then the id', async () => {
    expect((await loadReportData(wh)).displayName).toBe('kim');
    expect((await loadReportData(wh, { displayName: 'Kim Lee' })).displayName).toBe('Kim Lee');
    await wh.run(`INSERT INTO athletes (athlete_id, display_name, created_at, updated_at) VALUES ('kim', 'Kim Registered', now()::TIMESTAMP, now()::TIMESTAMP)`);
    expect((await loadReportData(wh, { displayName: 'Kim Lee' })).displayName).toBe('Kim Registered');
  });
});
