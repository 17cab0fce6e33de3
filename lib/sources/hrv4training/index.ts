/** HRV4Training (phone-camera or strap morning HRV): what the service offers. */
import { sourcePrecedence } from '../../core/dedup/precedence.ts';
import type { SourceDescriptor } from '../source.ts';

/** Source name. */
export const SOURCE = 'hrv4training';

/** HRV4Training: its CSV export (no web API). */
export const HRV4TRAINING: SourceDescriptor = {
  source: SOURCE,
  title: 'HRV4Training',
  envVars: [],
  exportFormats: ['hrv4training_csv'],
  precedence: sourcePrecedence(SOURCE),
};
