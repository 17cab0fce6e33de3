// Where the compiled JavaScript of lib/ lives (dist/, built by build.mjs at install) and whether it is current.
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The TypeScript sources. */
export const LIB = fileURLToPath(new URL('..', import.meta.url));
/** The compiled JavaScript, one file per source, laid out as lib/ is. */
export const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
/** Written after each complete build; its time is the build's. */
export const STAMP = `${DIST}.built`;

/** Whether `name` in lib/ is compiled into dist/ (the entry scripts in bin/ are not). */
export function isBuiltSource(relPath) {
  return /\.(ts|mjs)$/.test(relPath) && !relPath.endsWith('.d.ts') && !relPath.startsWith('bin/') && !relPath.startsWith('bin\\');
}

/**
 * True when dist/ holds a build newer than every source in lib/: then the
 * compiled JavaScript is what the sources say. A few milliseconds of stat calls.
 */
export function distIsCurrent() {
  let built;
  try {
    built = statSync(STAMP).mtimeMs;
  } catch {
    return false;
  }
  for (const e of readdirSync(LIB, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const path = `${e.parentPath ?? e.path}/${e.name}`;
    if (isBuiltSource(path.slice(LIB.length)) && statSync(path).mtimeMs > built) return false;
  }
  return true;
}
