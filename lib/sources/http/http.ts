/**
 * The one HTTP layer every API connector uses: timeouts, bounded retries with
 * exponential backoff and full jitter, rate-limit errors, one token refresh on
 * 401, and JSON decoding that fails with a readable message.
 */
import type { AxiosInstance, AxiosResponse } from 'axios';
import { redactString } from '../../core/redact.ts';

/** Raised on HTTP 429: wait `retryAfter` seconds before calling the service again. */
export class RateLimitError extends Error {
  override readonly name = 'RateLimitError';
  constructor(
    readonly source: string,
    readonly path: string,
    /** Seconds until the service accepts calls again. */
    readonly retryAfter: number,
    /** The service's stated limit(s), e.g. Strava's "200,2000". */
    readonly limit?: string,
    /** The service's stated usage, e.g. Strava's "200,913". */
    readonly usage?: string,
  ) {
    super(`${source}: rate limit reached on ${path}; retry after ${retryAfter} s${limit ? ` (limit ${limit}, usage ${usage ?? '?'})` : ''}`);
  }
}

/** A non-success HTTP status (after retries) or a network failure (`status` null). */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly source: string,
    readonly method: string,
    readonly path: string,
    readonly status: number | null,
    detail: string,
  ) {
    super(redactString(`${source}: ${method} ${path} failed${status != null ? ` with HTTP ${status}` : ''}: ${detail}`));
  }
}

/** The credentials were refused even after a refresh: the user must authorise again. */
export class AuthError extends Error {
  override readonly name = 'AuthError';
  constructor(readonly source: string, message: string) {
    super(redactString(`${source}: ${message}`));
  }
}

/** A response body that is not the JSON it should be (truncated, HTML error page, ...). */
export class ResponseFormatError extends Error {
  override readonly name = 'ResponseFormatError';
  constructor(readonly source: string, readonly path: string, reason: string) {
    super(redactString(`${source}: response from ${path} is not valid JSON: ${reason}`));
  }
}

/** How a service reports rate limits: Strava's usage headers, or Retry-After / X-RateLimit-Reset. */
export type RateLimitStyle = 'strava' | 'standard';

/** Knobs shared by every client; tests inject `sleep` and `random`. */
export interface HttpTuning {
  timeoutMs?: number;
  /** Total attempts for one request, first one included. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  now?: () => Date;
  /** Receives one already-redacted line per notable event (retry, refresh). */
  log?: (line: string) => void;
}

/** Supplies auth headers and refreshes them when the service answers 401. */
export interface AuthProvider {
  headers(): Promise<Record<string, string>>;
  /** Refresh the credentials; false when that is impossible. */
  onUnauthorized(): Promise<boolean>;
}

/** Settings of one HTTP client. */
export interface HttpClientConfig extends HttpTuning {
  source: string;
  baseUrl: string;
  rateLimit?: RateLimitStyle;
  auth?: AuthProvider;
}

/** One request. `path` may be absolute (token endpoints on another host). */
export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT';
  params?: Record<string, string | number | boolean | undefined | null>;
  json?: unknown;
  form?: Record<string, string>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Send the auth headers and refresh on 401 (default true when the client has auth). */
  auth?: boolean;
}

/** A decoded JSON response. */
export interface JsonResponse {
  status: number;
  data: unknown;
  headers: Record<string, string>;
}

const RETRYABLE_NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ERR_BAD_RESPONSE', 'EAI_AGAIN', 'ENOTFOUND']);

/** Sleep that wakes early (rejecting) when the signal aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const t = setTimeout(done, ms);
    function done(): void {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort(): void {
      clearTimeout(t);
      reject(signal?.reason ?? new Error('aborted'));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Delay before retry `attempt` (0-based): "full jitter", a uniform draw in
 * [0, min(cap, base * 2^attempt)) (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015).
 */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random: () => number): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
}

/**
 * Seconds to wait after a Strava 429. Limits "15min,daily" reset at each
 * quarter-hour and at midnight UTC (Strava API docs, "Rate Limits"); when
 * the daily usage has reached its limit only midnight helps.
 */
export function stravaRetryAfter(headers: Record<string, string>, now: Date): { retryAfter: number; limit?: string; usage?: string } {
  const pairs: Array<[string | undefined, string | undefined]> = [
    [headers['x-ratelimit-limit'], headers['x-ratelimit-usage']],
    [headers['x-readratelimit-limit'], headers['x-readratelimit-usage']],
  ];
  const t = now.getTime();
  const quarter = 15 * 60_000;
  const nextQuarter = Math.floor(t / quarter) * quarter + quarter;
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  let until = nextQuarter;
  for (const [limit, usage] of pairs) {
    if (!limit || !usage) continue;
    const [, dailyLimit] = limit.split(',').map((x) => Number(x.trim()));
    const [, dailyUsage] = usage.split(',').map((x) => Number(x.trim()));
    if (dailyLimit != null && dailyUsage != null && Number.isFinite(dailyLimit) && dailyUsage >= dailyLimit) until = midnight;
  }
  return {
    retryAfter: Math.max(1, Math.ceil((until - t) / 1000)),
    limit: headers['x-ratelimit-limit'],
    usage: headers['x-ratelimit-usage'],
  };
}

