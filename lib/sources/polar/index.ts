/** Polar AccessLink: what the service offers. */
import { sourcePrecedence } from '../../core/dedup/precedence.ts';
import type { SourceDescriptor } from '../source.ts';

/** Source name. */
export const SOURCE = 'polar';

/** Polar AccessLink. */
export const POLAR: SourceDescriptor = {
  source: SOURCE,
  title: 'Polar AccessLink',
  envVars: [
    { name: 'POLAR_CLIENT_ID', description: 'Polar AccessLink client id', default: null, secret: false, kind: 'text' },
    { name: 'POLAR_CLIENT_SECRET', description: 'Polar AccessLink client secret', default: null, secret: true, kind: 'text' },
    { name: 'POLAR_BASE_URL', description: 'Polar AccessLink API host', default: 'https://www.polaraccesslink.com', secret: false, kind: 'url' },
    { name: 'POLAR_AUTH_BASE_URL', description: 'Polar Flow authorisation page host', default: 'https://flow.polar.com', secret: false, kind: 'url' },
    { name: 'POLAR_TOKEN_URL', description: 'Polar token endpoint host (the path /v2/oauth2/token is added)', default: 'https://polarremote.com', secret: false, kind: 'url' },
    { name: 'POLAR_REDIRECT_PORT', description: 'Loopback port for the OAuth redirect (0 = any free port)', default: '0', secret: false, kind: 'port' },
  ],
  exportFormats: [],
  precedence: sourcePrecedence(SOURCE),
  api: () => import('./api.ts'),
};
