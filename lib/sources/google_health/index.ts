/** Google Health (Fitbit and Pixel Watch): what the service offers. */
import { sourcePrecedence } from '../../core/dedup/precedence.ts';
import type { SourceDescriptor } from '../source.ts';

/** Source name. */
export const SOURCE = 'google_health';

/** The import format (`ingest/detect.ts`) every member of its account archive is recognised as. */
export const ARCHIVE_FORMAT = 'google_health';

/** Google Health API and the Fitbit account archive (Google Takeout). */
export const GOOGLE_HEALTH: SourceDescriptor = {
  source: SOURCE,
  title: 'Google Health (Fitbit, Pixel Watch)',
  envVars: [
    { name: 'GOOGLE_HEALTH_CLIENT_ID', description: 'Google Cloud OAuth client id (type Desktop app) with the Google Health API enabled', default: null, secret: false, kind: 'text' },
    { name: 'GOOGLE_HEALTH_CLIENT_SECRET', description: 'Google Cloud OAuth client secret', default: null, secret: true, kind: 'text' },
    { name: 'GOOGLE_HEALTH_BASE_URL', description: 'Google Health API host', default: 'https://health.googleapis.com', secret: false, kind: 'url' },
    { name: 'GOOGLE_HEALTH_AUTHORIZE_URL', description: 'Google OAuth consent page', default: 'https://accounts.google.com/o/oauth2/v2/auth', secret: false, kind: 'url' },
    { name: 'GOOGLE_HEALTH_TOKEN_URL', description: 'Google OAuth token endpoint', default: 'https://oauth2.googleapis.com/token', secret: false, kind: 'url' },
    { name: 'GOOGLE_HEALTH_REDIRECT_PORT', description: 'Loopback port for the OAuth redirect (0 = any free port)', default: '0', secret: false, kind: 'port' },
  ],
  exportFormats: [ARCHIVE_FORMAT],
  precedence: sourcePrecedence(SOURCE),
  api: () => import('./api.ts'),
};
