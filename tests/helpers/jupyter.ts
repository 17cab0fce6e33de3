/**
 * Run notebooks headlessly through real Jupyter (nbconvert --execute) with the
 * project's tslab kernel, and inspect notebook files.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { KERNEL_NAME, installKernel, jupyterEnv, kernelInstalled } from '../../kernel/kernelspec.ts';

/** One output of a code cell, as nbformat 4 stores it (multi-line strings joined). */
export interface CellOutput {
  output_type: 'stream' | 'display_data' | 'execute_result' | 'error';
  name?: string;
  text?: string;
  data?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
}

/** A cell of an executed notebook. */
export interface ExecutedCell {
  index: number;
  cellType: string;
  source: string;
  outputs: CellOutput[];
}

/** An executed notebook: its cells and the size of the written .ipynb. */
export interface ExecutedNotebook {
  cells: ExecutedCell[];
  bytes: number;
}

/** Options for `runNotebook`. */
export interface RunOptions {
  /** Per-cell timeout, seconds. */
  timeoutS?: number;
  /** Extra environment for the kernel (e.g. DATABASE_URL). */
  env?: Record<string, string>;
}

interface RawCell {
  cell_type: string;
  source: string | string[];
  outputs?: Record<string, unknown>[];
  execution_count?: number | null;
}

interface RawNotebook {
  cells: RawCell[];
  metadata?: { kernelspec?: { name?: string } };
  nbformat: number;
}

const joinText = (v: unknown): unknown => (Array.isArray(v) ? v.join('') : v);

function toOutput(o: Record<string, unknown>): CellOutput {
  const out = { ...o } as unknown as CellOutput;
  if (o.text !== undefined) out.text = joinText(o.text) as string;
  if (o.data && typeof o.data === 'object') {
    out.data = Object.fromEntries(Object.entries(o.data as Record<string, unknown>).map(([k, v]) => [k, joinText(v)]));
  }
  return out;
}

/** Read an .ipynb file. */
export function readNotebook(path: string): RawNotebook {
  const nb = JSON.parse(readFileSync(path, 'utf8')) as RawNotebook;
  if (nb.nbformat !== 4 || !Array.isArray(nb.cells)) throw new Error(`${path}: not an nbformat 4 notebook`);
  return nb;
}

/** Throw a clear error when Jupyter's nbconvert is not installed. */
export function requireJupyter(): void {
  const probe = spawnSync('jupyter', ['nbconvert', '--version'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error(
      'Jupyter (nbconvert) is not installed, so notebooks cannot be run: run `make test`, which installs it ' +
        '(Debian packages jupyter-nbconvert jupyter-client python3-ipykernel).',
    );
  }
}

/** The nbclient error report in nbconvert's stderr: the failing cell's source and the error text. */
export function cellErrorReport(stderr: string): string {
  const at = stderr.indexOf('An error occurred while executing the following cell');
  return (at >= 0 ? stderr.slice(at) : stderr.split('\n').slice(-30).join('\n')).trim();
}

/**
 * Execute `path` top to bottom with the project's tslab kernel (installed
 * first if missing) and return its cells. Rejects on any cell error with the
 * cell's source and the error text.
 */
export async function runNotebook(path: string, opts: RunOptions = {}): Promise<ExecutedNotebook> {
  requireJupyter();
  if (!kernelInstalled()) installKernel();
  const outDir = mkdtempSync(join(tmpdir(), 'notebook-run-'));
  const name = basename(path, '.ipynb');
  const args = [
    'nbconvert', '--to', 'notebook', '--execute',
    `--ExecutePreprocessor.kernel_name=${KERNEL_NAME}`,
    `--ExecutePreprocessor.timeout=${opts.timeoutS ?? 120}`,
    '--output-dir', outDir, '--output', name,
    resolve(path),
  ];
  try {
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((done, fail) => {
      const child = spawn('jupyter', args, { env: { ...jupyterEnv(), ...opts.env }, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
      child.on('error', fail);
      child.on('close', (c) => done({ code: c, stderr: err }));
    });
    if (code !== 0) throw new Error(`${path}: a cell failed\n${cellErrorReport(stderr)}`);
    const file = join(outDir, `${name}.ipynb`);
    const nb = readNotebook(file);
    const cells = nb.cells.map((c, index) => ({
      index,
      cellType: c.cell_type,
      source: joinText(c.source) as string,
      outputs: (c.outputs ?? []).map(toOutput),
    }));
    const failed = cells.find((c) => c.outputs.some((o) => o.output_type === 'error'));
    if (failed) {
      const err = failed.outputs.find((o) => o.output_type === 'error')!;
      throw new Error(`${path}: cell ${failed.index} failed\n${failed.source}\n${err.ename}: ${err.evalue}`);
    }
    return { cells, bytes: statSync(file).size };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** What is wrong with a notebook as committed: too big, outputs or execution counts saved, wrong kernel. */
export function committedNotebookProblems(path: string, maxBytes = 200 * 1024): string[] {
  const problems: string[] = [];
  const size = statSync(path).size;
  if (size > maxBytes) problems.push(`${path}: ${size} bytes, over the ${maxBytes}-byte limit`);
  const nb = readNotebook(path);
  if (nb.metadata?.kernelspec?.name !== KERNEL_NAME) {
    problems.push(`${path}: metadata.kernelspec.name is ${String(nb.metadata?.kernelspec?.name)}, expected ${KERNEL_NAME}`);
  }
  nb.cells.forEach((c, i) => {
    if (c.cell_type !== 'code') return;
    if ((c.outputs ?? []).length > 0) problems.push(`${path}: cell ${i} has saved outputs (clear them before committing)`);
    if (c.execution_count != null) problems.push(`${path}: cell ${i} has an execution count (clear outputs before committing)`);
  });
  return problems;
}
