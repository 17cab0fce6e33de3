/**
 * The workbench's notebooks, run top to bottom through real Jupyter and the
 * tslab kernel on a demo warehouse built once by `athlete sync`, `athlete
 * train` and `athlete predict`, with the PDF report made from it too, so
 * notebook 02, the PDF and the CLI can be held to the same risk. Each notebook
 * gets its own copy of the warehouse file, so two can run at a time despite
 * DuckDB's single-writer file lock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../lib/cli/cli.ts';
import { Warehouse } from '../../lib/core/warehouse.ts';
import { buildFigures, buildReport, loadReportData } from '../../lib/report/index.ts';
import { PLOTLY_MIME, plainFigure, type PlotlyFigure } from '../../kernel/display.ts';
import { ROOT } from '../helpers/shared.ts';
import { committedNotebookProblems, runNotebook, type CellOutput, type ExecutedCell, type ExecutedNotebook } from '../helpers/jupyter.ts';

const NOTEBOOKS = ['01_explore', '02_injury_model', '03_fitness_report', '04_ball_sports'] as const;
type Name = (typeof NOTEBOOKS)[number];
/** Figures each notebook shows, in all. */
const FIGURES: Record<Name, number> = { '01_explore': 5, '02_injury_model': 3, '03_fitness_report': 8, '04_ball_sports': 2 };
const notebookPath = (name: string): string => join(ROOT, 'notebooks', `${name}.ipynb`);

/** What the warehouse says, read directly, to check the notebooks' tables against. */
interface Facts {
  bySource: Map<string, number>;
  workouts: number;
  sourceRecords: number;
  injuries: number;
  ballSessions: number;
  figures: PlotlyFigure[];
  /** The athlete model's row of model_evaluations, as `athlete train` stored it. */
  evaluation: { status: string; injury_events: number; roc_auc: number | null; pr_auc: number | null; beats_baseline: boolean | null; folds: number };
  /** `athlete predict`'s output, and the PDF report's text. */
  predictOutput: string[];
  pdfText: string;
}

let dir: string;
let facts: Facts;
const saved = { ...process.env };
const runs = new Map<Name, Promise<ExecutedNotebook>>();

/** Run the notebooks `lanes` at a time (notebook i in lane i mod lanes), each on its own copy of the warehouse. */
function startRuns(db: string, lanes: number): void {
  const chains: Promise<unknown>[] = Array.from({ length: lanes }, () => Promise.resolve());
  NOTEBOOKS.forEach((name, i) => {
    const copy = join(dir, `${name}.duckdb`);
    copyFileSync(db, copy);
    if (existsSync(`${db}.wal`)) copyFileSync(`${db}.wal`, `${copy}.wal`);
    const lane = i % lanes;
    const run = chains[lane]!.then(() => runNotebook(notebookPath(name), { timeoutS: 180, env: { DATABASE_URL: copy, LOG_LEVEL: 'silent' } }));
    runs.set(name, run);
    // The lane goes on whether this run passed or not; its own tests see the rejection.
    chains[lane] = run.catch(() => undefined);
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'notebooks-'));
  const db = join(dir, 'athlete.duckdb');
  // Two years: enough injuries (8 or more) for the athlete's own model, as `make sync` gives it.
  Object.assign(process.env, { DATABASE_URL: db, DEMO_DATA_DIR: join(dir, 'demo'), DEMO_DAYS: '730', LOG_LEVEL: 'silent' });
  const run = async (args: string[]): Promise<string[]> => {
    const log: string[] = [];
    const code = await main(args, { out: (s) => log.push(...s.split('\n')), err: (s) => log.push(s) });
    if (code !== 0) throw new Error(`athlete ${args.join(' ')} failed (${code}):\n${log.join('\n')}`);
    return log;
  };
  await run(['sync']);
  await run(['train']);
  const predictOutput = await run(['predict']);
  const wh = await Warehouse.open(db);
  try {
    const src = await wh.all<{ source: string; n: number }>('SELECT source, count(*) AS n FROM source_workouts GROUP BY source');
    const [c] = await wh.all<{ w: number; r: number; inj: number; ball: number }>(
      `SELECT (SELECT count(*) FROM workouts) AS w, (SELECT count(*) FROM source_workouts) AS r, (SELECT count(*) FROM injuries) AS inj,
              (SELECT count(*) FROM plugin_results WHERE plugin = 'ball_sports' AND status = 'ok') AS ball`,
    );
    const report = buildFigures(await loadReportData(wh));
    const [evaluation] = await wh.all<Facts['evaluation'] & { report: string | null }>(
      "SELECT status, injury_events, roc_auc, pr_auc, beats_baseline, report FROM model_evaluations WHERE model = 'athlete'",
    );
    const pdf = await buildReport(wh, { outPdf: join(dir, 'report.pdf') });
    facts = {
      evaluation: { ...evaluation!, folds: evaluation!.report ? (JSON.parse(evaluation!.report) as { folds: unknown[] }).folds.length : 0 },
      predictOutput,
      pdfText: execFileSync('pdftotext', ['-layout', pdf.pdf, '-'], { encoding: 'utf8' }),
      bySource: new Map(src.map((r) => [r.source, r.n])),
      workouts: c!.w,
      sourceRecords: c!.r,
      injuries: c!.inj,
      ballSessions: c!.ball,
      figures: [...report.volume, ...report.load, ...report.recovery].map((f) => plainFigure(f.figure)),
    };
  } finally {
    wh.close();
  }
  startRuns(db, 2);
}, 900_000);

