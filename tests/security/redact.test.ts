import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { REDACTED, redact, redactString, registerSecret } from '../../lib/core/redact.ts';

describe('redaction', () => {
  const password = 'p@ss word/"42&x';
  const md5 = createHash('md5').update(password).digest('hex');
  registerSecret(password);
  registerSecret(md5);

  it('removes a registered secret in plain, URL-encoded, form-encoded and JSON-escaped forms', () => {
    const forms = [
      password,
      encodeURIComponent(password),
      encodeURIComponent(password).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
      new URLSearchParams({ p: password }).toString().slice(2),
      JSON.stringify(password).slice(1, -1),
      JSON.stringify(JSON.stringify(password).slice(1, -1)).slice(1, -1),
      md5,
    ];
    for (const f of forms) {
      const out = redactString(`before ${f} after`);
      expect(out, f).toBe(`before ${REDACTED} after`);
    }
  });

  it('blanks secret JSON fields at any level of escaping, and leaves numeric codes alone', () => {
    const inner = JSON.stringify({ email: 'a@b.c', password: 'not-registered-1', code: -11201022 });
    const once = JSON.stringify({ code: -11201022, msg: 'password error', request: inner });
    const twice = JSON.stringify({ error: once });
    for (const text of [inner, once, twice]) {
      const out = redactString(text);
      expect(out).not.toContain('not-registered-1');
      expect(out).toContain('11201022');
    }
    expect(JSON.parse(JSON.parse(JSON.parse(redactString(twice)).error).request)).toEqual({ email: 'a@b.c', password: REDACTED, code: -11201022 });
  });

  it('blanks secret parameters of queries, form bodies and OAuth1 headers', () => {
    expect(redactString('POST body: grant_type=refresh_token&refresh_token=r-1234567&client_secret=cs-7654321')).toBe(
      `POST body: grant_type=refresh_token&refresh_token=${REDACTED}&client_secret=${REDACTED}`,
    );
    expect(redactString('password=hunter22&email=x')).toBe(`password=${REDACTED}&email=x`);
    const header = redactString('Authorization: OAuth oauth_consumer_key="ck-1", oauth_token="tok-123456", oauth_signature="sig"');
    expect(header).not.toContain('tok-123456');
    expect(header).not.toContain('ck-1');
  });

  it('walks objects: secret keys blanked, registered values removed from innocent keys', () => {
    expect(redact({ detail: `echo ${md5}`, nested: [{ pwd: 'x1234567' }], n: 5 })).toEqual({ detail: `echo ${REDACTED}`, nested: [{ pwd: REDACTED }], n: 5 });
  });
});
