/** Withings: what the service offers. */
import { sourcePrecedence } from '../../core/dedup/precedence.ts';
import type { SourceDescriptor } from '../source.ts';

/** Source name. */
export const SOURCE = 'withings';

/** Withings. */
export const WITHINGS: SourceDescriptor = {
  source: SOURCE,
  title: 'Withings',
  envVars: [
    { name: 'WITHINGS_CLIENT_ID', description: 'Withings developer app client id', default: null, secret: false, kind: 'text' },
    { name: 'WITHINGS_CLIENT_SECRET', description: 'Withings developer app client secret', default: null, secret: true, kind: 'text' },
    { name: 'WITHINGS_BASE_URL', description: 'Withings API host (token endpoint too)', default: 'https://wbsapi.withings.net', secret: false, kind: 'url' },
    { name: 'WITHINGS_AUTH_BASE_URL', description: 'Withings authorisation page host', default: 'https://account.withings.com', secret: false, kind: 'url' },
    { name: 'WITHINGS_REDIRECT_PORT', description: 'Loopback port for the OAuth redirect (0 = any free port)', default: '0', secret: false, kind: 'port' },
  ],
  exportFormats: [],
  precedence: sourcePrecedence(SOURCE),
  api: () => import('./api.ts'),
};
