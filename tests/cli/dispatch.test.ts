import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../lib/cli/cli.ts';
import { ROOT } from '../helpers/shared.ts';

let dir: string;
let runs = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cli-dispatch-'));
});

/** Bring the compiled build up to date (only changed files): the command runs it when it is current. */
function build(): void {
  execFileSync(process.execPath, ['lib/bin/build.mjs', '--quiet'], { cwd: ROOT, stdio: 'pipe' });
}
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/**
 * Run the real `athlete` entry point; the project files it loaded (relative to
 * the root; compiled files under dist/ named after their source in lib/) and
 * the packages, and whether it ran the compiled build.
 */
function loads(...argv: string[]): { files: string[]; packages: string[]; compiled: boolean } {
  const log = join(dir, `${++runs}-${argv.join('_').replace(/\W/g, '')}.log`);
  execFileSync(process.execPath, ['--import', pathToFileURL(join(ROOT, 'tests/cli/record_loads.mjs')).href, 'lib/bin/athlete.mjs', ...argv], {
    cwd: ROOT,
    env: { ...process.env, RECORD_LOADS: log, DATABASE_URL: `duckdb://${join(dir, 'unused.duckdb')}` },
    stdio: 'pipe',
  });
  const urls = [...new Set(readFileSync(log, 'utf8').split('\n').filter((u) => u.startsWith('file:')))];
  const paths = urls.map((u) => relative(ROOT, fileURLToPath(u.split('?')[0]!)));
  const own = paths.filter((p) => !p.includes('node_modules'));
  return {
    compiled: own.some((p) => p.startsWith('dist/')),
    files: own.map((p) => (p.startsWith('dist/') ? p.replace(/^dist\//, 'lib/').replace(/\.js$/, '.ts') : p)).sort(),
    packages: [...new Set(paths.filter((p) => p.includes('node_modules')).map((p) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(p)![1]!))],
  };
}

const COMMANDS = ['sync', 'import', 'migrate', 'auth', 'status', 'sql', 'export', 'report', 'analyze', 'plugins', 'injuries', 'train', 'predict', 'ml', 'athletes', 'dedup'];

describe('athlete dispatch', () => {
  it('lists every command and answers each one’s --help with its usage', async () => {
    const help = await run('--help');
    const listed = [...help.out.matchAll(/^ {2}(\w+) {2,}/gm)].map((m) => m[1]);
    expect(listed).toEqual(COMMANDS);
    for (const c of COMMANDS) {
      const r = await run(c, '--help');
      expect(r.code, c).toBe(0);
      expect(r.out, c).toMatch(new RegExp(`^usage: athlete ${c}\\b[^\\n]*\\n\\n\\S`));
    }
  });

  it('treats names an object inherits as unknown commands', async () => {
    for (const name of ['toString', 'constructor', '__proto__']) {
      const r = await run(name);
      expect(r.code, name).toBe(2);
      expect(r.err).toContain(`unknown command '${name}'`);
    }
  });

  it('runs the compiled build for athlete --help, loading no command, configuration, database or compiler', () => {
    build();
    const l = loads('--help');
    expect(l.compiled).toBe(true);
    expect(l.files).toEqual(['lib/bin/athlete.mjs', 'lib/bin/dist.mjs', 'lib/cli/args.ts', 'lib/cli/cli.ts']);
    expect(l.packages).toEqual([]);
  });

  it('runs the TypeScript sources when one is newer than the build', () => {
    const stamp = join(ROOT, 'dist', '.built');
    const built = statSync(stamp).mtime;
    utimesSync(stamp, new Date(0), new Date(0));
    try {
      const l = loads('--help');
      expect(l.compiled).toBe(false);
      expect(l.files).toContain('lib/cli/cli.ts');
      expect(l.packages).toContain('tsx');
    } finally {
      utimesSync(stamp, built, built);
    }
  });

  it('loads only the command asked for', () => {
    const l = loads('sql', '--help');
    expect(l.files.filter((f) => f.startsWith('lib/cli/'))).toEqual(['lib/cli/args.ts', 'lib/cli/cli.ts', 'lib/cli/context.ts', 'lib/cli/output.ts', 'lib/cli/sql.ts']);
    expect(l.packages).not.toContain('playwright-core');
    expect(l.packages).not.toContain('ml-random-forest');
  });
});
