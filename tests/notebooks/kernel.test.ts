import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/shared.ts';
import { requireJupyter, runNotebook } from '../helpers/jupyter.ts';
import { JUPYTER_DATA_DIR, buildKernelSpec, installKernel, jupyterEnv, kernelInstalled } from '../../kernel/kernelspec.ts';
import { isOutside, keepDiagnostic } from '../../kernel/project_imports.ts';
import { withErrorText } from '../../kernel/error_replies.ts';

const tmp = mkdtempSync(join(tmpdir(), 'kernel-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('kernelspec', () => {
  it('starts the project tslab with tsx and the preload, node_modules/.bin on PATH', () => {
    const spec = buildKernelSpec(ROOT, '/usr/bin');
    expect(spec.argv).toEqual([
      process.execPath,
      '--import',
      `file://${ROOT}/node_modules/tsx/dist/loader.mjs`,
      '--import',
      `file://${ROOT}/kernel/preload.ts`,
      `${ROOT}/node_modules/tslab/bin/tslab`,
      'kernel',
      '--config-path',
      '{connection_file}',
    ]);
    expect(spec.env.PATH).toBe(`${ROOT}/node_modules/.bin:/usr/bin`);
    expect(spec.display_name).toBe('TypeScript (tslab)');
    expect(spec.language).toBe('typescript');
  });

  it('installs into a Jupyter data directory and notices a stale spec', () => {
    const dir = join(tmp, 'share', 'jupyter');
    expect(kernelInstalled(dir)).toBe(false);
    const file = installKernel(dir, buildKernelSpec(ROOT, '/usr/bin'));
    expect(file).toBe(join(dir, 'kernels', 'tslab', 'kernel.json'));
    expect(kernelInstalled(dir)).toBe(true);
    const spec = JSON.parse(readFileSync(file, 'utf8')) as { argv: string[] };
    spec.argv[5] = join(tmp, 'moved', 'tslab');
    writeFileSync(file, JSON.stringify(spec));
    expect(kernelInstalled(dir)).toBe(false);
  });

  it('puts the project data directory first on JUPYTER_PATH', () => {
    expect(jupyterEnv({ JUPYTER_PATH: '/opt/j' }).JUPYTER_PATH).toBe(`${JUPYTER_DATA_DIR}:/opt/j`);
    expect(jupyterEnv({}).JUPYTER_PATH).toBe(JUPYTER_DATA_DIR);
  });
});

describe('kernel preload', () => {
  it('tells project files outside the notebook folder apart', () => {
    expect(isOutside('/p/lib/core/sports.ts', '/p/notebooks')).toBe(true);
    expect(isOutside('/p/notebooks/__tslab__.ts', '/p/notebooks')).toBe(false);
    expect(isOutside('/p/notebooks-old/x.ts', '/p/notebooks')).toBe(true);
  });

  it('drops .ts-extension and rootDir diagnostics and those in project files, keeps the cell’s own', () => {
    const cell = { fileName: '/p/notebooks/__tslab__.ts' };
    expect(keepDiagnostic({ code: 2322, file: cell }, '/p/notebooks')).toBe(true);
    expect(keepDiagnostic({ code: 5097, file: cell }, '/p/notebooks')).toBe(false);
    expect(keepDiagnostic({ code: 6059 }, '/p/notebooks')).toBe(false);
    expect(keepDiagnostic({ code: 2322, file: { fileName: '/p/lib/x.ts' } }, '/p/notebooks')).toBe(false);
  });

  it('puts the stderr text into failed execute replies only', () => {
    expect(withErrorText({ status: 'error', execution_count: 3 }, '1:7 - bad\n')).toEqual({
      status: 'error',
      execution_count: 3,
      ename: 'CellError',
      evalue: '1:7 - bad',
      traceback: ['1:7 - bad'],
    });
    expect(withErrorText({ status: 'ok', execution_count: 1 }, 'warning')).toEqual({ status: 'ok', execution_count: 1 });
  });
});

function writeNotebook(name: string, sources: string[]): string {
  const path = join(tmp, name);
  const cells = sources.map((s, i) => ({ cell_type: 'code', id: `c${i}`, metadata: {}, execution_count: null, outputs: [], source: s }));
  const nb = { cells, metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript (tslab)', language: 'typescript' } }, nbformat: 4, nbformat_minor: 5 };
  writeFileSync(path, JSON.stringify(nb));
  return path;
}

describe('runNotebook failures', () => {
  it('fails loudly, pointing at make test, when Jupyter is missing', () => {
    const path = process.env.PATH;
    process.env.PATH = tmp;
    try {
      expect(() => requireJupyter()).toThrow(/Jupyter \(nbconvert\) is not installed.*run `make test`/);
    } finally {
      process.env.PATH = path;
    }
  });

  it('reports a type error with the cell source and the compiler message', async () => {
    const path = writeNotebook('type_error.ipynb', ["const n: number = 'text';"]);
    await expect(runNotebook(path, { timeoutS: 60 })).rejects.toThrow(
      /const n: number = 'text';[\s\S]*Type 'string' is not assignable to type 'number'/,
    );
  }, 120_000);

  it('reports a runtime error from project code with its message; earlier cells ran with project imports', async () => {
    const sports = join(ROOT, 'lib', 'core', 'sports.ts');
    expect(existsSync(sports)).toBe(true);
    const path = writeNotebook('runtime_error.ipynb', [
      `import { mapSport } from '${sports}';\nconsole.log(mapSport('Swimming').sport);`,
      "throw new Error('boom from cell 2');",
    ]);
    await expect(runNotebook(path, { timeoutS: 60 })).rejects.toThrow(/throw new Error\('boom from cell 2'\);[\s\S]*boom from cell 2/);
  }, 120_000);
});
