/**
 * notebooks/05_squad.ipynb, run top to bottom through real Jupyter and the
 * tslab kernel on a demo squad of three loaded by `athlete sync`: it shows
 * the squad report's table and figures, the same as lib/report computes them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLOTLY_MIME, plainFigure, type PlotlyFigure } from '../../kernel/display.ts';
import { main } from '../../lib/cli/cli.ts';
import { Warehouse } from '../../lib/core/warehouse.ts';
import { loadSquadPages } from '../../lib/report/squad.ts';
import { athleteLabel, squadFigures } from '../../lib/report/squad_figures.ts';
import { committedNotebookProblems, runNotebook, type ExecutedNotebook } from '../helpers/jupyter.ts';
import { ROOT } from '../helpers/shared.ts';

const NOTEBOOK = join(ROOT, 'notebooks', '05_squad.ipynb');
let dir: string;
let nb: ExecutedNotebook;
let expected: { labels: string[]; figures: PlotlyFigure[] };
const saved = { ...process.env };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'squad-notebook-'));
  const db = join(dir, 'athlete.duckdb');
  Object.assign(process.env, { DATABASE_URL: db, DEMO_DATA_DIR: join(dir, 'demo'), DEMO_DAYS: '60', DEMO_ATHLETES: '3', LOG_LEVEL: 'silent' });
  delete process.env.ATHLETE_ID;
  const log: string[] = [];
  const code = await main(['sync'], { out: (s) => log.push(s), err: (s) => log.push(s) });
  if (code !== 0) throw new Error(`athlete sync failed (${code}):\n${log.join('\n')}`);
  const wh = await Warehouse.open(db, { readOnly: true });
  try {
    const { squad, pages } = await loadSquadPages(wh);
    expected = { labels: squad.athletes.map(athleteLabel), figures: [...squadFigures(squad), ...pages[0]!.figures].map((f) => plainFigure(f.figure)) };
  } finally {
    wh.close();
  }
  nb = await runNotebook(NOTEBOOK, { timeoutS: 180, env: { DATABASE_URL: db, LOG_LEVEL: 'silent' } });
}, 600_000);

afterAll(() => {
  process.env = saved;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const unescape = (s: string): string => s.replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n)));

describe('05_squad', () => {
  it('lists the squad as the report does, most concerning first', () => {
    const html = nb.cells.flatMap((c) => c.outputs).map((o) => o.data?.['text/html']).find((h): h is string => typeof h === 'string' && h.includes('The squad, most concerning first'))!;
    expect(html).toBeDefined();
    const rows = [...html.matchAll(/<tr>(.*?)<\/tr>/gs)].slice(1).map((m) => [...m[1]!.matchAll(/<td[^>]*>(.*?)<\/td>/gs)].map((c) => unescape(c[1]!)));
    expect(rows.map((r) => r[0])).toEqual(expected.labels);
    expect(rows).toHaveLength(3);
  });

  it("shows the squad's figures and the top athlete's page figures, as PNG and as the report's Plotly figures", () => {
    const shown = nb.cells.flatMap((c) => c.outputs).filter((o) => o.data?.['image/png'] !== undefined);
    expect(shown).toHaveLength(expected.figures.length);
    shown.forEach((o, i) => {
      const png = Buffer.from(o.data!['image/png'] as string, 'base64');
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect(o.data![PLOTLY_MIME]).toEqual(JSON.parse(JSON.stringify(expected.figures[i])));
    });
  });

  it('is committed without outputs', () => {
    expect(committedNotebookProblems(NOTEBOOK)).toEqual([]);
  });
});
