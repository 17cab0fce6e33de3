// Worker thread entry of the parse pool (parallel.ts). In the compiled build (dist/) it imports
// parallel.js beside it. Run from the TypeScript sources, workers do not inherit a TypeScript
// loader reliably, so tsx is registered here, in its own namespace so it cannot clash with a
// loader the parent passed down.
import { existsSync } from 'node:fs';

const compiled = new URL('./parallel.js', import.meta.url);
const { serveParseJobs } = existsSync(compiled)
  ? await import(compiled.href)
  : await (await import('tsx/esm/api')).register({ namespace: 'parse-worker' }).import('./parallel.ts', import.meta.url);
serveParseJobs();
