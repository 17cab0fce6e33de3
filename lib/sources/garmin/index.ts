/** Garmin Connect: what the service offers. */
import { sourcePrecedence } from '../../core/dedup/precedence.ts';
import type { SourceDescriptor } from '../source.ts';

/** Source name. */
export const SOURCE = 'garmin';

/** Garmin Connect. */
export const GARMIN: SourceDescriptor = {
  source: SOURCE,
  title: 'Garmin Connect',
  envVars: [
    { name: 'GARMIN_TOKEN_FILE', description: 'Saved Garmin tokens to import (garth token folder or JSON with oauth1/oauth2)', default: null, secret: false, kind: 'input_path' },
    { name: 'GARMIN_EMAIL', description: 'Garmin Connect login (scripted logins are often blocked; prefer a token file)', default: null, secret: false, kind: 'email' },
    { name: 'GARMIN_PASSWORD', description: 'Garmin Connect password', default: null, secret: true, kind: 'text' },
    { name: 'GARMIN_OAUTH_CONSUMER_KEY', description: 'OAuth1 consumer key of the Garmin Connect mobile app (for token refresh)', default: null, secret: true, kind: 'text' },
    { name: 'GARMIN_OAUTH_CONSUMER_SECRET', description: 'OAuth1 consumer secret matching the key', default: null, secret: true, kind: 'text' },
    { name: 'GARMIN_BASE_URL', description: 'Garmin Connect API host', default: 'https://connectapi.garmin.com', secret: false, kind: 'url' },
    { name: 'GARMIN_SSO_URL', description: 'Garmin SSO host', default: 'https://sso.garmin.com', secret: false, kind: 'url' },
    { name: 'GARMIN_EXCHANGE_URL', description: 'OAuth1 to OAuth2 exchange endpoint', default: 'https://connectapi.garmin.com/oauth-service/oauth/exchange/user/2.0', secret: false, kind: 'url' },
  ],
  exportFormats: ['garmin_json'],
  precedence: sourcePrecedence(SOURCE),
  api: () => import('./api.ts'),
};
