/** Strava: what the service offers. */
import { sourcePrecedence } from '../../core/dedup/precedence.ts';
import type { SourceDescriptor } from '../source.ts';

/** Source name. */
export const SOURCE = 'strava';

/** Strava. */
export const STRAVA: SourceDescriptor = {
  source: SOURCE,
  title: 'Strava',
  envVars: [
    { name: 'STRAVA_CLIENT_ID', description: 'Strava API application client id', default: null, secret: false, kind: 'text' },
    { name: 'STRAVA_CLIENT_SECRET', description: 'Strava API application client secret', default: null, secret: true, kind: 'text' },
    { name: 'STRAVA_BASE_URL', description: 'Strava API and OAuth host', default: 'https://www.strava.com', secret: false, kind: 'url' },
    { name: 'STRAVA_REDIRECT_PORT', description: 'Loopback port for the OAuth redirect (0 = any free port)', default: '0', secret: false, kind: 'port' },
    { name: 'STRAVA_FETCH_STREAMS', description: 'Also fetch per-second streams (GPS, HR, power) of each activity (default: ENABLE_GPS_ANALYSIS)', default: null, secret: false, kind: 'boolean' },
  ],
  exportFormats: ['strava_activities_csv'],
  precedence: sourcePrecedence(SOURCE),
  api: () => import('./api.ts'),
};
