/** Athlete ids: what they may hold, checked before one names a row or a folder of the lake. */

/** An athlete id: letters, digits, `_`, `.` and `-`, at most 64, not starting with `.` or `-`. */
export const ATHLETE_ID_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

/** The id, checked; a RangeError says what an id may hold. */
export function checkAthleteId(id: string): string {
  if (!ATHLETE_ID_PATTERN.test(id)) {
    throw new RangeError(`athlete id ${JSON.stringify(id)}: use up to 64 letters, digits, '_', '.' or '-', not starting with '.' or '-'`);
  }
  return id;
}
