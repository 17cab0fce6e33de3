#!/usr/bin/env node
// Entry point of the `athlete` command. It runs the JavaScript compiled into dist/ (`npm run build`,
// done at install), so nothing is compiled at start; when a source in lib/ is newer than that build
// it runs the TypeScript sources through tsx instead: slower to start, never stale.
import { DIST, distIsCurrent } from './dist.mjs';

// Output piped into `head` and the like: stop quietly when the reader goes away.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

async function load() {
  if (distIsCurrent()) return import(new URL('cli/cli.js', `file://${DIST}`).href);
  const { register } = await import('tsx/esm/api');
  register();
  return import('../cli/cli.ts');
}

const { main } = await load();
process.exitCode = await main(process.argv.slice(2));
