/** Apple Health: what the service offers. */
import { sourcePrecedence } from '../../core/dedup/precedence.ts';
import type { SourceDescriptor } from '../source.ts';

/** Source name. */
export const SOURCE = 'apple_health';

/** Apple Health. */
export const APPLE_HEALTH: SourceDescriptor = {
  source: SOURCE,
  title: 'Apple Health',
  envVars: [],
  exportFormats: ['apple_health_xml'],
  precedence: sourcePrecedence(SOURCE),
};
