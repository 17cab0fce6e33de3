/** Deterministic ids: the same inputs always give the same id. */
import { hash } from 'node:crypto';

/** A 16-hex-digit hash of the parts, joined unambiguously. */
export function stableHash(...parts: string[]): string {
  let text = '';
  for (const p of parts) text += `${p.length}:${p}|`;
  // One-shot: a Hash object per call cost more than the digest for ids this short.
  return hash('sha256', text, 'hex').slice(0, 16);
}

/** The id of one source record: athlete, source and the source's own id. */
export function sourceRecordId(athleteId: string, source: string, externalId: string): string {
  return stableHash(athleteId, source, externalId);
}