afterAll(() => {
  process.env = saved;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// ---- reading outputs

interface Table {
  caption: string;
  columns: string[];
  rows: string[][];
}

const unescape = (s: string): string => s.replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n)));

/** A table shown by showTable, read back from its HTML. */
function parseTable(html: string): Table {
  const caption = unescape(/<caption>(.*?)<\/caption>/s.exec(html)?.[1] ?? '');
  const rows = [...html.matchAll(/<tr>(.*?)<\/tr>/gs)].map((m) => [...m[1]!.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/gs)].map((c) => unescape(c[1]!)));
  return { caption, columns: rows[0] ?? [], rows: rows.slice(1) };
}

const tablesOf = (cell: ExecutedCell): Table[] =>
  cell.outputs.filter((o) => typeof o.data?.['text/html'] === 'string').map((o) => parseTable(o.data!['text/html'] as string));
const figuresOf = (cell: ExecutedCell): CellOutput[] => cell.outputs.filter((o) => o.data?.['image/png'] !== undefined);
const stdoutOf = (cell: ExecutedCell): string => cell.outputs.filter((o) => o.name === 'stdout').map((o) => o.text ?? '').join('');
const codeCells = (nb: ExecutedNotebook): ExecutedCell[] => nb.cells.filter((c) => c.cellType === 'code');

/** The first code cell whose source contains `marker`. */
function cellWith(nb: ExecutedNotebook, marker: string): ExecutedCell {
  const cell = codeCells(nb).find((c) => c.source.includes(marker));
  if (!cell) throw new Error(`no code cell contains ${marker}`);
  return cell;
}

/** The table whose caption starts with `caption`, as objects keyed by column. */
function table(nb: ExecutedNotebook, caption: string): Record<string, string>[] {
  const t = codeCells(nb).flatMap(tablesOf).find((x) => x.caption.startsWith(caption));
  if (!t) throw new Error(`no table captioned "${caption}"`);
  return t.rows.map((r) => Object.fromEntries(t.columns.map((c, i) => [c, r[i] ?? ''])));
}

/** PNG width and height from its IHDR chunk, after checking the signature. */
function pngSize(b64: string): [number, number] {
  const png = Buffer.from(b64, 'base64');
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  return [png.readUInt32BE(16), png.readUInt32BE(20)];
}

// ---- checks every notebook passes

describe.each(NOTEBOOKS)('%s', (name) => {
  let nb: ExecutedNotebook;
  beforeAll(async () => {
    nb = await runs.get(name)!;
  }, 600_000);

  it('runs every cell; each figure cell shows a PNG and the Plotly JSON', () => {
    let figures = 0;
    for (const cell of codeCells(nb)) {
      const shown = figuresOf(cell);
      if (cell.source.includes('showFigure(')) expect(shown.length, `cell ${cell.index}`).toBeGreaterThan(0);
      for (const out of shown) {
        const [w, h] = pngSize(out.data!['image/png'] as string);
        expect(w).toBeGreaterThan(300);
        expect(h).toBeGreaterThan(150);
        const plotly = out.data![PLOTLY_MIME] as { data: unknown[]; layout: Record<string, unknown> };
        expect(plotly.data.length).toBeGreaterThan(0);
        figures++;
      }
    }
    expect(figures).toBe(FIGURES[name]);
  });

  it('shows tables with rows wherever it calls showTable', () => {
    for (const cell of codeCells(nb).filter((c) => c.source.includes('showTable('))) {
      const tables = tablesOf(cell);
      expect(tables.length, `cell ${cell.index}`).toBeGreaterThan(0);
      for (const t of tables) expect(t.rows.length, `cell ${cell.index}: ${t.caption}`).toBeGreaterThan(0);
    }
  });

  it('stays under 2 MB executed, and is committed clean', () => {
    expect(nb.bytes).toBeLessThan(2_000_000);
    expect(committedNotebookProblems(notebookPath(name))).toEqual([]);
  });
});

