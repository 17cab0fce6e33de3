/** Access to the real files in ../shared, with a clear failure when that folder is absent. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** ../shared beside the project. */
export const SHARED = resolve(ROOT, '..', 'shared');

/** Absolute path of a file under ../shared/fixtures; throws a readable error when ../shared is missing. */
export function fixturePath(rel: string): string {
  const p = join(SHARED, 'fixtures', rel);
  if (!existsSync(SHARED)) {
    throw new Error(`../shared is missing (looked for ${SHARED}): these tests read real fixture files from ../shared/fixtures`);
  }
  if (!existsSync(p)) throw new Error(`fixture not found in ../shared/fixtures: ${rel}`);
  return p;
}

/** The bytes of a file under ../shared/fixtures. */
export function readFixture(rel: string): Buffer {
  return readFileSync(fixturePath(rel));
}
