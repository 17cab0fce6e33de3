/**
 * The project-local Jupyter kernelspec for tslab: where it lives, what its
 * kernel.json says, and how to (re)write it. Nothing goes into the user's own
 * Jupyter configuration; Jupyter finds the kernel through JUPYTER_PATH.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The project root. */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The project-local Jupyter data directory (generated, not committed): the value for JUPYTER_PATH. */
export const JUPYTER_DATA_DIR = join(PROJECT_ROOT, 'kernel', 'share', 'jupyter');
/** The kernel's name, as notebooks' metadata and `--ExecutePreprocessor.kernel_name` spell it. */
export const KERNEL_NAME = 'tslab';
/** What Jupyter, VS Code and the kernel picker show. */
export const KERNEL_DISPLAY_NAME = 'TypeScript (tslab)';

/** The kernel.json of the project's tslab kernel (Jupyter kernelspec format). */
export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  env: Record<string, string>;
  metadata: Record<string, unknown>;
}

/** Directory holding kernel.json under a Jupyter data directory. */
export function kernelDir(dataDir = JUPYTER_DATA_DIR): string {
  return join(dataDir, 'kernels', KERNEL_NAME);
}

/**
 * The kernelspec for a project at `root`: the project's own tslab started by
 * this Node with tsx and the kernel preload, and node_modules/.bin on PATH.
 * Paths are absolute because the file is generated per checkout.
 */
export function buildKernelSpec(root = PROJECT_ROOT, path = process.env.PATH ?? ''): KernelSpec {
  const req = createRequire(join(root, 'package.json'));
  const tsx = pathToFileURL(req.resolve('tsx')).href;
  const tslab = join(dirname(req.resolve('tslab/package.json')), 'bin', 'tslab');
  const preload = pathToFileURL(join(root, 'kernel', 'preload.ts')).href;
  const bin = join(root, 'node_modules', '.bin');
  return {
    argv: [process.execPath, '--import', tsx, '--import', preload, tslab, 'kernel', '--config-path', '{connection_file}'],
    display_name: KERNEL_DISPLAY_NAME,
    language: 'typescript',
    env: { PATH: path ? `${bin}${delimiter}${path}` : bin },
    metadata: { generated_by: 'kernel/install.ts' },
  };
}

/** Write the kernelspec under `dataDir`; returns the kernel.json path. */
export function installKernel(dataDir = JUPYTER_DATA_DIR, spec = buildKernelSpec()): string {
  const dir = kernelDir(dataDir);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'kernel.json');
  writeFileSync(file, `${JSON.stringify(spec, null, 2)}\n`);
  return file;
}

/**
 * True when the kernelspec under `dataDir` exists and every file its argv
 * names still exists (a moved checkout or a new Node needs a reinstall).
 */
export function kernelInstalled(dataDir = JUPYTER_DATA_DIR): boolean {
  const file = join(kernelDir(dataDir), 'kernel.json');
  if (!existsSync(file)) return false;
  try {
    const spec = JSON.parse(readFileSync(file, 'utf8')) as Partial<KernelSpec>;
    const argv = spec.argv ?? [];
    const files = [argv[0], argv[2], argv[4], argv[5]];
    return files.every((f) => f !== undefined && existsSync(f.startsWith('file:') ? fileURLToPath(f) : f));
  } catch {
    return false;
  }
}

/** The environment for running Jupyter with the project's kernel: JUPYTER_PATH first, then any the user had. */
export function jupyterEnv(base: NodeJS.ProcessEnv = process.env, dataDir = JUPYTER_DATA_DIR): NodeJS.ProcessEnv {
  const rest = base.JUPYTER_PATH ? `${delimiter}${base.JUPYTER_PATH}` : '';
  return { ...base, JUPYTER_PATH: `${dataDir}${rest}` };
}
