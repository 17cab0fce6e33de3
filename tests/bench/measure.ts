/** Timing helpers of the benchmarks: medians of repeated runs and aligned output. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse } from '../../lib/core/warehouse.ts';

/** How many times each figure is measured; the median is reported. */
export const RUNS = Math.max(3, Number(process.env.BENCH_RUNS ?? 3));

/** True when `BENCH_FULL=1`: the sizes the issue asks for instead of the quick defaults. */
export const FULL = process.env.BENCH_FULL === '1';

/** The median of some numbers. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Run `fn` RUNS times; the median wall time in seconds and the last run's value. */
export async function timed<T>(fn: () => Promise<T> | T, runs = RUNS): Promise<{ s: number; all: number[]; value: T }> {
  const all: number[] = [];
  let value!: T;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    value = await fn();
    all.push((performance.now() - t) / 1000);
  }
  return { s: median(all), all, value };
}

/** Run `fn` RUNS times, each returning the seconds it measured itself (set-up excluded); the median. */
export async function timedSelf(fn: () => Promise<number>, runs = RUNS): Promise<number> {
  const all: number[] = [];
  for (let i = 0; i < runs; i++) all.push(await fn());
  return median(all);
}

/** Print one result line: a label and its figures. */
export function report(label: string, figures: Record<string, string | number>): void {
  const parts = Object.entries(figures).map(([k, v]) => `${k} ${typeof v === 'number' ? fmt(v) : v}`);
  console.log(`  ${label.padEnd(46)} ${parts.join('  ')}`);
}

/** A number with 3 significant digits (M and k suffixes for large ones). */
export function fmt(v: number): string {
  const p3 = (x: number) => String(Number(x.toPrecision(3)));
  if (Math.abs(v) >= 1e6) return `${p3(v / 1e6)} M`;
  if (Math.abs(v) >= 1e4) return `${p3(v / 1e3)} k`;
  return Number.isInteger(v) ? String(v) : p3(v);
}

/** Run `fn` with a fresh warehouse file in a temp folder, removed afterwards. */
export async function withWarehouse<T>(fn: (wh: Warehouse) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'app-bench-wh-'));
  const wh = await Warehouse.open(join(dir, 'bench.duckdb'));
  try {
    return await fn(wh);
  } finally {
    wh.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