// ---- what each notebook says

describe('01_explore values', () => {
  let nb: ExecutedNotebook;
  beforeAll(async () => {
    nb = await runs.get('01_explore')!;
  }, 600_000);

  it('counts each source the way the warehouse does', () => {
    const rows = table(nb, 'Records per source');
    const withWorkouts = rows.filter((r) => Number(r.workout_records) > 0);
    expect(new Map(withWorkouts.map((r) => [r.source, Number(r.workout_records)]))).toEqual(facts.bySource);
    expect(rows.find((r) => r.source === 'vesync')?.biometric_rows).toMatch(/^[1-9]\d*$/);
  });

  it('explains dedup: one base record per canonical workout, members of the example, its provenance', () => {
    const tiers = table(nb, 'Source records by match tier');
    expect(Number(tiers.find((r) => r.tier === 'base')!.records)).toBe(facts.workouts);
    expect(tiers.reduce((s, r) => s + Number(r.records), 0)).toBe(facts.sourceRecords);
    const members = table(nb, 'Member records');
    expect(members[0]!.why).toBe('base record');
    expect(members.slice(1).every((m) => /^tier [123], matched to /.test(m.why!))).toBe(true);
    const prov = table(nb, 'Canonical fields and where they came from');
    const memberSources = new Set(members.map((m) => m.source));
    expect(prov.find((r) => r.field === 'start_time')).toBeDefined();
    const offsetLine = /local offset evidence: (\w+)/.exec(stdoutOf(cellWith(nb, 'offsetEvidence')))?.[1];
    expect(['record', 'overlap', 'coordinates', 'home', 'none']).toContain(offsetLine);
    // Only the offset may come from outside the members: an overlapping record of another source, or the home zone.
    const offsetByMember = offsetLine === 'record' || offsetLine === 'coordinates';
    for (const r of prov) {
      if (r.field === 'utc_offset_min' && !offsetByMember) continue;
      for (const s of r.supplied_by!.split('+')) expect(memberSources.has(s)).toBe(true);
    }
  });

  it('correlates load and recovery over most of the days', () => {
    const rows = table(nb, 'Correlations between daily values');
    expect(rows.map((r) => `${r.x}~${r.y}`)).toEqual(['load~next_hrv', 'load~next_rhr', 'sleep_h~hrv_rmssd', 'acwr_ewma~resting_hr']);
    for (const r of rows) {
      expect(Math.abs(Number(r.r))).toBeLessThanOrEqual(1);
      expect(Number(r.days)).toBeGreaterThan(200);
    }
    expect(table(nb, 'Recorded injuries')).toHaveLength(facts.injuries);
  });
});

