/** WHOOP: what the service offers. */
import { sourcePrecedence } from '../../core/dedup/precedence.ts';
import type { SourceDescriptor } from '../source.ts';

/** Source name. */
export const SOURCE = 'whoop';

/** WHOOP. */
export const WHOOP: SourceDescriptor = {
  source: SOURCE,
  title: 'WHOOP',
  envVars: [
    { name: 'WHOOP_CLIENT_ID', description: 'WHOOP developer app client id', default: null, secret: false, kind: 'text' },
    { name: 'WHOOP_CLIENT_SECRET', description: 'WHOOP developer app client secret', default: null, secret: true, kind: 'text' },
    { name: 'WHOOP_BASE_URL', description: 'WHOOP API host (OAuth lives on the same host)', default: 'https://api.prod.whoop.com', secret: false, kind: 'url' },
    { name: 'WHOOP_REDIRECT_PORT', description: 'Loopback port for the OAuth redirect (0 = any free port)', default: '0', secret: false, kind: 'port' },
  ],
  exportFormats: ['whoop_csv'],
  precedence: sourcePrecedence(SOURCE),
  api: () => import('./api.ts'),
};
