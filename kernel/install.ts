/**
 * `make kernel`: install the project's tslab kernelspec into kernel/share/jupyter.
 * Run with `node --import tsx kernel/install.ts [data-dir]`.
 */
import { JUPYTER_DATA_DIR, installKernel } from './kernelspec.ts';

const file = installKernel(process.argv[2] ?? JUPYTER_DATA_DIR);
console.log(`installed the TypeScript (tslab) kernel: ${file}`);
console.log(`use it from any Jupyter with JUPYTER_PATH=${JUPYTER_DATA_DIR}`);