describe('02_injury_model values', () => {
  let nb: ExecutedNotebook;
  beforeAll(async () => {
    nb = await runs.get('02_injury_model')!;
  }, 900_000);

  it('labels the same injuries `athlete train` learned from', () => {
    expect(facts.injuries).toBeGreaterThanOrEqual(8);
    const [labelled] = table(nb, 'Labelled days');
    expect(Number(labelled!.injury_events)).toBe(facts.evaluation.injury_events);
    expect(Number(labelled!.pre_injury_days)).toBeGreaterThanOrEqual(facts.evaluation.injury_events);
    expect(Number(labelled!.days)).toBe(Number(labelled!.pre_injury_days) + Number(labelled!.other_days));
  });

  it("shows the stored evaluation, not one of its own: the pooled scores, the folds, the verdict and the ROC curve's area", () => {
    expect(facts.evaluation.status).toBe('trained');
    const pooled = table(nb, 'Pooled over the test blocks');
    expect(Number(pooled[0]!.roc_auc)).toBeCloseTo(facts.evaluation.roc_auc!, 6);
    expect(Number(pooled[0]!.pr_auc)).toBeCloseTo(facts.evaluation.pr_auc!, 6);
    expect(pooled[0]!.roc_auc_95ci).toMatch(/^0\.\d{3}–[01]\.\d{3}$/);
    expect(pooled[1]!.score).toBe('baseline: ACWR (EWMA) alone');
    expect(table(nb, 'Folds')).toHaveLength(facts.evaluation.folds);
    const verdict = stdoutOf(cellWith(nb, 'verdict:'));
    expect(verdict).toContain(facts.evaluation.beats_baseline ? 'better than the ACWR alone' : 'does not beat the ACWR alone');
    const area = /area under the curves: model ([\d.]+)/.exec(stdoutOf(cellWith(nb, 'rocPoints')))?.[1];
    expect(Number(area)).toBeCloseTo(facts.evaluation.roc_auc!, 3);
  });

  it('gives the same risk, in the same words, as `athlete predict` and the PDF report', () => {
    const meaning = facts.predictOutput[0]!;
    expect(meaning).toMatch(/^\d+(\.\d)? %: the probability that an injury starts within the 7 days after \d{4}-\d\d-\d\d, by this athlete's own model, calibrated/);
    const shown = stdoutOf(cellWith(nb, 'latest.meaning')).split('\n')[0];
    expect(shown).toBe(meaning);
    // pdftotext breaks lines anywhere: compare without whitespace.
    const squeeze = (t: string): string => t.replace(/\s+/g, '');
    expect(squeeze(facts.pdfText)).toContain(squeeze(meaning));
    const top = table(nb, 'Top features behind the risk');
    expect(top.length).toBeGreaterThan(0);
    expect(top.length).toBeLessThanOrEqual(5);
    for (const row of top) expect(row.unit).not.toBe('');
  });
});

describe('03_fitness_report values', () => {
  let nb: ExecutedNotebook;
  beforeAll(async () => {
    nb = await runs.get('03_fitness_report')!;
  }, 600_000);

  it('shows the report summary from the warehouse', () => {
    const summary = table(nb, 'Summary');
    expect(summary.find((r) => r.item === 'Workouts after deduplication')!.value).toContain(`${facts.workouts} from ${facts.sourceRecords} source records`);
    const sources = table(nb, 'Sources');
    for (const [source, n] of facts.bySource) expect(Number(sources.find((r) => r.source === source)!.workouts)).toBe(n);
  });

  it("shows exactly the report's figures, in the report's order", () => {
    const shown = codeCells(nb).flatMap(figuresOf).map((o) => o.data![PLOTLY_MIME] as PlotlyFigure);
    expect(shown.map((f) => f.data)).toEqual(facts.figures.map((f) => f.data));
    expect(shown.map((f) => (f.layout?.title as { text: string }).text)).toEqual(facts.figures.map((f) => (f.layout?.title as { text: string }).text));
  });
});

describe('04_ball_sports values', () => {
  let nb: ExecutedNotebook;
  beforeAll(async () => {
    nb = await runs.get('04_ball_sports')!;
  }, 600_000);

  it('lists every analysed session and recomputes the stored metrics exactly', () => {
    expect(facts.ballSessions).toBeGreaterThan(0);
    expect(codeCells(nb).flatMap(tablesOf).some((t) => t.caption === `${facts.ballSessions} analysed sessions`)).toBe(true);
    const headline = table(nb, 'Headline metrics');
    expect(headline.map((r) => r.metric)).toContain('total_distance_m');
    for (const r of headline) expect(r.value, r.metric).toBe(r.stored_by_sync);
    expect(Number(headline.find((r) => r.metric === 'total_distance_m')!.value)).toBeGreaterThan(500);
    const sprints = Number(headline.find((r) => r.metric === 'sprint_count')!.value);
    expect(sprints).toBeGreaterThan(0);
    expect(table(nb, 'Sprints')).toHaveLength(sprints);
    expect(table(nb, 'Speed zones')).toHaveLength(5);
  });

  it('draws the sprint profile and the field-coverage heatmap', () => {
    const titles = codeCells(nb)
      .flatMap(figuresOf)
      .map((o) => ((o.data![PLOTLY_MIME] as PlotlyFigure).layout?.title as { text?: string } | undefined)?.text ?? '');
    expect(titles).toHaveLength(2);
    const sprints = table(nb, 'Sprints').length;
    expect(titles[0]).toMatch(new RegExp(`^Speed profile: ${sprints} sprints? above 25.2 km/h$`));
    expect(titles[1]).toMatch(/^Field coverage \(\d+ % inside the pitch\)$/);
    const heat = codeCells(nb).flatMap(figuresOf)[1]!.data![PLOTLY_MIME] as { data: { type: string }[] };
    expect(heat.data[0]!.type).toBe('heatmap');
  });
});
