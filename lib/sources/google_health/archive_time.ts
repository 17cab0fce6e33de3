/**
 * The time formats of the Fitbit archive: its short "MM/DD/YY HH:MM:SS",
 * ISO local date-times without an offset, and ISO instants with one. Which
 * member writes which clock is set out in export.ts.
 */

/** A local calendar date and time of day. */
export interface Civil {
  year: number;
  month: number;
  day: number;
  hours: number;
  minutes: number;
  seconds: number;
}

/** "MM/DD/YY HH:MM:SS" (or "MM/DD/YY"): Fitbit's short date, two-digit years in 2000-2099. */
export function shortDate(text: string): Civil | null {
  const m = /^(\d{2})\/(\d{2})\/(\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?$/.exec(text.trim());
  if (!m) return null;
  const c = { year: 2000 + Number(m[3]), month: Number(m[1]), day: Number(m[2]), hours: Number(m[4] ?? 0), minutes: Number(m[5] ?? 0), seconds: Number(m[6] ?? 0) };
  return validCivil(c) ? c : null;
}

const shortDay = { text: '', ms: NaN };

/** Epoch ms of "MM/DD/YY HH:MM:SS" read as UTC, NaN otherwise; fast (the day is cached), it runs per heart-rate sample. */
export function shortDateMs(t: string): number {
  if (t.length !== 17 || t.charCodeAt(2) !== 0x2f || t.charCodeAt(5) !== 0x2f || t.charCodeAt(8) !== 0x20) return NaN;
  const n = (a: number) => (t.charCodeAt(a) - 48) * 10 + (t.charCodeAt(a + 1) - 48);
  const day = t.slice(0, 8);
  if (day !== shortDay.text) {
    shortDay.text = day;
    shortDay.ms = Date.UTC(2000 + n(6), n(0) - 1, n(3));
  }
  const h = n(9);
  const m = n(12);
  const sec = n(15);
  return h < 24 && m < 60 && sec < 60 ? shortDay.ms + ((h * 60 + m) * 60 + sec) * 1000 : NaN;
}

/** "YYYY-MM-DDTHH:MM:SS[.sss]" without offset (the date part alone is allowed). */
export function isoCivil(text: string): Civil | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?$/.exec(text.trim());
  if (!m) return null;
  const c = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), hours: Number(m[4] ?? 0), minutes: Number(m[5] ?? 0), seconds: Number(m[6] ?? 0) };
  return validCivil(c) ? c : null;
}

function validCivil(c: Civil): boolean {
  const t = new Date(Date.UTC(c.year, c.month - 1, c.day));
  return t.getUTCMonth() === c.month - 1 && t.getUTCDate() === c.day && c.hours < 24 && c.minutes < 60 && c.seconds < 60;
}

/** Epoch ms of a civil date-time read as UTC (its wall-clock reading). */
export function civilMs(c: Civil): number {
  return Date.UTC(c.year, c.month - 1, c.day, c.hours, c.minutes, c.seconds);
}

/** A civil date-time as the API's CivilDateTime (`{date, time}`). */
export function civilJson(c: Civil): unknown {
  return { date: { year: c.year, month: c.month, day: c.day }, time: { hours: c.hours, minutes: c.minutes, seconds: c.seconds } };
}

/** An ISO date-time with an offset: its instant and offset; null for any other text. */
export function offsetInstant(text: string): { ms: number; offsetMin: number } | null {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?)(Z|[+-]\d{2}:?\d{2})$/.exec(text.trim());
  if (!m) return null;
  const ms = Date.parse(`${m[1]}${m[2]!.length === 5 ? `${m[2]!.slice(0, 3)}:${m[2]!.slice(3)}` : m[2]}`);
  if (!Number.isFinite(ms)) return null;
  const z = m[2]!;
  const offsetMin = z === 'Z' ? 0 : (z.startsWith('-') ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(-2)));
  return { ms, offsetMin };
}

/** Epoch ms of "YYYY-MM-DDTHH:MM:SS[.sss]Z" (the heart-rate CSVs), NaN otherwise; fast, it runs per sample. */
export function zuluMs(text: string): number {
  if (text.length < 20 || text.charCodeAt(text.length - 1) !== 0x5a) return NaN;
  const n = (a: number, b: number) => Number(text.slice(a, b));
  return Date.UTC(n(0, 4), n(5, 7) - 1, n(8, 10), n(11, 13), n(14, 16), n(17, 19));
}

/** ISO 8601 UTC text of epoch ms. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** "YYYY-MM-DD" as the API's Date (`{year, month, day}`). */
export function dateJson(day: string): { year: number; month: number; day: number } {
  return { year: Number(day.slice(0, 4)), month: Number(day.slice(5, 7)), day: Number(day.slice(8, 10)) };
}
