/** VeSync / Etekcity scales: what the service offers. */
import { sourcePrecedence } from '../../core/dedup/precedence.ts';
import type { SourceDescriptor } from '../source.ts';

/** Source name. */
export const SOURCE = 'vesync';

/** VeSync / Etekcity scales. */
export const VESYNC: SourceDescriptor = {
  source: SOURCE,
  title: 'VeSync / Etekcity scales',
  envVars: [
    { name: 'VESYNC_EMAIL', description: 'VeSync account e-mail', default: null, secret: false, kind: 'email' },
    { name: 'VESYNC_PASSWORD', description: 'VeSync account password (sent as its MD5, as the app does)', default: null, secret: true, kind: 'text' },
    { name: 'VESYNC_BASE_URL', description: 'VeSync cloud host', default: 'https://smartapi.vesync.com', secret: false, kind: 'url' },
    { name: 'VESYNC_TIME_ZONE', description: 'IANA time zone used to place weigh-ins on local days', default: 'UTC', secret: false, kind: 'time_zone' },
  ],
  exportFormats: ['scale_csv'],
  precedence: sourcePrecedence(SOURCE),
  api: () => import('./api.ts'),
};
