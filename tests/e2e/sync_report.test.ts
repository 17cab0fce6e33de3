/**
 * End to end, as a user runs it: `athlete sync` on the demo athlete (a shorter
 * span to keep the suite quick), then `athlete report`; the PDF is read back
 * with pdftotext and every page rendered with pdftoppm.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../lib/cli/cli.ts';

let dir: string;
const saved = { ...process.env };

async function athlete(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const sqlJson = async (q: string) => JSON.parse((await athlete('sql', q, '--format', 'json')).out) as Record<string, unknown>[];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'e2e-'));
  Object.assign(process.env, {
    DATABASE_URL: join(dir, 'athlete.duckdb'),
    DEMO_DATA_DIR: join(dir, 'demo'),
    DEMO_DAYS: '120',
    LOG_LEVEL: 'silent',
  });
});

afterAll(() => {
  process.env = saved;
  rmSync(dir, { recursive: true, force: true });
});

describe('sync and report on the demo athlete', () => {
  let firstSnapshot = '';

  it('syncs every demo source into a deduplicated warehouse', async () => {
    const r = await athlete('sync');
    expect(r.code).toBe(0);
    for (const s of ['garmin', 'strava', 'whoop', 'oura', 'vesync']) expect(r.out).toMatch(new RegExp(`${s}\\s+ok`));
    const [c] = await sqlJson(`SELECT (SELECT count(*) FROM source_workouts) AS src, (SELECT count(*) FROM workouts) AS w,
      (SELECT count(DISTINCT source) FROM source_workouts) AS sources, (SELECT count(*) FROM biometrics) AS bio,
      (SELECT count(*) FROM workout_streams) AS pts, (SELECT count(*) FROM daily_metrics) AS days, (SELECT count(*) FROM injuries) AS inj`);
    expect(c!.sources).toBe(4);
    expect(c!.w as number).toBeLessThan(c!.src as number);
    expect(c!.pts as number).toBeGreaterThan(10_000);
    expect(c!.bio as number).toBeGreaterThan(300);
    expect(c!.days as number).toBeGreaterThanOrEqual(119);
    const ev = await athlete('dedup', '--evaluate');
    const [, p, rcl] = /precision ([\d.]+)\s+recall ([\d.]+)/.exec(ev.out) ?? [];
    expect(Number(p)).toBeGreaterThanOrEqual(0.995);
    expect(Number(rcl)).toBeGreaterThanOrEqual(0.99);
    expect(ev.out).toMatch(/near-miss pairs kept apart: (\d+) of \1/);
    // The demo's Garmin Connect TCX exports are copies of watch FIT files: each joins its FIT's workout as a copy.
    const [copies] = await sqlJson(`SELECT (SELECT count(*) FROM source_workouts WHERE starts_with(external_id, 'tcx:')) AS tcx,
      (SELECT count(*) FROM workout_sources WHERE starts_with(external_id, 'tcx:') AND (match_info->>'copy') = 'true') AS joined`);
    expect(copies!.tcx as number).toBeGreaterThan(0);
    expect(copies!.joined).toBe(copies!.tcx);
    firstSnapshot = JSON.stringify(await sqlJson('SELECT * EXCLUDE (raw_data) FROM workouts ORDER BY workout_id'));
  });

  it('converges: a second sync leaves the same canonical workouts', async () => {
    expect((await athlete('sync')).code).toBe(0);
    expect(JSON.stringify(await sqlJson('SELECT * EXCLUDE (raw_data) FROM workouts ORDER BY workout_id'))).toBe(firstSnapshot);
  });

  it('writes the PDF report with its sections, and every page renders', async () => {
    const pdf = join(dir, 'reports', 'fitness_report.pdf');
    const r = await athlete('report', '--output', pdf);
    expect(r.code).toBe(0);
    expect(existsSync(pdf)).toBe(true);
    expect(existsSync(pdf.replace(/\.pdf$/, '.html'))).toBe(true);
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    for (const section of ['Summary', 'Training volume', 'Training load', 'Recovery', 'Data quality']) expect(text).toContain(section);
    // No source is configured, so the data are the demo athlete's: called by the demo's name, not the id.
    expect(text).toContain('Training report: Demo Athlete');
    const [w] = await sqlJson('SELECT count(*) AS n FROM workouts');
    expect(text).toContain(`${w!.n as number} from`);
    execFileSync('pdftoppm', ['-r', '20', '-png', pdf, join(dir, 'page')]);
    const pages = readdirSync(dir).filter((f) => /^page-\d+\.png$/.test(f));
    expect(pages.length).toBeGreaterThanOrEqual(5);
  });
});
