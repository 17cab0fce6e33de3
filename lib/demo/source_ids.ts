/**
 * The ids each source gives the demo's records, exactly as the importers
 * derive them, so ground_truth.json can name them.
 */
import { stableHash } from '../core/ids.ts';

/** FIT importer convention: `${serial_number}-${unix seconds of time_created}`, legs of a multisport file add `#${sessionIndex}`. */
export function garminExternalId(serialNumber: number, timeCreatedMs: number, leg?: number): string {
  const base = `${serialNumber}-${Math.floor(timeCreatedMs / 1000)}`;
  return leg === undefined ? base : `${base}#${leg}`;
}

/** TCX importer convention: `tcx:` + the activity's start in unix seconds. */
export function tcxExternalId(startMs: number): string {
  return `tcx:${Math.floor(startMs / 1000)}`;
}

/** Garmin Connect style activity id (file name), growing with time like the real ones. */
export function garminActivityId(startMs: number): number {
  return 10_000_000_000 + Math.floor((startMs / 1000 - 1_600_000_000) / 10);
}

/** Strava style activity id, growing with time (about 11 ids a second worldwide in the 2020s), distinct per start second. */
export function stravaActivityId(startMs: number): number {
  return 4_000_000_000 + Math.floor((startMs / 1000 - 1_600_000_000) * 11.3);
}

/** WHOOP importer convention: `whoop:` + workout start in UTC ISO without milliseconds. */
export function whoopExternalId(startMs: number): string {
  return `whoop:${new Date(Math.floor(startMs / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

/** A deterministic UUID-shaped id (Oura's ids look like UUIDs) from labels. */
export function uuidFrom(...parts: string[]): string {
  const h = stableHash(...parts) + stableHash('uuid', ...parts);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
