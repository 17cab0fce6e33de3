/**
 * OAuth2 authorization-code flow with a loopback redirect on 127.0.0.1,
 * optional PKCE (S256), scope checks, and refresh with rotation: a refresh
 * token returned by the provider replaces the old one in the store at once.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { AuthError, HttpClient, HttpError, type AuthProvider, type HttpTuning } from './http.ts';
import { redactString, registerSecret } from '../../core/redact.ts';
import type { TokenEntry, TokenStore } from './token_store.ts';

/** Refresh an access token this long before it expires. */
export const REFRESH_MARGIN_S = 5 * 60;

/** One provider's OAuth2 endpoints and habits. */
export interface OAuthProvider {
  source: string;
  authorizeUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scopes: string[];
  /** How scopes are joined in the authorize URL: Strava uses ",", RFC 6749 a space. */
  scopeSeparator?: string;
  /** Send a PKCE S256 challenge (RFC 7636). */
  pkce: boolean;
  extraAuthorizeParams?: Record<string, string>;
  /** Extra form fields on refresh (WHOOP wants `scope=offline`). */
  extraRefreshParams?: Record<string, string>;
  /** Extra form fields on every token request (Withings wants `action=requesttoken`). */
  extraTokenParams?: Record<string, string>;
  /** Unwrap an enveloped token answer (Withings: `{status, body}`). */
  unwrapToken?: (data: unknown) => unknown;
  /** Scopes the service grants implicitly and may leave out of its answer. */
  impliedScopes?: string[];
  /** Loopback port for the redirect; 0 picks a free one. */
  redirectPort?: number;
}

/** A PKCE verifier and its S256 challenge (RFC 7636 §4.1-4.2: base64url(SHA-256(verifier))). */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: pkceChallenge(verifier) };
}

/** The S256 challenge of a verifier. */
export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** A random `state` value (32 url-safe characters; WHOOP requires at least 8). */
export function newState(): string {
  return randomBytes(24).toString('base64url');
}

/** Scopes asked for but not granted. `granted` is the provider's comma- or space-separated list. */
export function missingScopes(requested: string[], granted: string, implied: string[] = []): string[] {
  const got = new Set([...granted.split(/[\s,]+/).filter(Boolean), ...implied]);
  return requested.filter((s) => !got.has(s));
}

const TokenResponse = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_at: z.number().optional(),
  expires_in: z.number().optional(),
  scope: z.string().optional(),
  token_type: z.string().optional(),
});

/** Options for `OAuth2Session`. */
export interface OAuth2SessionOptions extends HttpTuning {
  /** A fixed token instead of OAuth (deprecated personal access tokens). */
  staticToken?: string;
}

/** Options for the interactive flow. */
export interface AuthorizeOptions {
  /** Receives the URL the user must open; prints it to stderr by default. */
  onUrl?: (url: string) => void;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Tokens of one source: hands out a fresh access token, refreshing when near expiry or after a 401. */
export class OAuth2Session implements AuthProvider {
  private readonly http: HttpClient;
  private readonly now: () => Date;
  private inflight: Promise<TokenEntry> | null = null;

  constructor(
    readonly provider: OAuthProvider,
    readonly store: TokenStore,
    private readonly opts: OAuth2SessionOptions = {},
  ) {
    this.now = opts.now ?? (() => new Date());
    this.http = new HttpClient({ ...opts, source: provider.source, baseUrl: provider.tokenUrl });
    registerSecret(provider.clientSecret);
    registerSecret(opts.staticToken);
  }

  /** Whether a static token or saved tokens exist. */
  async hasTokens(): Promise<boolean> {
    if (this.opts.staticToken) return true;
    const e = await this.store.get(this.provider.source);
    return Boolean(e?.access_token || e?.refresh_token);
  }

