/**
 * A fake OAuth2 provider: an authorize endpoint that redirects straight back
 * with a code (recording the PKCE challenge), and a token endpoint that
 * verifies the code, the verifier and the client secret, and rotates refresh tokens.
 */
import { createHash, randomBytes } from 'node:crypto';
import { formOf, type FakeRequest, type FakeResponse } from './server.ts';

/** Provider state shared by the fake's routes and the test. */
export class FakeOAuth {
  accessToken = `acc_${randomBytes(8).toString('hex')}`;
  refreshToken = `ref_${randomBytes(8).toString('hex')}`;
  expiresIn = 21600;
  refreshCount = 0;
  /** Scope to echo on the redirect (Strava style), or null. */
  grantedScope: string | null = null;
  /** Require a PKCE verifier at the token endpoint. */
  requirePkce = false;
  /** Extra fields in every token response. */
  extra: Record<string, unknown> = {};
  private codes = new Map<string, { challenge: string | null; redirectUri: string }>();

  constructor(readonly clientId: string, readonly clientSecret: string, private readonly now: () => number = () => Date.now()) {}

  /** GET authorize: redirect (302) to the redirect_uri with a code and the same state. */
  authorize(r: FakeRequest): FakeResponse {
    if (r.query.get('client_id') !== this.clientId) return { status: 400, body: { error: 'invalid_client' } };
    const code = `code_${randomBytes(6).toString('hex')}`;
    const redirectUri = r.query.get('redirect_uri') ?? '';
    this.codes.set(code, { challenge: r.query.get('code_challenge'), redirectUri });
    const to = new URL(redirectUri);
    to.searchParams.set('code', code);
    to.searchParams.set('state', r.query.get('state') ?? '');
    if (this.grantedScope !== null) to.searchParams.set('scope', this.grantedScope);
    return { status: 302, headers: { Location: to.toString() }, raw: '' };
  }

  /** POST token: authorization_code or refresh_token grants. */
  token(r: FakeRequest): FakeResponse {
    const f = formOf(r);
    if (f.client_id !== this.clientId || f.client_secret !== this.clientSecret) return { status: 401, body: { error: 'invalid_client' } };
    if (f.grant_type === 'authorization_code') {
      const c = f.code ? this.codes.get(f.code) : undefined;
      if (!c) return { status: 400, body: { error: 'invalid_grant' } };
      this.codes.delete(f.code!);
      if (c.redirectUri !== f.redirect_uri) return { status: 400, body: { error: 'invalid_grant', error_description: 'redirect_uri mismatch' } };
      if (this.requirePkce || c.challenge) {
        const v = f.code_verifier ?? '';
        if (!c.challenge || createHash('sha256').update(v).digest('base64url') !== c.challenge) {
          return { status: 400, body: { error: 'invalid_grant', error_description: 'PKCE verification failed' } };
        }
      }
      return { body: this.issue() };
    }
    if (f.grant_type === 'refresh_token') {
      if (f.refresh_token !== this.refreshToken) return { status: 400, body: { error: 'invalid_grant' } };
      this.refreshCount += 1;
      return { body: this.issue() };
    }
    return { status: 400, body: { error: 'unsupported_grant_type' } };
  }

  /** Whether a request carries the current access token. */
  authorized(r: FakeRequest): boolean {
    return r.headers.authorization === `Bearer ${this.accessToken}`;
  }

  /** New tokens (rotation: the refresh token changes every time). */
  private issue(): Record<string, unknown> {
    this.accessToken = `acc_${randomBytes(8).toString('hex')}`;
    this.refreshToken = `ref_${randomBytes(8).toString('hex')}`;
    return {
      token_type: 'Bearer',
      access_token: this.accessToken,
      refresh_token: this.refreshToken,
      expires_in: this.expiresIn,
      expires_at: Math.floor(this.now() / 1000) + this.expiresIn,
      ...this.extra,
    };
  }
}
