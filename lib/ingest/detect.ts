/**
 * Recognise an input file's format from its first bytes (content first, the
 * name only where content cannot say), so the importer picks the right parser.
 */
import { Gunzip } from 'fflate';
import { googleHealthMemberKind } from '../sources/google_health/export.ts';
import { ouraCollectionOf } from '../sources/oura/export.ts';
import { isPositionsCsvHeader } from '../formats/positions_csv.ts';
import { isEliteHrvReading } from '../sources/elite_hrv/export.ts';
import { isHrv4TrainingHeader } from '../sources/hrv4training/export.ts';

/** Formats the importer knows. */
export type DetectedFormat =
  | 'fit'
  | 'gpx'
  | 'tcx'
  | 'apple_health_xml'
  | 'strava_activities_csv'
  | 'whoop_csv'
  | 'oura_json'
  | 'oura_csv'
  | 'scale_csv'
  | 'legacy_strava_json'
  | 'legacy_activities_csv'
  | 'garmin_json'
  | 'google_health'
  | 'positions_csv'
  | 'hrv4training_csv'
  | 'elite_hrv_rr'
  | 'unknown';

/** XML root elements (without namespace prefix) to formats. */
const XML_ROOTS: Record<string, DetectedFormat> = {
  gpx: 'gpx',
  TrainingCenterDatabase: 'tcx',
  HealthData: 'apple_health_xml',
};

/** CSV header tests, first match wins. */
const CSV_SIGNATURES: readonly [RegExp, DetectedFormat][] = [
  [/^Activity ID,Activity Date\b/, 'strava_activities_csv'],
  [/(^|,)"?Cycle start time"?(,|$)/, 'whoop_csv'],
  [/(^|,)"?Weight\(/, 'scale_csv'],
  [/^date,name,type,distance_miles\b/, 'legacy_activities_csv'],
];

/** Keys that only Garmin Connect responses carry. */
const GARMIN_KEYS = /"(summaryDTO|activityId|dailySleepDTO|hrvSummary|userProfilePK|userProfileId|calendarDate|activityTypeDTO)"\s*:/;
/** Keys of the Oura collections (for heads too short to parse as JSON). */
const OURA_KEYS = /"(bedtime_start|total_sleep_duration|daily_readiness|daily_sleep|daily_activity|class_5_min|temperature_deviation|equivalent_walking_distance)"\s*:/;

/**
 * Detect a file's format from its name and first bytes (a few KB are
 * enough; a whole small file is better for JSON). Gzip is looked through:
 * the inflated head decides, else the name without `.gz`.
 */
export function detectFormat(name: string, head: Uint8Array): DetectedFormat {
  if (head.length >= 12 && ascii(head, 8, 12) === '.FIT') return 'fit';
  if (head[0] === 0x1f && head[1] === 0x8b) {
    const inner = name.replace(/\.gz$/i, '');
    const inflated = inflateHead(head);
    const found = inflated.length ? detectFormat(inner, inflated) : 'unknown';
    return found !== 'unknown' ? found : byExtension(inner);
  }
  if (googleHealthMemberKind(name, head)) return 'google_health';
  const textHead = new TextDecoder('utf-8', { fatal: false }).decode(head).replace(/^\uFEFF/, '');
  const body = textHead.trimStart();
  if (body.startsWith('<')) return xmlFormat(body);
  if (body.startsWith('{') || body.startsWith('[')) return jsonFormat(body);
  if (isEliteHrvReading(name, body)) return 'elite_hrv_rr';
  const firstLine = body.split(/\r?\n/, 1)[0] ?? '';
  for (const [re, format] of CSV_SIGNATURES) if (re.test(firstLine)) return format;
  if (firstLine.includes(',')) {
    const fields = Object.fromEntries(firstLine.split(',').map((h) => [h.trim().replace(/^"|"$/g, ''), '']));
    if (ouraCollectionOf(fields)) return 'oura_csv';
    if (isHrv4TrainingHeader(Object.keys(fields))) return 'hrv4training_csv';
    if (isPositionsCsvHeader(Object.keys(fields))) return 'positions_csv';
  }
  return head.length === 0 ? byExtension(name) : 'unknown';
}

function ascii(b: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...b.subarray(from, to));
}

