/** Shared bits of the API connector tests: a temp token store, a no-wait sleep, draining pages. */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DateRange, Page } from '../../lib/sources/base.ts';
import type { HttpTuning } from '../../lib/sources/http/http.ts';
import { TokenStore } from '../../lib/sources/http/token_store.ts';

/** A token store in a fresh temp folder, and a cleanup. */
export function tempStore(): { store: TokenStore; path: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'app-tokens-'));
  const path = join(dir, 'cfg', 'tokens.json');
  return { store: new TokenStore(path), path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** File permission bits. */
export function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}

/** HTTP tuning for tests: no real waiting, delays and log lines recorded. */
export function quickHttp(now?: () => Date): HttpTuning & { delays: number[]; logs: string[] } {
  const delays: number[] = [];
  const logs: string[] = [];
  return {
    delays,
    logs,
    maxAttempts: 3,
    sleep: async (ms: number) => {
      delays.push(ms);
    },
    random: () => 0.5,
    log: (l: string) => logs.push(l),
    ...(now ? { now } : {}),
  };
}

/** All pages of an async iterable. */
export async function drain(it: AsyncIterable<Page>): Promise<Page[]> {
  const out: Page[] = [];
  for await (const p of it) out.push(p);
  return out;
}

/** A range from ISO strings. */
export function range(start: string, end: string): DateRange {
  return { start: new Date(start), end: new Date(end) };
}

/** Serialise anything (typed arrays and dates included) for a secret search. */
export function dump(x: unknown): string {
  return JSON.stringify(x, (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v));
}
