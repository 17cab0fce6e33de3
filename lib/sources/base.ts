/**
 * The contract every API connector implements, and the small helpers they
 * share for validating raw items and placing instants on local days.
 */
import type { z } from 'zod';
import { formatZodError, type ImportError, type ParseResult, type SourceWorkoutInput } from '../core/models.ts';
import type { SettingSpec } from '../core/settings.ts';
import type { HttpTuning } from './http/http.ts';
import type { TokenStore } from './http/token_store.ts';

/** A half-open window of instants: `start` inclusive, `end` exclusive. */
export interface DateRange {
  start: Date;
  end: Date;
}

/** One page of results; `cursor` is the opaque point to resume after it (null: nothing more). */
export interface Page {
  result: ParseResult;
  cursor: string | null;
}

/** Options of a fetch. */
export interface FetchOptions {
  cursor?: string | null;
  signal?: AbortSignal;
}

/** What every source connector offers to the sync engine. */
export interface BaseConnector {
  readonly source: string;
  /** Credentials or saved tokens are present. */
  isConfigured(): boolean;
  /** Make sure a valid access token exists (refreshing it when near expiry). */
  authenticate(): Promise<void>;
  fetchWorkouts(range: DateRange, opts?: FetchOptions): AsyncIterable<Page>;
  fetchBiometrics(range: DateRange, opts?: FetchOptions): AsyncIterable<Page>;
  /** Pure: one raw provider item to a canonical workout; throws on an invalid item. */
  transformWorkout(raw: unknown): SourceWorkoutInput;
}

/** Settings common to the API connectors; each connector adds its own. */
export interface ApiSettings {
  /** Base URL of the data API (tests point it at 127.0.0.1). */
  baseUrl: string;
  /** Base URL of the OAuth endpoints, when they live elsewhere. */
  authBaseUrl?: string;
  clientId?: string;
  clientSecret?: string;
  tokenStore: TokenStore;
  scopes?: string[];
  /** Loopback port for the OAuth redirect; 0 or absent picks a free one. */
  redirectPort?: number;
  http?: HttpTuning;
}

/**
 * One environment variable a connector reads (drives `.env.example`); its
 * `kind` is checked when any command starts.
 */
export interface EnvVar extends SettingSpec {
  description: string;
  default: string | null;
}

/** Raised by `transformWorkout` when a raw item does not match the provider's schema. */
export class RawItemError extends Error {
  override readonly name = 'RawItemError';
  constructor(readonly field: string | undefined, message: string) {
    super(message);
  }
}

/** Parse `raw` with a provider schema, throwing `RawItemError` naming the provider's field. */
export function parseRaw<S extends z.ZodType>(schema: S, raw: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const first = r.error.issues[0];
  throw new RawItemError(first?.path.join('.') || undefined, formatZodError(r.error, what));
}

/** Turn a failure on one item into an ImportError (the rest of the page is kept). */
export function itemError(input: string, record: string, err: unknown): ImportError {
  const e: ImportError = { input, record, reason: err instanceof Error ? err.message : String(err) };
  if (err instanceof RawItemError && err.field) e.field = err.field;
  return e;
}

/** Whether `t` lies in the half-open range. */
export function inRange(t: Date, range: DateRange): boolean {
  return t.getTime() >= range.start.getTime() && t.getTime() < range.end.getTime();
}

/** The UTC calendar day of an instant, YYYY-MM-DD. */
export function utcDay(t: Date): string {
  return t.toISOString().slice(0, 10);
}

/** The local calendar day of an instant at a UTC offset in minutes. */
export function localDay(t: Date, offsetMin: number): string {
  return utcDay(new Date(t.getTime() + offsetMin * 60_000));
}

/** Minutes east of UTC from "+02:00", "-0500", "Z" or "UTC-04:00"; null when unreadable. */
export function parseOffset(text: string | null | undefined): number | null {
  if (!text) return null;
  if (/^(Z|UTC|GMT)$/i.test(text.trim())) return 0;
  const m = /([+-])(\d{2}):?(\d{2})\s*$/.exec(text.trim());
  if (!m) return null;
  const v = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -v : v;
}

/** Every local day from the day of `range.start` up to, not including, the day of `range.end` (UTC). */
export function daysOf(range: DateRange): string[] {
  const out: string[] = [];
  const end = utcDay(range.end);
  for (let d = new Date(`${utcDay(range.start)}T00:00:00Z`); utcDay(d) < end; d = new Date(d.getTime() + 86_400_000)) {
    out.push(utcDay(d));
  }
  return out;
}

/** The day after an ISO day. */
export function nextDay(day: string): string {
  return utcDay(new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000));
}

/** Minutes east of UTC of an IANA zone at an instant (via Intl, never the process zone). */
export function zoneOffset(timeZone: string, at: Date): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(at);
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}