/** Inflate as much of a gzip head as it holds; a truncated stream still yields its first bytes. */
function inflateHead(head: Uint8Array): Uint8Array {
  const chunks: Uint8Array[] = [];
  try {
    const g = new Gunzip((chunk) => chunks.push(chunk));
    g.push(head, false);
  } catch {
    // A corrupt or truncated stream: keep whatever came out before the failure.
  }
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function byExtension(name: string): DetectedFormat {
  const ext = /\.([a-z0-9]+)(\.gz)?$/i.exec(name)?.[1]?.toLowerCase();
  if (ext === 'fit') return 'fit';
  if (ext === 'gpx') return 'gpx';
  if (ext === 'tcx') return 'tcx';
  return 'unknown';
}

/** The root element's name, skipping the prolog: declaration, comments, processing instructions, DOCTYPE. */
function xmlFormat(body: string): DetectedFormat {
  let s = body;
  for (;;) {
    s = s.trimStart();
    if (s.startsWith('<?')) s = after(s, '?>');
    else if (s.startsWith('<!--')) s = after(s, '-->');
    else if (s.startsWith('<!DOCTYPE')) {
      const doctype = /^<!DOCTYPE\s+([\w:.-]+)/.exec(s);
      // Apple Health's internal DTD can outrun the head: the DOCTYPE names the root.
      if (doctype && XML_ROOTS[localName(doctype[1]!)]) return XML_ROOTS[localName(doctype[1]!)]!;
      const subset = s.indexOf('[');
      s = after(s, subset >= 0 && subset < s.indexOf('>') ? ']>' : '>');
    } else break;
    if (s === '') return 'unknown';
  }
  const root = /^<([\w:.-]+)/.exec(s)?.[1];
  return (root && XML_ROOTS[localName(root)]) || 'unknown';
}

/** The text after the first `token`, or '' when the head ends before it. */
function after(s: string, token: string): string {
  const at = s.indexOf(token);
  return at < 0 ? '' : s.slice(at + token.length);
}

function localName(qname: string): string {
  return qname.slice(qname.indexOf(':') + 1);
}

/** Classify JSON by structure when the head parses, else by the keys it shows. */
function jsonFormat(body: string): DetectedFormat {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return jsonFormatByKeys(body);
  }
  const objects = (list: unknown[]) => list.filter((o): o is Record<string, unknown> => typeof o === 'object' && o !== null && !Array.isArray(o));
  if (Array.isArray(doc)) {
    const items = objects(doc);
    if (items.some((o) => 'start_date_local' in o && 'id' in o)) return 'legacy_strava_json';
    if (items.some((o) => ouraCollectionOf(o))) return 'oura_json';
    return GARMIN_KEYS.test(body) ? 'garmin_json' : 'unknown';
  }
  if (typeof doc !== 'object' || doc === null) return 'unknown';
  const top = doc as Record<string, unknown>;
  if (Array.isArray(top.data) && objects(top.data).some((o) => ouraCollectionOf(o))) return 'oura_json';
  if (['sleep', 'daily_sleep', 'daily_readiness', 'daily_activity', 'workout'].some((k) => k in top)) return 'oura_json';
  return GARMIN_KEYS.test(body) ? 'garmin_json' : 'unknown';
}

function jsonFormatByKeys(body: string): DetectedFormat {
  if (body.startsWith('[') && /"start_date_local"\s*:/.test(body) && /"id"\s*:/.test(body)) return 'legacy_strava_json';
  if (OURA_KEYS.test(body)) return 'oura_json';
  if (GARMIN_KEYS.test(body)) return 'garmin_json';
  return 'unknown';
}
