/**
 * `make notebook`: start Jupyter (Lab when installed, else the classic
 * Notebook) on notebooks/ with the project's kernel, installing it if needed.
 * Run with `node --import tsx kernel/notebook.ts [extra jupyter args]`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT, installKernel, jupyterEnv, kernelInstalled } from './kernelspec.ts';

/** The first Jupyter server application found on PATH. */
function findServer(): string | undefined {
  return ['jupyter-lab', 'jupyter-notebook'].find((cmd) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0);
}

const server = findServer();
if (!server) {
  console.error(
    'No Jupyter server is installed: install one with `sudo apt-get install jupyter-notebook` (Debian/Ubuntu), then run `make notebook` again.',
  );
  process.exit(1);
}
if (!kernelInstalled()) installKernel();
const child = spawn(server, [`--notebook-dir=${join(PROJECT_ROOT, 'notebooks')}`, ...process.argv.slice(2)], {
  env: jupyterEnv(),
  stdio: 'inherit',
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
