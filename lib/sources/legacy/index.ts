/** The earlier Python version's files: what the service offers. */
import { sourcePrecedence } from '../../core/dedup/precedence.ts';
import type { SourceDescriptor } from '../source.ts';

/**
 * Source of the rows of its activities.csv and of the Strava rows of its
 * database and exports (its other sources' rows become `<source>_legacy`);
 * the activities of its strava_activities.json are stored as Strava's (`strava`).
 */
export const SOURCE = 'strava_legacy';

/** The earlier Python version's files. */
export const LEGACY: SourceDescriptor = {
  source: SOURCE,
  title: "The earlier Python version's files",
  envVars: [],
  exportFormats: ['legacy_strava_json', 'legacy_activities_csv'],
  precedence: sourcePrecedence(SOURCE),
};
