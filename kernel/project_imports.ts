/**
 * Lets notebooks run by the tslab kernel import the project's own modules by
 * their real paths, e.g. `import { mapSport } from '../lib/core/sports.ts'`.
 *
 * tslab type-checks each cell with its bundled TypeScript 5.0 and compiles the
 * .ts files a cell imports to CommonJS itself. That fails for project code: a
 * file outside the notebook's folder is "not under rootDir" and cannot be
 * emitted, and an import ending in `.ts` is refused. With the changes below
 * tslab still checks the cell against the project's types, while the project
 * files themselves are loaded at run time by tsx (the kernel starts with
 * `--import tsx`), which compiles them exactly as the CLI and tests do.
 */
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';

/** TypeScript's diagnostic codes that the kernel lets pass. */
export const IGNORED_DIAGNOSTICS: ReadonlySet<number> = new Set([
  5097, // An import path can only end with a '.ts' extension when 'allowImportingTsExtensions' is enabled.
  6059, // File is not under 'rootDir'.
]);

interface SourceFileLike {
  fileName: string;
}
interface DiagnosticLike {
  code: number;
  file?: SourceFileLike;
}
interface BuilderLike {
  emit(sourceFile?: SourceFileLike, ...rest: unknown[]): unknown;
}
interface WatchHostLike {
  afterProgramCreate?: (builder: BuilderLike) => void;
}
/** The few functions of tslab's TypeScript that are wrapped. */
interface TsModule {
  getPreEmitDiagnosticsOfFiles(program: unknown, files: readonly SourceFileLike[], token?: unknown): DiagnosticLike[];
  createWatchProgram(host: WatchHostLike): unknown;
}

/** True when `file` lies outside `dir` (the kernel's working directory, i.e. the notebook's folder). */
export function isOutside(file: string, dir: string): boolean {
  const rel = relative(dir, resolve(dir, file));
  return rel.startsWith('..') || isAbsolute(rel);
}

/** Keep the diagnostics a notebook should see: the cell's own, minus the ones this hook makes moot. */
export function keepDiagnostic(d: DiagnosticLike, dir: string): boolean {
  if (IGNORED_DIAGNOSTICS.has(d.code)) return false;
  return !d.file || !isOutside(d.file.fileName, dir);
}

/** A copy of tslab's TypeScript module with project files left to tsx. */
export function patchTypeScript<T extends TsModule>(ts: T): T {
  // The module's exports are non-configurable getters: copy them, then override.
  const patched: T = { ...ts };
  patched.getPreEmitDiagnosticsOfFiles = (program, files, token) => {
    const cwd = process.cwd();
    const own = files.filter((f) => !isOutside(f.fileName, cwd));
    return ts.getPreEmitDiagnosticsOfFiles(program, own, token).filter((d) => keepDiagnostic(d, cwd));
  };
  patched.createWatchProgram = (host) => {
    const after = host.afterProgramCreate;
    host.afterProgramCreate = (builder) => {
      const emit = builder.emit.bind(builder);
      // Files outside the notebook's folder are never emitted by tslab: tsx loads them.
      builder.emit = (sourceFile, ...rest) =>
        sourceFile && isOutside(sourceFile.fileName, process.cwd())
          ? { emitSkipped: true, diagnostics: [] }
          : emit(sourceFile, ...rest);
      after?.(builder);
    };
    return ts.createWatchProgram(host);
  };
  return patched;
}

/**
 * Replace tslab's TypeScript in the module cache with the patched copy; must
 * run before tslab itself is loaded.
 */
export function installProjectImports(): void {
  const req = createRequire(import.meta.url);
  const tslabDir = dirname(req.resolve('tslab/package.json'));
  const tsPath = createRequire(join(tslabDir, 'package.json')).resolve('@tslab/typescript-for-tslab');
  const ts = req(tsPath) as TsModule;
  const cached = req.cache[tsPath];
  if (!cached) throw new Error(`tslab's TypeScript (${tsPath}) did not land in the module cache`);
  cached.exports = patchTypeScript(ts);
}
