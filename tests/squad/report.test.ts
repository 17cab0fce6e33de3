/**
 * The squad report: its data against the warehouse (status, freshness, open
 * injuries, risk, concern order), and the PDF rendered by Chromium, checked
 * page by page through the text Plotly drew (as tests/report does).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAnalysis } from '../../lib/analysis/run.ts';
import { main } from '../../lib/cli/cli.ts';
import { saveAthlete } from '../../lib/core/athletes.ts';
import { rebuildCanonical } from '../../lib/core/dedup/rebuild.ts';
import { Warehouse } from '../../lib/core/warehouse.ts';
import { buildSquadReport, loadSquadPages } from '../../lib/report/squad.ts';
import { loadSquadData, type SquadData } from '../../lib/report/squad_data.ts';
import { squadFigures } from '../../lib/report/squad_figures.ts';
import { renderSquadHtml } from '../../lib/report/squad_html.ts';
import { athleteRecords, store } from '../lake/synthetic.ts';

const AS_OF = '2025-03-01';
let dir: string;
let wh: Warehouse;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'squad-report-'));
  wh = await Warehouse.open(join(dir, 'squad.duckdb'));
  await saveAthlete(wh, { athlete_id: 'ann', display_name: 'Ann Lee', sex: 'female', max_hr: 190, resting_hr: 48 });
  await saveAthlete(wh, { athlete_id: 'bob', display_name: 'Bob Stone', sex: 'male' });
  await saveAthlete(wh, { athlete_id: 'cid', display_name: 'Cid Moe' });
  // Ann and Dan up to date; Bob stopped syncing a month ago; Cid has no data yet.
  await store(wh, 'ann', athleteRecords('ann', '2025-01-01', 59, 0, 30));
  await store(wh, 'bob', athleteRecords('bob', '2025-01-01', 31, 1, 30));
  await store(wh, 'dan', athleteRecords('dan', '2025-01-01', 59, 2, 30));
  await rebuildCanonical(wh);
  await runAnalysis(wh, { sex: 'male' });
  await wh.run(
    `INSERT INTO predictions (athlete_id, date, horizon_days, risk, model, top_features, computed_at) VALUES
     ('ann', '2025-02-28', 7, 0.31, 'athlete', '[{"name":"acwr_ewma","contribution":0.09,"value":1.6},{"name":"sleep_h_7d","contribution":-0.02,"value":7.9}]', TIMESTAMP '2025-03-01 05:00:00'),
     ('bob', '2025-01-31', 7, 0.05, 'athlete', '[]', TIMESTAMP '2025-02-01 05:00:00')`,
  );
  await wh.run(
    `INSERT INTO injuries (athlete_id, date, area, severity, source) VALUES
     ('ann', '2025-02-20', 'calf', 'minor', 'manual'), ('bob', '2024-12-01', 'knee', 'moderate', 'manual')`,
  );
  await wh.run(
    `INSERT INTO sync_metadata (source, athlete_id, last_sync, sync_status) VALUES
     ('strava', 'ann', TIMESTAMP '2025-02-28 21:05:00', 'success'), ('garmin', 'ann', TIMESTAMP '2025-02-27 09:00:00', 'success')`,
  );
});

afterAll(() => {
  wh?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('loadSquadData', () => {
  let squad: SquadData;
  beforeAll(async () => {
    squad = await loadSquadData(wh, { asOf: AS_OF });
  });

  it('lists every athlete, registered or only in the data, most concerning first', () => {
    const ids = squad.athletes.map((a) => a.athleteId);
    expect(ids.sort()).toEqual(['ann', 'bob', 'cid', 'dan']);
    expect(squad.athletes[0]!.athleteId).toBe('ann');
    const concern = squad.athletes.map((a) => a.concern);
    expect(concern).toEqual([...concern].sort((x, y) => y - x));
    expect(squad.athletes.find((a) => a.athleteId === 'dan')!.displayName).toBeNull();
  });

  it("takes each athlete's status from their latest analysed day", async () => {
    for (const a of squad.athletes.filter((x) => x.athleteId !== 'cid')) {
      const [want] = await wh.all<{ day: string; load7d: number; acwr: number | null }>(
        `WITH last AS (SELECT max(date) AS d FROM daily_metrics WHERE athlete_id = ?)
         SELECT CAST(d AS VARCHAR) AS day, (SELECT sum(load) FROM daily_metrics, last WHERE athlete_id = ? AND date > d - 7) AS load7d,
                (SELECT acwr_ewma FROM daily_metrics, last WHERE athlete_id = ? AND date = d) AS acwr FROM last`,
        [a.athleteId, a.athleteId, a.athleteId],
      );
      expect(a.statusDay, a.athleteId).toBe(want!.day);
      expect(a.load7d, a.athleteId).toBeCloseTo(want!.load7d, 9);
      expect(a.acwr, a.athleteId).toBe(want!.acwr);
    }
  });

  it('judges freshness, open injuries, risk and sync as of the report day', () => {
    const by = new Map(squad.athletes.map((a) => [a.athleteId, a]));
    const ann = by.get('ann')!;
    expect(ann).toMatchObject({ lastData: '2025-02-28', staleDays: 1, lastSync: '2025-02-28 21:05 UTC' });
    expect(ann.risk).toMatchObject({ risk: 0.31, band: 'high', date: '2025-02-28' });
    expect(ann.openInjuries).toEqual([{ date: '2025-02-20', area: 'calf', severity: 'minor', endDate: null }]);
    expect(ann.concerns.slice(0, 2)).toEqual(['high injury risk', 'an open injury']);
    const bob = by.get('bob')!;
    expect(bob).toMatchObject({ lastData: '2025-01-31', staleDays: 29, lastSync: null, openInjuries: [] });
    expect(bob.concerns).toContain('no new data for 29 days');
    expect(by.get('cid')).toMatchObject({ lastData: null, statusDay: null, load7d: null, risk: null, concerns: ['no data'] });
    expect(by.get('dan')!.concerns).not.toContain('no data');
  });
});

describe('the squad report', () => {
  it('writes the same HTML for the same data, and a PDF: a squad page, then a page per athlete', async () => {
    const out = await buildSquadReport(wh, { outPdf: join(dir, 'out', 'squad.pdf'), asOf: AS_OF });
    const { squad, pages } = await loadSquadPages(wh, { asOf: AS_OF });
    expect(renderSquadHtml(squad, squadFigures(squad), pages, { title: 'Squad report' })).toBe(readFileSync(out.html, 'utf8'));
    expect(out.athletes).toBe(4);
    expect(execFileSync('pdfinfo', [out.pdf], { encoding: 'utf8' })).toMatch(new RegExp(`^Pages:\\s+${out.pages}$`, 'm'));

    const text = execFileSync('pdftotext', ['-layout', out.pdf, '-'], { encoding: 'utf8' });
    const printed = text.split('\f').filter((p) => p.trim());
    expect(printed).toHaveLength(out.pages);
    expect(out.pages).toBe(5);
    const first = printed[0]!;
    expect(first).toContain('Squad report');
    expect(first).toContain(`4 athletes, as of ${AS_OF}; most concerning first.`);
    const order = squad.athletes.map((a) => first.indexOf(a.displayName ? `${a.displayName.split(' ')[0]}` : a.athleteId));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((x, y) => x - y));
    expect(first).toMatch(/Ann Lee\s+high injury risk, an open/);
    expect(first).toContain('31 %');
    expect(first).toContain('calf (minor)');
    expect(readFileSync(out.html, 'utf8').includes('<td>31 % high</td><td>calf (minor) since 2025-02-20</td>')).toBe(true);
    // Chart text comes from the SVG Plotly drew, so the figures were rendered.
    expect(first).toContain('Load of the last 7 days');
    expect(first).toContain('ACWR (EWMA 7:28 days)');

    squad.athletes.forEach((a, i) => {
      const page = printed[i + 1]!;
      const label = a.displayName ? `${a.displayName} (${a.athleteId})` : a.athleteId;
      expect(page.trimStart().startsWith(label), label).toBe(true);
      if (a.athleteId === 'cid') {
        expect(page).toMatch(/Latest data\s+no data/);
        return;
      }
      for (const t of ['Daily training load, fitness, fatigue and form', 'Acute:chronic workload ratio', 'Heart rate variability (RMSSD)']) expect(page, label).toContain(t);
    });
    const annPage = printed[1]!;
    expect(annPage).toMatch(/Injury risk\s+31 % \(high\) on 2025-02-28, athlete model/);
    expect(annPage).toMatch(/Main drivers\s+ACWR[^\n]* \+9\.0 pp · [^\n]* −2\.0 pp/);
    expect(annPage).toMatch(/Open injuries\s+calf \(minor\) since 2025-02-20/);
  });

  it('through the command line: report --squad', async () => {
    wh.close();
    const saved = process.env.DATABASE_URL;
    const out: string[] = [];
    const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(s) };
    try {
      process.env.DATABASE_URL = join(dir, 'squad.duckdb');
      expect(await main(['report', '--squad', '--as-of', AS_OF, '--output', join(dir, 'cli', 'squad.pdf')], io)).toBe(0);
      expect(out.join('\n')).toMatch(/wrote .*squad\.pdf \(4 athletes, 5 pages\)/);
      expect(await main(['report', '--as-of', AS_OF], io)).toBe(2);
      expect(await main(['report', '--squad', '--as-of', '1 March'], io)).toBe(2);
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
      wh = await Warehouse.open(join(dir, 'squad.duckdb'));
    }
  });
});
