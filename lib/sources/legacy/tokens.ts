/**
 * The predecessor's Strava tokens: the refresh token in its `.env`
 * (`STRAVA_REFRESH_TOKEN`, which it refreshed from on every run) and the
 * plain-text tokens of its `data_sources` table. They go to the token store
 * only, never to the warehouse, a log or a summary.
 */
import { registerSecret } from '../../core/redact.ts';
import { leftOut, type LeftOut } from './left_out.ts';
import type { SqliteRow } from './sqlite.ts';

/** A Strava token found in the predecessor's files. */
export interface LegacyToken {
  source: 'strava';
  refresh_token: string;
  access_token?: string;
  /** Epoch seconds. */
  expires_at?: number;
  /** Where it was found (file and table or key), for the summary. */
  from: string;
}

/** An expiry as epoch seconds, from epoch seconds or milliseconds or an ISO text. */
function epochSeconds(v: unknown): number | undefined {
  if (v == null || v === '') return undefined;
  const n = Number(v);
  if (Number.isFinite(n)) return n > 1e11 ? Math.floor(n / 1000) : n;
  const t = Date.parse(String(v));
  return Number.isFinite(t) ? Math.floor(t / 1000) : undefined;
}

const secret = (v: unknown): string | undefined => {
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  registerSecret(v.trim());
  return v.trim();
};

/** The Strava token of its `data_sources` rows; other sources' saved logins are listed as left out (by name only). */
export function tokensFromDataSources(rows: Iterable<SqliteRow>, input: string): { tokens: LegacyToken[]; leftOut: LeftOut[] } {
  const tokens: LegacyToken[] = [];
  const out: LeftOut[] = [];
  let i = 0;
  for (const r of rows) {
    i++;
    const name = String(r.name ?? '').trim().toLowerCase();
    const refresh = secret(r.refresh_token);
    const access = secret(r.auth_token);
    if (!refresh && !access) continue;
    if (name === 'strava' && refresh) {
      tokens.push({ source: 'strava', refresh_token: refresh, access_token: access, expires_at: epochSeconds(r.expires_at), from: `${input} (row ${i})` });
    } else {
      out.push(leftOut('other_token', { input, record: `data_sources row ${i}`, field: 'refresh_token' }, name || 'unnamed source'));
    }
  }
  return { tokens, leftOut: out };
}

/** The Strava refresh token of its `.env`, if it has one. */
export function tokenFromEnv(env: Record<string, string | undefined>, input: string): LegacyToken | undefined {
  const refresh = secret(env.STRAVA_REFRESH_TOKEN);
  if (!refresh) return undefined;
  return { source: 'strava', refresh_token: refresh, access_token: secret(env.STRAVA_ACCESS_TOKEN), from: `${input} (STRAVA_REFRESH_TOKEN)` };
}
