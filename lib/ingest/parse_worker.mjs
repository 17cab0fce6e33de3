// Worker thread entry of the parse pool (parallel.ts). Workers do not inherit a
// TypeScript loader reliably, so tsx is registered here, in its own namespace
// so it cannot clash with a loader the parent passed down.
import { register } from 'tsx/esm/api';

const tsx = register({ namespace: 'parse-worker' });
const { serveParseJobs } = await tsx.import('./parallel.ts', import.meta.url);
serveParseJobs();
