#!/usr/bin/env node
// Entry point of the `athlete` command: runs the TypeScript sources through tsx.
import { register } from 'tsx/esm/api';

// Output piped into `head` and the like: stop quietly when the reader goes away.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

register();
const { main } = await import('../cli/cli.ts');
process.exitCode = await main(process.argv.slice(2));
