/** Oura: what the service offers. */
import { sourcePrecedence } from '../../core/dedup/precedence.ts';
import type { SourceDescriptor } from '../source.ts';

/** Source name. */
export const SOURCE = 'oura';

/** Oura. */
export const OURA: SourceDescriptor = {
  source: SOURCE,
  title: 'Oura',
  envVars: [
    { name: 'OURA_CLIENT_ID', description: 'Oura OAuth application client id', default: null, secret: false, kind: 'text' },
    { name: 'OURA_CLIENT_SECRET', description: 'Oura OAuth application client secret', default: null, secret: true, kind: 'text' },
    { name: 'OURA_PERSONAL_ACCESS_TOKEN', description: 'Oura personal access token (deprecated by Oura; use OAuth)', default: null, secret: true, kind: 'text' },
    { name: 'OURA_BASE_URL', description: 'Oura API host (token endpoint too)', default: 'https://api.ouraring.com', secret: false, kind: 'url' },
    { name: 'OURA_AUTH_BASE_URL', description: 'Oura authorisation page host', default: 'https://cloud.ouraring.com', secret: false, kind: 'url' },
    { name: 'OURA_REDIRECT_PORT', description: 'Loopback port for the OAuth redirect (0 = any free port)', default: '0', secret: false, kind: 'port' },
  ],
  exportFormats: ['oura_json', 'oura_csv'],
  precedence: sourcePrecedence(SOURCE),
  api: () => import('./api.ts'),
};
