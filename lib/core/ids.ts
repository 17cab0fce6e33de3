/** Deterministic ids: the same inputs always give the same id. */
import { createHash } from 'node:crypto';

/** A 16-hex-digit hash of the parts, joined unambiguously. */
export function stableHash(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(`${p.length}:${p}|`);
  return h.digest('hex').slice(0, 16);
}

/** The id of one source record: athlete, source and the source's own id. */
export function sourceRecordId(athleteId: string, source: string, externalId: string): string {
  return stableHash(athleteId, source, externalId);
}
