/**
 * Time arithmetic for the demo athlete, all in UTC with explicit offsets so
 * nothing depends on the process time zone.
 */

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** Epoch ms of the last Sunday of a month at 01:00 UTC (when EU clocks change). */
function lastSundayAt0100Utc(year: number, monthIndex: number): number {
  const lastDay = new Date(Date.UTC(year, monthIndex + 1, 0));
  const back = lastDay.getUTCDay();
  return Date.UTC(year, monthIndex, lastDay.getUTCDate() - back, 1);
}

/** Offset of Europe/Zurich in minutes at an instant: EU rule, summer time from the last Sunday of March to that of October, 01:00 UTC. */
export function zurichOffsetMin(utcMs: number): number {
  const year = new Date(utcMs).getUTCFullYear();
  const summer = utcMs >= lastSundayAt0100Utc(year, 2) && utcMs < lastSundayAt0100Utc(year, 9);
  return summer ? 120 : 60;
}

/** Epoch ms of local midnight of a `YYYY-MM-DD` day, treating the wall clock as if it were UTC. */
export function dayWallMs(day: string): number {
  const [y, m, d] = day.split('-').map(Number);
  return Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1);
}

/** The `YYYY-MM-DD` day `n` days after `day`. */
export function addDays(day: string, n: number): string {
  return new Date(dayWallMs(day) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Day of the week of a `YYYY-MM-DD` day: 0 = Sunday … 6 = Saturday. */
export function weekday(day: string): number {
  return new Date(dayWallMs(day)).getUTCDay();
}

/** UTC epoch ms of a Zurich wall-clock time (`wallMs` is the wall time written as if UTC). */
export function zurichWallToUtc(wallMs: number): number {
  // Try the winter offset first, then correct: exact except inside the skipped spring hour.
  const guess = wallMs - 60 * MINUTE_MS;
  const off = zurichOffsetMin(guess);
  return wallMs - off * MINUTE_MS;
}

/** `+01:00` style label of an offset in minutes. */
export function offsetLabel(offsetMin: number): string {
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

/** `YYYY-MM-DD HH:MM:SS` wall-clock time at an offset. */
export function localWall(utcMs: number, offsetMin: number): string {
  return new Date(utcMs + offsetMin * MINUTE_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** ISO 8601 local time with its offset, whole seconds: `2024-03-05T07:01:00+01:00`. */
export function localIso(utcMs: number, offsetMin: number): string {
  return `${new Date(utcMs + offsetMin * MINUTE_MS).toISOString().slice(0, 19)}${offsetLabel(offsetMin)}`;
}

/** ISO 8601 UTC time without milliseconds: `2024-03-05T06:01:00Z`. */
export function utcIso(utcMs: number): string {
  return `${new Date(utcMs).toISOString().slice(0, 19)}Z`;
}

/** The local `YYYY-MM-DD` day of an instant at an offset. */
export function localDay(utcMs: number, offsetMin: number): string {
  return new Date(utcMs + offsetMin * MINUTE_MS).toISOString().slice(0, 10);
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

export { MINUTE_MS, DAY_MS };
