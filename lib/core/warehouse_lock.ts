/**
 * Sharing the warehouse file between processes. DuckDB lets one process
 * write or several read, and refuses the others with an error naming only a
 * pid; so each process that opens the file records what it is in a small
 * file beside the database, and a process that finds the file busy waits,
 * saying what holds it, until the holder lets go or the wait times out.
 */
import { mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What a process holding the warehouse file recorded about itself. */
export interface LockHolder {
  pid: number;
  /** What it runs, e.g. `athlete sync` or `notebook kernel`. */
  command: string;
  mode: 'read' | 'write';
  /** When it opened the file, ISO 8601 UTC. */
  since: string;
}

/** The warehouse stayed busy past the wait allowed; exit code 75 (try again later). */
export class WarehouseBusyError extends Error {
  override name = 'WarehouseBusyError';
  /** The exit code for "temporary failure, try again" (sysexits EX_TEMPFAIL). */
  readonly exitCode = 75;
}

/** Folder beside the database holding one record per process that has it open. */
export function holdersDir(dbPath: string): string {
  return `${dbPath}.holders`;
}

let opened = 0;

/** Record that this process holds `dbPath`; the returned function removes the record. */
export function recordHolder(dbPath: string, mode: LockHolder['mode'], command: string): () => void {
  const dir = holdersDir(dbPath);
  // One file per open, so two opens in one process (tests, notebooks) release independently.
  const file = join(dir, `${process.pid}-${++opened}.json`);
  const holder: LockHolder = { pid: process.pid, command, mode, since: new Date().toISOString() };
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, JSON.stringify(holder));
  } catch {
    // A read-only folder: others then see the pid without a name, which is all DuckDB gives.
    return () => {};
  }
  return () => {
    rmSync(file, { force: true });
    try {
      rmdirSync(dir);
    } catch {
      // Others still hold the file.
    }
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live holders recorded beside `dbPath`; records of processes that have ended are removed. */
export function readHolders(dbPath: string): LockHolder[] {
  const dir = holdersDir(dbPath);
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const out: LockHolder[] = [];
  for (const name of names) {
    try {
      const h = JSON.parse(readFileSync(join(dir, name), 'utf8')) as LockHolder;
      if (alive(h.pid)) out.push(h);
      else rmSync(join(dir, name), { force: true });
    } catch {
      // Removed or half-written by its owner meanwhile: skip it.
    }
  }
  return out;
}

/** True when `err` is DuckDB refusing the file because another process holds its lock. */
export function isLockConflict(err: unknown): boolean {
  return err instanceof Error && /Could not set lock on file|Conflicting lock is held/i.test(err.message);
}

/** Who holds the file, in words: from the records beside it, else the pid DuckDB names. */
export function describeHolders(dbPath: string, err: unknown): string {
  const m = err instanceof Error ? /\(PID (\d+)\)/.exec(err.message) : null;
  const pid = m ? Number(m[1]) : undefined;
  const holders = readHolders(dbPath).filter((h) => h.pid !== process.pid);
  const named = pid === undefined ? holders : holders.filter((h) => h.pid === pid);
  const list = (named.length ? named : holders).map(
    (h) => `\`${h.command}\` (pid ${h.pid}, ${h.mode === 'write' ? 'writing' : 'reading'} since ${h.since.slice(11, 19)} UTC)`,
  );
  if (list.length) return [...new Set(list)].join(', ');
  return pid === undefined ? 'another process' : `another program (pid ${pid})`;
}

/** How to wait for the file. */
export interface LockWait {
  /** Give up after this many milliseconds. */
  timeoutMs: number;
  /** Told once, and again whenever the holder changes, while waiting. */
  onWait?: (message: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Run `open` until it gets past DuckDB's file lock, waiting while another
 * process holds it; after `timeoutMs` throws a WarehouseBusyError naming the holder.
 */
export async function openWhenFree<T>(dbPath: string, readOnly: boolean, wait: LockWait, open: () => Promise<T>): Promise<T> {
  const start = Date.now();
  let told = '';
  for (let attempt = 0; ; attempt++) {
    try {
      return await open();
    } catch (err) {
      if (!isLockConflict(err)) throw err;
      const who = describeHolders(dbPath, err);
      const waited = Date.now() - start;
      if (waited >= wait.timeoutMs) {
        throw new WarehouseBusyError(
          `the warehouse ${dbPath} is in use by ${who}; gave up ${readOnly ? 'reading' : 'writing'} after waiting ${Math.round(waited / 1000)} s ` +
            `(WAREHOUSE_LOCK_TIMEOUT). Try again when it has finished.`,
        );
      }
      if (who !== told) {
        told = who;
        wait.onWait?.(`the warehouse is in use by ${who}; waiting up to ${Math.round(wait.timeoutMs / 1000)} s for it...`);
      }
      // Short first retries catch a quick command's release; then at most twice a second.
      await sleep(Math.min(500, 25 * 2 ** attempt, Math.max(1, wait.timeoutMs - waited)));
    }
  }
}
