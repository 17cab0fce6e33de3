/**
 * The predecessor took all its Strava data through Strava's API, so every
 * record derived from it keeps that lineage: `raw_data.via = 'strava_api'`,
 * as the Strava connector tags its own. The injury model leaves such days out
 * of training (Strava's API agreement forbids training models on API data).
 */

/** The lineage tag of data obtained through Strava's API (the value the Strava connector writes). */
export const VIA_STRAVA_API = 'strava_api';

/** `raw` (an object payload) tagged as obtained through Strava's API. */
export function viaStravaApi<T extends object>(raw: T): T & { via: string } {
  return { ...raw, via: VIA_STRAVA_API };
}