/** Seconds to wait from `Retry-After` (seconds or HTTP date) or `X-RateLimit-Reset` (seconds, or epoch seconds). */
export function standardRetryAfter(headers: Record<string, string>, now: Date): { retryAfter: number; limit?: string; usage?: string } {
  const limit = headers['x-ratelimit-limit'];
  const usage = headers['x-ratelimit-remaining'] != null ? `remaining ${headers['x-ratelimit-remaining']}` : undefined;
  const ra = headers['retry-after']?.trim();
  let secs: number | null = null;
  if (ra) {
    if (/^\d+(\.\d+)?$/.test(ra)) secs = Number(ra);
    else {
      const at = Date.parse(ra);
      if (Number.isFinite(at)) secs = (at - now.getTime()) / 1000;
    }
  }
  const reset = headers['x-ratelimit-reset']?.trim();
  if (secs == null && reset && /^\d+(\.\d+)?$/.test(reset)) {
    const n = Number(reset);
    // Large values are an epoch instant, small ones a delay.
    secs = n > 1e9 ? n - now.getTime() / 1000 : n;
  }
  return { retryAfter: Math.max(1, Math.ceil(secs ?? 60)), limit, usage };
}

function isLoopback(url: string): boolean {
  try {
    const h = new URL(url).hostname;
    return h === '127.0.0.1' || h === 'localhost' || h === '[::1]';
  } catch {
    return false;
  }
}

