/** Elite HRV (chest-strap or finger-sensor HRV readings): what the service offers. */
import { sourcePrecedence } from '../../core/dedup/precedence.ts';
import type { SourceDescriptor } from '../source.ts';

/** Source name. */
export const SOURCE = 'elite_hrv';

/** Elite HRV: the app's export of readings (no web API). */
export const ELITE_HRV: SourceDescriptor = {
  source: SOURCE,
  title: 'Elite HRV',
  envVars: [],
  exportFormats: ['elite_hrv_rr'],
  precedence: sourcePrecedence(SOURCE),
};
