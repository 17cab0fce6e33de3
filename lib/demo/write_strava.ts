/**
 * A Strava account export: activities.csv with the 94-column header of the
 * 2022–2025 exports and GPX files as Strava writes them (creator="StravaGPX").
 */
import { gzipSync } from 'node:zlib';
import type { PlannedWorkout, WorkoutKind } from './athlete.ts';
import { csvText } from './csv.ts';
import { Rng } from './random.ts';
import { stravaActivityId } from './source_ids.ts';
import type { Track, TrackSummary } from './track.ts';

/** The 94 column names of activities.csv, in order; some names appear twice with different units. */
export const STRAVA_HEADER_94: readonly string[] = [
  'Activity ID', 'Activity Date', 'Activity Name', 'Activity Type', 'Activity Description', 'Elapsed Time', 'Distance',
  'Max Heart Rate', 'Relative Effort', 'Commute', 'Activity Private Note', 'Activity Gear', 'Filename', 'Athlete Weight',
  'Bike Weight', 'Elapsed Time', 'Moving Time', 'Distance', 'Max Speed', 'Average Speed', 'Elevation Gain',
  'Elevation Loss', 'Elevation Low', 'Elevation High', 'Max Grade', 'Average Grade', 'Average Positive Grade',
  'Average Negative Grade', 'Max Cadence', 'Average Cadence', 'Max Heart Rate', 'Average Heart Rate', 'Max Watts',
  'Average Watts', 'Calories', 'Max Temperature', 'Average Temperature', 'Relative Effort', 'Total Work',
  'Number of Runs', 'Uphill Time', 'Downhill Time', 'Other Time', 'Perceived Exertion', 'Type', 'Start Time',
  'Weighted Average Power', 'Power Count', 'Prefer Perceived Exertion', 'Perceived Relative Effort', 'Commute',
  'Total Weight Lifted', 'From Upload', 'Grade Adjusted Distance', 'Weather Observation Time', 'Weather Condition',
  'Weather Temperature', 'Apparent Temperature', 'Dewpoint', 'Humidity', 'Weather Pressure', 'Wind Speed', 'Wind Gust',
  'Wind Bearing', 'Precipitation Intensity', 'Sunrise Time', 'Sunset Time', 'Moon Phase', 'Bike', 'Gear',
  'Precipitation Probability', 'Precipitation Type', 'Cloud Cover', 'Weather Visibility', 'UV Index', 'Weather Ozone',
  'Jump Count', 'Total Grit', 'Average Flow', 'Flagged', 'Average Elapsed Speed', 'Dirt Distance',
  'Newly Explored Distance', 'Newly Explored Dirt Distance', 'Activity Count', 'Total Steps', 'Carbon Saved',
  'Pool Length', 'Training Load', 'Intensity', 'Average Grade Adjusted Pace', 'Timer Time', 'Total Cycles', 'Media',
];

const STRAVA_TYPE: Record<WorkoutKind, string> = {
  easy_run: 'Run', long_run: 'Run', interval_run: 'Run', race_run: 'Run', treadmill_run: 'Run',
  road_ride: 'Ride', indoor_ride: 'Virtual Ride', strength: 'Weight Training', swim: 'Swim', football: 'Soccer',
};
const GPX_TYPE: Record<string, string> = { Run: 'running', Ride: 'cycling', Soccer: 'soccer' };

/** One workout as Strava has it. */
export interface StravaInput {
  workout: PlannedWorkout;
  summary: TrackSummary;
  track: Track | null;
}

/** What the Strava writer produces: files by relative path and the activity id of each workout. */
export interface StravaOutput {
  files: Map<string, Uint8Array | string>;
  ids: Map<string, string>;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Oct 6, 2022, 11:19:20 PM` in UTC, as Strava's export writes Activity Date. */
export function stravaDate(utcMs: number): string {
  const d = new Date(utcMs);
  const h = d.getUTCHours();
  const h12 = h % 12 === 0 ? 12 : h % 12;
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  const ss = String(d.getUTCSeconds()).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${h12}:${mm}:${ss} ${h < 12 ? 'AM' : 'PM'}`;
}