  /** A valid access token, refreshed first when it expires within five minutes. */
  async accessToken(): Promise<string> {
    if (this.opts.staticToken) return this.opts.staticToken;
    const e = await this.store.get(this.provider.source);
    if (!e?.access_token && !e?.refresh_token) {
      throw new AuthError(this.provider.source, `not authorised yet: run "athlete auth ${this.provider.source}"`);
    }
    const nowS = this.now().getTime() / 1000;
    if (e.access_token && (e.expires_at == null || e.expires_at - nowS > REFRESH_MARGIN_S)) return e.access_token;
    return (await this.refresh()).access_token!;
  }

  /** `Authorization: Bearer …`. */
  async headers(): Promise<Record<string, string>> {
    return { Authorization: `Bearer ${await this.accessToken()}` };
  }

  /** Refresh after a 401; false when there is nothing to refresh with. */
  async onUnauthorized(): Promise<boolean> {
    if (this.opts.staticToken) return false;
    const e = await this.store.get(this.provider.source);
    if (!e?.refresh_token) return false;
    await this.refresh();
    return true;
  }

  /** Exchange the refresh token for new tokens; concurrent callers share one request. */
  refresh(): Promise<TokenEntry> {
    this.inflight ??= this.doRefresh().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private async doRefresh(): Promise<TokenEntry> {
    const p = this.provider;
    const e = await this.store.get(p.source);
    if (!e?.refresh_token) throw new AuthError(p.source, `no refresh token saved: run "athlete auth ${p.source}"`);
    this.opts.log?.(`${p.source}: refreshing the access token`);
    try {
      return await this.tokenRequest(
        {
          grant_type: 'refresh_token',
          refresh_token: e.refresh_token,
          client_id: p.clientId,
          client_secret: p.clientSecret,
          ...(p.extraRefreshParams ?? {}),
        },
        e,
      );
    } catch (err) {
      // A revoked or already-rotated refresh token cannot be fixed by retrying.
      if (err instanceof HttpError && (err.status === 400 || err.status === 401)) {
        throw new AuthError(p.source, `the saved refresh token was refused (HTTP ${err.status}); run "athlete auth ${p.source}" again`);
      }
      throw err;
    }
  }

  /**
   * Run the authorization-code flow: start a loopback server, hand the user
   * the URL, verify `state` and the granted scopes, exchange the code, save.
   */
  async authorize(opts: AuthorizeOptions = {}): Promise<TokenEntry> {
    const p = this.provider;
    const state = newState();
    const pkce = p.pkce ? pkcePair() : null;
    if (pkce) registerSecret(pkce.verifier);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(p.redirectPort ?? 0, '127.0.0.1', () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    const redirectUri = `http://127.0.0.1:${port}/callback`;
    const url = new URL(p.authorizeUrl);
    url.searchParams.set('client_id', p.clientId);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('redirect_uri', redirectUri);
    url.searchParams.set('scope', p.scopes.join(p.scopeSeparator ?? ' '));
    url.searchParams.set('state', state);
    if (pkce) {
      url.searchParams.set('code_challenge', pkce.challenge);
      url.searchParams.set('code_challenge_method', 'S256');
    }
    for (const [k, v] of Object.entries(p.extraAuthorizeParams ?? {})) url.searchParams.set(k, v);
    try {
      const callback = waitForCallback(server, state, opts);
      (opts.onUrl ?? ((u: string) => process.stderr.write(`Open this URL in a browser to authorise ${p.source}:\n  ${u}\n`)))(url.toString());
      const { code, scope } = await callback;
      if (scope != null) this.checkScopes(scope);
      const form: Record<string, string> = {
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        client_id: p.clientId,
        client_secret: p.clientSecret,
      };
      if (pkce) form.code_verifier = pkce.verifier;
      return await this.tokenRequest(form, null);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  }

  private checkScopes(granted: string): void {
    const missing = missingScopes(this.provider.scopes, granted, this.provider.impliedScopes);
    if (missing.length > 0) {
      throw new AuthError(
        this.provider.source,
        `the scopes ${missing.join(', ')} were not granted (granted: ${granted || 'none'}); run "athlete auth ${this.provider.source}" again and leave them ticked`,
      );
    }
  }

  private async tokenRequest(form: Record<string, string>, previous: TokenEntry | null): Promise<TokenEntry> {
    const p = this.provider;
    const res = await this.http.json(p.tokenUrl, { method: 'POST', form: { ...form, ...(p.extraTokenParams ?? {}) }, auth: false });
    const parsed = TokenResponse.safeParse(p.unwrapToken ? p.unwrapToken(res.data) : res.data);
    if (!parsed.success) {
      throw new AuthError(p.source, `token endpoint ${this.http.pathOf(p.tokenUrl)} gave an unexpected answer (no access_token)`);
    }
    const t = parsed.data;
    registerSecret(t.access_token);
    registerSecret(t.refresh_token);
    const nowS = Math.floor(this.now().getTime() / 1000);
    if (t.scope != null && form.grant_type === 'authorization_code') this.checkScopes(t.scope);
    const entry: TokenEntry = {
      access_token: t.access_token,
      // Rotation: keep the new refresh token when one is sent, else the old one stays valid.
      refresh_token: t.refresh_token ?? previous?.refresh_token,
      expires_at: t.expires_at ?? (t.expires_in != null ? nowS + t.expires_in : undefined),
      token_type: t.token_type,
      scope: t.scope ?? previous?.scope,
      extra: previous?.extra,
    };
    await this.store.set(p.source, entry);
    return entry;
  }
}

/** Wait on the loopback server for the provider's redirect; checks `state` and answers the browser. */
export function waitForCallback(server: Server, state: string, opts: AuthorizeOptions): Promise<{ code: string; scope: string | null }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('authorisation timed out: no redirect reached the loopback server')), opts.timeoutMs ?? 300_000);
    const finish = (fn: () => void): void => {
      clearTimeout(timer);
      fn();
    };
    opts.signal?.addEventListener('abort', () => finish(() => reject(opts.signal?.reason ?? new Error('aborted'))), { once: true });
    server.on('request', (req, res) => {
      const u = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (u.pathname !== '/callback') {
        res.writeHead(404).end();
        return;
      }
      const reply = (status: number, text: string): void => {
        res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' }).end(text);
      };
      const err = u.searchParams.get('error');
      if (err) {
        reply(400, 'Authorisation was declined. You can close this window.');
        finish(() => reject(new Error(redactString(`authorisation declined by the provider: ${err}`))));
        return;
      }
      if (u.searchParams.get('state') !== state) {
        reply(400, 'State mismatch: this redirect was not started by this program.');
        finish(() => reject(new Error('state mismatch on the OAuth redirect: possible cross-site request forgery; start "athlete auth" again')));
        return;
      }
      const code = u.searchParams.get('code');
      if (!code) {
        reply(400, 'No authorisation code in the redirect.');
        finish(() => reject(new Error('the OAuth redirect carried no code')));
        return;
      }
      registerSecret(code);
      reply(200, 'Authorised. You can close this window and return to the terminal.');
      finish(() => resolve({ code, scope: u.searchParams.get('scope') }));
    });
  });
}

/**
 * What every OAuth2 authorization-code connector shares: the credential check,
 * authentication before a sync, and the interactive first authorisation.
 */
export abstract class OAuthConnector {
  abstract readonly source: string;
  abstract readonly session: OAuth2Session;

  constructor(readonly settings: { clientId?: string; clientSecret?: string; tokenStore: TokenStore }) {}

  isConfigured(): boolean {
    return Boolean(this.settings.clientId && this.settings.clientSecret) || this.settings.tokenStore.has(this.source);
  }

  async authenticate(): Promise<void> {
    await this.session.accessToken();
  }

  /** Interactive first-time authorisation. */
  authorize(opts?: AuthorizeOptions): Promise<unknown> {
    return this.session.authorize(opts);
  }
}
