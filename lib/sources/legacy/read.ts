/** What reading one of the predecessor's files gives. */
import { emptyResult, type ParseResult } from '../../core/models.ts';
import type { LeftOut } from './left_out.ts';
import type { ProfileValue } from './metrics.ts';
import type { LegacyToken } from './tokens.ts';

/** Records, profile values, tokens, and what was left out, of one file. */
export interface LegacyRead {
  result: ParseResult;
  profile: ProfileValue[];
  leftOut: LeftOut[];
  tokens: LegacyToken[];
}

/** An empty read to accumulate into. */
export function emptyRead(): LegacyRead {
  return { result: emptyResult(), profile: [], leftOut: [], tokens: [] };
}
