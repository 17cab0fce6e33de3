#!/usr/bin/env node
// Compiles lib/ into dist/ so that the `athlete` command starts without compiling TypeScript:
// each .ts file is transpiled on its own (the sources are isolatedModules) by the project's
// TypeScript, with relative `.ts` imports rewritten to `.js`; .mjs files are copied. Only files
// changed since the last build are redone, and files whose source is gone are removed.
// Type checking is `make typecheck`'s job, not this one's.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { DIST, LIB, STAMP, isBuiltSource } from './dist.mjs';

const quiet = process.argv.includes('--quiet');
/** The project's TypeScript, loaded only when a file needs compiling (it takes a while to load). */
let ts;

function outputOf(rel) {
  return join(DIST, rel.replace(/\.ts$/, '.js'));
}

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

const started = performance.now();
// The stamp carries the time the build began: a source saved while it runs counts as newer.
const began = new Date();
const sources = readdirSync(LIB, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile())
  .map((e) => relative(LIB, join(e.parentPath ?? e.path, e.name)))
  .filter(isBuiltSource);
let built = 0;
const problems = [];
for (const rel of sources) {
  const src = join(LIB, rel);
  const out = outputOf(rel);
  if (mtime(out) >= mtime(src)) continue;
  mkdirSync(dirname(out), { recursive: true });
  if (rel.endsWith('.mjs')) {
    copyFileSync(src, out);
  } else {
    ts ??= (await import('typescript')).default;
    const options = {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      rewriteRelativeImportExtensions: true,
      esModuleInterop: true,
      isolatedModules: true,
    };
    const r = ts.transpileModule(readFileSync(src, 'utf8'), { compilerOptions: options, fileName: src, reportDiagnostics: true });
    for (const d of r.diagnostics ?? []) problems.push(`lib/${rel}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    writeFileSync(out, r.outputText);
  }
  built++;
}
// Outputs whose source was deleted or renamed would otherwise stay importable.
const wanted = new Set(sources.map(outputOf));
for (const e of existsSync(DIST) ? readdirSync(DIST, { recursive: true, withFileTypes: true }) : []) {
  const path = join(e.parentPath ?? e.path, e.name);
  if (e.isFile() && /\.m?js$/.test(e.name) && !wanted.has(path)) rmSync(path);
}
if (problems.length) {
  process.stderr.write(`build: ${problems.length} problem(s):\n${problems.join('\n')}\n`);
  process.exit(1);
}
mkdirSync(DIST, { recursive: true });
writeFileSync(STAMP, began.toISOString() + '\n');
utimesSync(STAMP, began, began);
if (!quiet || built > 0) process.stdout.write(`build: ${built} of ${sources.length} files compiled into dist/ in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