function flatHeaders(h: AxiosResponse['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) if (v != null) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  return out;
}

/** An HTTP client for one service. */
export class HttpClient {
  readonly source: string;
  readonly baseUrl: string;
  /** Made on the first request: loading axios costs about 0.1 s, which a run that sends nothing (the demo, a dry run) should not pay. */
  private ax?: Promise<AxiosInstance>;
  private readonly cfg: Required<Omit<HttpClientConfig, 'auth' | 'log' | 'rateLimit'>> & Pick<HttpClientConfig, 'auth' | 'log' | 'rateLimit'>;

  constructor(cfg: HttpClientConfig) {
    this.source = cfg.source;
    this.baseUrl = cfg.baseUrl.replace(/\/+$/, '');
    this.cfg = {
      timeoutMs: 30_000,
      maxAttempts: 4,
      baseDelayMs: 500,
      maxDelayMs: 30_000,
      sleep: abortableSleep,
      random: Math.random,
      now: () => new Date(),
      ...cfg,
    };
  }

  private client(): Promise<AxiosInstance> {
    this.ax ??= import('axios').then(({ default: axios }) =>
      axios.create({
        timeout: this.cfg.timeoutMs,
        responseType: 'arraybuffer',
        transformResponse: [(d: unknown) => d],
        validateStatus: () => true,
        maxRedirects: 5,
      }),
    );
    return this.ax;
  }

  /** The path part of a URL, for messages: never the query string, which may carry secrets. */
  pathOf(pathOrUrl: string): string {
    try {
      return new URL(this.urlOf(pathOrUrl)).pathname;
    } catch {
      return pathOrUrl.split('?')[0] ?? pathOrUrl;
    }
  }

  /** Full URL of a path (absolute URLs are kept). */
  urlOf(pathOrUrl: string): string {
    return /^https?:\/\//.test(pathOrUrl) ? pathOrUrl : `${this.baseUrl}${pathOrUrl.startsWith('/') ? '' : '/'}${pathOrUrl}`;
  }

  /** GET (or POST) and decode JSON. */
  async json(path: string, opts: RequestOptions = {}): Promise<JsonResponse> {
    const res = await this.send(path, opts, true);
    return { status: res.status, data: res.json, headers: res.headers };
  }

  /** GET raw bytes (file downloads). */
  async bytes(path: string, opts: RequestOptions = {}): Promise<Uint8Array> {
    const res = await this.send(path, opts, false);
    return res.body;
  }

  private async send(
    path: string,
    opts: RequestOptions,
    decode: boolean,
  ): Promise<{ status: number; body: Uint8Array; json: unknown; headers: Record<string, string> }> {
    const method = opts.method ?? 'GET';
    const url = this.urlOf(path);
    const shownPath = this.pathOf(path);
    const useAuth = opts.auth ?? this.cfg.auth !== undefined;
    let refreshed = false;
    let attempt = 0;
    for (;;) {
      opts.signal?.throwIfAborted();
      const headers: Record<string, string> = { Accept: 'application/json', ...(opts.headers ?? {}) };
      if (useAuth && this.cfg.auth) Object.assign(headers, await this.cfg.auth.headers());
      let data: unknown;
      if (opts.form) {
        headers['Content-Type'] = 'application/x-www-form-urlencoded';
        data = new URLSearchParams(opts.form).toString();
      } else if (opts.json !== undefined) {
        headers['Content-Type'] = 'application/json';
        data = JSON.stringify(opts.json);
      }
      let res: AxiosResponse<ArrayBuffer>;
      try {
        res = await (await this.client()).request<ArrayBuffer>({
          url,
          method,
          params: cleanParams(opts.params),
          data,
          headers,
          signal: opts.signal,
          proxy: isLoopback(url) ? false : undefined,
        });
      } catch (e) {
        if (opts.signal?.aborted) throw opts.signal.reason ?? e;
        const code = (e as { code?: string }).code ?? '';
        const reason = `${code || 'network error'} ${(e as Error).message}`.trim();
        if ((RETRYABLE_NETWORK.has(code) || code === '') && attempt + 1 < this.cfg.maxAttempts) {
          await this.wait(attempt++, `${method} ${shownPath}: ${reason}`, opts.signal);
          continue;
        }
        throw new HttpError(this.source, method, shownPath, null, `${reason} (after ${attempt + 1} attempt(s))`);
      }
      const resHeaders = flatHeaders(res.headers);
      const body = new Uint8Array(res.data ?? new ArrayBuffer(0));
      const status = res.status;
      if (status === 429) {
        const now = this.cfg.now();
        const info = this.cfg.rateLimit === 'strava' ? stravaRetryAfter(resHeaders, now) : standardRetryAfter(resHeaders, now);
        throw new RateLimitError(this.source, shownPath, info.retryAfter, info.limit, info.usage);
      }
      if (status === 401 && useAuth && this.cfg.auth) {
        if (!refreshed) {
          refreshed = true;
          this.cfg.log?.(`${this.source}: 401 on ${shownPath}; refreshing the access token once`);
          if (await this.cfg.auth.onUnauthorized()) continue;
        }
        throw new AuthError(this.source, `authorisation refused (HTTP 401) on ${method} ${shownPath}; run "athlete auth ${this.source}" again`);
      }
      if (status >= 500) {
        if (attempt + 1 < this.cfg.maxAttempts) {
          await this.wait(attempt++, `${method} ${shownPath}: HTTP ${status}`, opts.signal);
          continue;
        }
        throw new HttpError(this.source, method, shownPath, status, `${excerpt(body)} (after ${attempt + 1} attempts)`);
      }
      if (status < 200 || status >= 300) {
        throw new HttpError(this.source, method, shownPath, status, excerpt(body));
      }
      if (!decode) return { status, body, json: undefined, headers: resHeaders };
      const text = new TextDecoder().decode(body);
      try {
        const json: unknown = text.trim() === '' ? null : JSON.parse(text);
        return { status, body, json, headers: resHeaders };
      } catch (e) {
        // A cut-off body is usually a dropped connection: worth another attempt.
        if (attempt + 1 < this.cfg.maxAttempts) {
          await this.wait(attempt++, `${method} ${shownPath}: unreadable JSON`, opts.signal);
          continue;
        }
        throw new ResponseFormatError(this.source, shownPath, `${(e as Error).message} (${body.length} bytes received)`);
      }
    }
  }

  private async wait(attempt: number, why: string, signal?: AbortSignal): Promise<void> {
    const ms = backoffDelay(attempt, this.cfg.baseDelayMs, this.cfg.maxDelayMs, this.cfg.random);
    this.cfg.log?.(redactString(`${this.source}: ${why}; retry ${attempt + 1} in ${ms} ms`));
    await this.cfg.sleep(ms, signal);
  }
}

function cleanParams(p: RequestOptions['params']): Record<string, string> | undefined {
  if (!p) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(p)) if (v !== undefined && v !== null) out[k] = String(v);
  return out;
}

/** The start of an error answer for a message: redacted before it is cut, so no part of a secret is left at the cut. */
function excerpt(body: Uint8Array): string {
  const text = redactString(new TextDecoder().decode(body.subarray(0, 65_536))).replace(/\s+/g, ' ').trim().slice(0, 300);
  return text === '' ? '(empty body)' : text;
}