function activityName(w: PlannedWorkout, type: string, localHour: number): string {
  if (w.kind === 'race_run') return 'Zürich Half Marathon, finally sub 1:35';
  if (w.kind === 'interval_run') return 'Intervals, 6x3 min';
  if (w.kind === 'football') return 'Thursday 5-a-side';
  const part = localHour < 12 ? 'Morning' : localHour < 14 ? 'Lunch' : localHour < 17 ? 'Afternoon' : localHour < 21 ? 'Evening' : 'Night';
  return `${part} ${type === 'Virtual Ride' ? 'Ride' : type}`;
}

/** Write activities.csv (rows in upload order, not by date) and the GPX files. */
export function writeStrava(inputs: StravaInput[], seed: number): StravaOutput {
  const rng = Rng.from(seed, 'strava');
  const files = new Map<string, Uint8Array | string>();
  const ids = new Map<string, string>();
  const rows: { key: number; cells: (string | number | null)[] }[] = [];
  let describedNewline = false;
  for (const { workout: w, summary: s, track } of inputs) {
    const mode = w.coverage.strava;
    if (!mode) continue;
    const r = new Rng(w.seed).fork('strava');
    const shiftS = mode === 'manual' ? 0 : r.int(0, 90);
    const startMs = mode === 'manual' ? Math.round(w.startMs / 300_000) * 300_000 : w.startMs + shiftS * 1000;
    const id = String(stravaActivityId(startMs));
    ids.set(w.truthId, id);
    const type = STRAVA_TYPE[w.kind];
    const scale = 1 + (r.chance(0.5) ? 1 : -1) * r.range(0.01, 0.03);
    const distM = mode === 'manual' ? Math.round(s.distanceM / 100) * 100 : s.distanceM * scale;
    const elapsed = mode === 'manual' ? Math.round(s.elapsedS / 300) * 300 : s.elapsedS - shiftS;
    const moving = mode === 'manual' ? elapsed : Math.min(elapsed, s.movingS);
    const localHour = new Date(w.startMs + w.offsetMin * 60_000).getUTCHours();
    let filename = '';
    if (mode === 'file' && track && track.lat) {
      filename = `activities/${id}.gpx${w.coverage.stravaGzip ? '.gz' : ''}`;
      const gpx = gpxText(track, shiftS, activityName(w, type, localHour), GPX_TYPE[type] ?? 'workout', r);
      files.set(`strava_export/${filename}`, w.coverage.stravaGzip ? gzipSync(Buffer.from(gpx, 'utf8'), { level: 6 }) : gpx);
    }
    let description = '';
    if (w.kind === 'race_run') description = 'Negative split, legs held up.';
    else if (!describedNewline && w.kind === 'long_run') {
      description = 'Long run along the lake.\nLegs heavy after km 15, "easy" pace anyway.';
      describedNewline = true;
    }
    const hr = mode === 'manual';
    const km = distM / 1000;
    const cells: (string | number | null)[] = new Array(STRAVA_HEADER_94.length).fill('');
    const set = (name: string, value: string | number | null, occurrence = 0): void => {
      let seen = -1;
      for (let k = 0; k < STRAVA_HEADER_94.length; k++) {
        if (STRAVA_HEADER_94[k] === name && ++seen === occurrence) {
          cells[k] = value;
          return;
        }
      }
      throw new Error(`Strava header has no column ${name} #${occurrence}`);
    };
    set('Activity ID', id);
    set('Activity Date', stravaDate(startMs));
    set('Activity Name', activityName(w, type, localHour));
    set('Activity Type', type);
    set('Activity Description', description);
    set('Elapsed Time', elapsed);
    set('Distance', distM > 0 ? km.toFixed(2) : '0.00');
    set('Max Heart Rate', hr ? '' : Math.round(s.maxHr));
    set('Relative Effort', hr ? '' : Math.round((w.load / 10) * 0.9));
    set('Commute', 'false');
    set('Activity Gear', type === 'Run' ? 'Pegasus 40' : type.endsWith('Ride') ? 'Canyon Endurace' : '');
    set('Filename', filename);
    set('Athlete Weight', '72.0');
    set('Elapsed Time', `${elapsed}.0`, 1);
    set('Moving Time', `${moving}.0`);
    set('Distance', distM > 0 ? distM.toFixed(2) : '0.0', 1);
    if (!hr) {
      set('Max Speed', s.maxSpeed.toFixed(3));
      set('Average Speed', (distM / Math.max(1, moving)).toFixed(3));
      set('Elevation Gain', track?.alt ? s.ascentM.toFixed(1) : '0.0');
      set('Elevation Loss', track?.alt ? s.descentM.toFixed(1) : '0.0');
      set('Max Cadence', s.maxCadence === null ? '' : s.maxCadence.toFixed(1));
      set('Average Cadence', s.avgCadence === null ? '' : s.avgCadence.toFixed(4));
      set('Max Heart Rate', `${Math.round(s.maxHr)}.0`, 1);
      set('Average Heart Rate', s.avgHr.toFixed(4));
      set('Max Watts', s.maxPower === null ? '' : `${s.maxPower}.0`);
      set('Average Watts', s.avgPower === null ? '' : s.avgPower.toFixed(4));
      set('Relative Effort', `${Math.round((w.load / 10) * 0.9)}.0`, 1);
      set('Total Work', s.avgPower === null ? '' : `${Math.round(s.avgPower * s.elapsedS)}.0`);
      set('From Upload', '1.0');
      set('Average Elapsed Speed', (distM / Math.max(1, elapsed)).toFixed(3));
      set('Timer Time', `${elapsed}.0`);
    } else {
      set('From Upload', '0.0');
    }
    set('Calories', `${Math.round(s.calories)}.0`);
    set('Commute', '0.0', 1);
    set('Activity Count', '1.0');
    set('Flagged', '0.0');
    // Upload order is not start order: manual entries come days later, bulk syncs arrive out of order.
    rows.push({ key: startMs / 1000 + (mode === 'manual' ? 86_400 * rng.range(0, 5) : rng.range(0, 40_000)), cells });
  }
  rows.sort((a, b) => b.key - a.key);
  files.set('strava_export/activities.csv', csvText(STRAVA_HEADER_94, rows.map((r) => r.cells)));
  return { files, ids };
}

