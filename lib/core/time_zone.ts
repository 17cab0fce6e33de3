/**
 * Time zones: checking an IANA name, the UTC offset of a zone at an instant
 * (from the runtime's time-zone database), and the zone at a place (from
 * `@photostructure/tz-lookup`, an offline lookup over the timezone-boundary-builder
 * polygons: 100 KB, about 0.5 µs per lookup).
 */
import tzLookup from '@photostructure/tz-lookup';

const formatters = new Map<string, Intl.DateTimeFormat>();

function offsetFormatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    formatters.set(zone, f);
  }
  return f;
}

/** Whether `zone` is an IANA time zone the runtime knows (e.g. `Europe/Zurich`, `UTC`). */
export function isTimeZone(zone: string): boolean {
  if (!zone.trim()) return false;
  try {
    offsetFormatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** The UTC offset in minutes east of Greenwich of `zone` at instant `at` (DST included). Throws on an unknown zone. */
export function zoneOffsetMin(zone: string, at: Date): number {
  const name = offsetFormatter(zone).formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? '';
  // `GMT` for UTC itself, else `GMT+05:30` / `GMT-03:00`.
  const m = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(name);
  if (!m) throw new Error(`time zone ${zone}: unexpected offset name "${name}"`);
  if (!m[1]) return 0;
  const min = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -min : min;
}

/**
 * The IANA zone at a place, or null where the place says nothing: coordinates
 * out of range, not finite, or (0, 0), the "no fix" value devices write.
 */
export function zoneAt(lat: number, lon: number): string | null {
  if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
  if (lat === 0 && lon === 0) return null;
  try {
    return tzLookup(lat, lon);
  } catch {
    return null;
  }
}