/** Strava's GPX: its own resampling (about every 4–6 s), starting where its copy starts. */
function gpxText(track: Track, fromS: number, name: string, type: string, rng: Rng): string {
  const head =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<gpx creator="StravaGPX" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/1/1/gpx.xsd http://www.garmin.com/xmlschemas/GpxExtensions/v3 http://www.garmin.com/xmlschemas/GpxExtensionsv3.xsd http://www.garmin.com/xmlschemas/TrackPointExtension/v1 http://www.garmin.com/xmlschemas/TrackPointExtensionv1.xsd" version="1.1" xmlns="http://www.topografix.com/GPX/1/1" xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1" xmlns:gpxx="http://www.garmin.com/xmlschemas/GpxExtensions/v3">\n';
  const startIso = new Date(track.startMs + fromS * 1000).toISOString().slice(0, 19) + 'Z';
  const parts: string[] = [head, ` <metadata>\n  <time>${startIso}</time>\n </metadata>\n <trk>\n  <name>${xmlEscape(name)}</name>\n  <type>${type}</type>\n  <trkseg>\n`];
  for (let t = fromS; t < track.n; t += rng.int(4, 6)) {
    const time = new Date(track.startMs + t * 1000).toISOString().slice(0, 19) + 'Z';
    let ext = '';
    if (track.power) ext += `     <power>${track.power[t] ?? 0}</power>\n`;
    ext += `     <gpxtpx:TrackPointExtension>\n      <gpxtpx:hr>${track.hr[t] ?? 0}</gpxtpx:hr>\n`;
    if (track.cadence) ext += `      <gpxtpx:cad>${track.cadence[t] ?? 0}</gpxtpx:cad>\n`;
    ext += '     </gpxtpx:TrackPointExtension>\n';
    parts.push(
      `   <trkpt lat="${(track.lat?.[t] ?? 0).toFixed(7)}" lon="${(track.lon?.[t] ?? 0).toFixed(7)}">\n    <ele>${(track.alt?.[t] ?? 0).toFixed(1)}</ele>\n    <time>${time}</time>\n    <extensions>\n${ext}    </extensions>\n   </trkpt>\n`,
    );
  }
  parts.push('  </trkseg>\n </trk>\n</gpx>\n');
  return parts.join('');
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
