import { describe, expect, it } from 'vitest';
import { mergeStravaFile, parseStravaActivitiesCsv } from '../../../lib/sources/strava/export.ts';
import { emptyResult, type ParseResult } from '../../../lib/core/models.ts';
import { STRAVA_HEADER_94 } from '../../../lib/demo/write_strava.ts';

// The 94-column activities.csv header (2022-2025 exports), as the demo athlete writes it.
const HEADER_94 = STRAVA_HEADER_94;
/** The 2026 header adds these before Media. */
const HEADER_103 = [
  ...HEADER_94.slice(0, -1),
  'Recovery', 'With Pet', 'Competition', 'Long Run', 'For a Cause', 'With Kid', 'Downhill Distance', 'Total Sets', 'Total Reps',
  'Media',
];

function quote(c: string): string {
  return /[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c;
}

/** A CSV with `header`, rows given by column name; `Name#2` addresses the second column of that name. */
function csv(header: readonly string[], rows: Record<string, string>[]): string {
  const index = (key: string) => {
    const [name, nth] = key.split('#');
    let seen = 0;
    for (let i = 0; i < header.length; i++) if (header[i] === name && ++seen === Number(nth ?? 1)) return i;
    throw new Error(`no column ${key}`);
  };
  const lines = rows.map((r) => {
    const cells = header.map(() => '');
    for (const [k, v] of Object.entries(r)) cells[index(k)] = v;
    return cells.map(quote).join(',');
  });
  return [header.map(quote).join(','), ...lines].join('\r\n') + '\r\n';
}

const RUN = {
  'Activity ID': '8474917700', 'Activity Date': 'Oct 6, 2022, 11:19:20 PM', 'Activity Name': 'Evening Run', 'Activity Type': 'Run',
  'Activity Description': 'Hills, then "easy"\nsecond line', 'Elapsed Time': '900', Distance: '2.43', 'Max Heart Rate': '181.0',
  Filename: 'activities/8474917700.fit.gz', 'Elapsed Time#2': '900.0', 'Moving Time': '850.0', 'Distance#2': '2432.77',
  'Elevation Gain': '12.5', 'Max Heart Rate#2': '181.0', 'Average Heart Rate': '152.3', Calories: '210.0',
  'Perceived Exertion': '6.0', 'Training Load': '42.0', 'Relative Effort#2': '35.0', 'Average Cadence': '84.0',
};
const RIDE = {
  'Activity ID': '9000000001', 'Activity Date': 'Jan 1, 2023, 12:05:00 AM', 'Activity Name': 'Zwift', 'Activity Type': 'Virtual Ride',
  'Elapsed Time': '3600', Distance: '30.5', 'Elapsed Time#2': '3600.0', 'Moving Time': '3590.0', 'Average Watts': '201.5', 'Max Watts': '540.0',
};

describe('parseStravaActivitiesCsv', () => {
  it('maps the 94-column export, using the metres Distance and UTC dates', () => {
    expect(HEADER_94).toHaveLength(94);
    const { rows, result } = parseStravaActivitiesCsv(csv(HEADER_94, [RUN, RIDE]), 'export/activities.csv');
    expect(result.errors).toEqual([]);
    expect(rows.map((r) => [r.record, r.activityId, r.filename])).toEqual([
      ['row 1', '8474917700', 'activities/8474917700.fit.gz'],
      ['row 2', '9000000001', null],
    ]);
    const run = result.workouts[0]!;
    expect(run).toMatchObject({
      source: 'strava', external_id: '8474917700', external_ids: { strava: '8474917700' }, name: 'Evening Run',
      sport: 'running', source_sport: 'Run', sport_category: 'ENDURANCE', duration_s: 900, moving_time_s: 850,
      distance_m: 2432.77, max_hr: 181, avg_hr: 152.3, calories_kcal: 210, elevation_gain_m: 12.5, perceived_exertion: 6,
      // Strava counts a run's cadence in strides per minute: stored as steps.
      avg_cadence: 168, training_load: null, utc_offset_min: null, input: 'export/activities.csv',
    });
    expect(run.start_time).toEqual(new Date('2022-10-06T23:19:20Z'));
    expect(run.end_time).toEqual(new Date('2022-10-06T23:34:20Z'));
    expect(run.raw_data).toMatchObject({
      training_load: 42, relative_effort: 35, filename: 'activities/8474917700.fit.gz', description: 'Hills, then "easy"\nsecond line',
    });
    const ride = result.workouts[1]!;
    // Midnight is 12 AM.
    expect(ride.start_time).toEqual(new Date('2023-01-01T00:05:00Z'));
    expect(ride).toMatchObject({ sport: 'indoor_cycling', distance_m: 30500, avg_power_w: 201.5, max_power_w: 540, has_power: false });
  });

  it('reads the 103-column export and ignores unknown extra columns', () => {
    expect(HEADER_103).toHaveLength(103);
    const header = [...HEADER_103, 'Some Future Column'];
    const { result } = parseStravaActivitiesCsv(csv(header, [{ ...RUN, 'Some Future Column': 'x', 'Long Run': 'true' }]), 'a.csv');
    expect(result.errors).toEqual([]);
    expect(result.workouts[0]).toMatchObject({ external_id: '8474917700', distance_m: 2432.77, duration_s: 900 });
  });

  it('tolerates an old export without the duplicated columns', () => {
    const header = ['Activity ID', 'Activity Date', 'Activity Name', 'Activity Type', 'Elapsed Time', 'Distance'];
    const text = `${header.join(',')}\n1,"Mar 3, 2019, 7:00:00 AM",Walk,Walk,1200,1.5\n`;
    const { result } = parseStravaActivitiesCsv(text, 'old.csv');
    expect(result.errors).toEqual([]);
    expect(result.workouts[0]).toMatchObject({ external_id: '1', sport: 'walking', distance_m: 1500, duration_s: 1200, avg_hr: null });
    expect(result.workouts[0]!.start_time).toEqual(new Date('2019-03-03T07:00:00Z'));
  });

  it('reports bad cells by file, row and column and keeps the other rows', () => {
    const badHr = { ...RUN, 'Activity ID': '2', 'Average Heart Rate': 'abc' };
    const badDate = { ...RIDE, 'Activity ID': '3', 'Activity Date': 'Octember 40, 2022' };
    const { rows, result } = parseStravaActivitiesCsv(csv(HEADER_94, [RUN, badHr, badDate, RIDE]), 'activities.csv');
    expect(result.errors).toEqual([
      { input: 'activities.csv', record: 'row 2', field: 'Average Heart Rate', reason: 'not a number (got "abc")' },
      expect.objectContaining({ input: 'activities.csv', record: 'row 3', field: 'Activity Date' }),
    ]);
    expect(rows.map((r) => r.activityId)).toEqual(['8474917700', '2', '9000000001']);
    expect(result.workouts[1]).toMatchObject({ external_id: '2', avg_hr: null, max_hr: 181 });
  });

  it('names the missing required columns', () => {
    const { result } = parseStravaActivitiesCsv('Activity ID,Name\n1,x\n', 'fr.csv');
    expect(result.workouts).toEqual([]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ input: 'fr.csv', field: 'Activity Date, Activity Type' });
    expect(result.errors[0]!.reason).toContain('"Activity Date", "Activity Type"');
  });
});

describe('mergeStravaFile', () => {
  function fitParse(): ParseResult {
    const r = emptyResult();
    r.workouts.push({
      source: 'fit', external_id: 'fit:123', external_ids: { fit: '3912345678-1665098360' }, start_time: new Date('2022-10-06T23:19:21Z'),
      end_time: new Date('2022-10-06T23:34:19Z'), duration_s: 898, utc_offset_min: 120, sport: 'trail_running', sport_category: 'ENDURANCE',
      distance_m: 2440, avg_hr: 150, max_hr: 182, avg_power_w: 250, max_power_w: 400, has_gps: true, has_power: true, input: 'activities/8474917700.fit.gz',
    });
    r.streams.push({
      source: 'fit', external_id: 'fit:123', time: new Float64Array([1, 2]),
      channels: { lat: new Float64Array([NaN, 47.37]), lon: new Float64Array([NaN, 8.54]), hr: new Float64Array([140, 141]) },
    });
    r.errors.push({ input: 'activities/8474917700.fit.gz', record: 'record 7', reason: 'bad CRC' });
    return r;
  }

  it('keeps the CSV identity and metrics, fills gaps from the file and re-keys its streams', () => {
    const { rows } = parseStravaActivitiesCsv(csv(HEADER_94, [RUN]), 'activities.csv');
    const merged = mergeStravaFile(rows[0]!, fitParse());
    expect(merged.workouts).toHaveLength(1);
    const w = merged.workouts[0]!;
    expect(w).toMatchObject({
      source: 'strava', external_id: '8474917700', name: 'Evening Run', sport: 'running', distance_m: 2432.77, avg_hr: 152.3,
      max_hr: 181, duration_s: 900, avg_power_w: 250, max_power_w: 400, utc_offset_min: 120, has_gps: true, has_power: true,
      external_ids: { strava: '8474917700', fit: '3912345678-1665098360' },
    });
    expect(w.start_time).toEqual(new Date('2022-10-06T23:19:20Z'));
    expect(merged.streams).toHaveLength(1);
    expect(merged.streams[0]).toMatchObject({ source: 'strava', external_id: '8474917700' });
    expect(Array.from(merged.streams[0]!.channels.hr!)).toEqual([140, 141]);
    expect(merged.errors).toEqual([{ input: 'activities/8474917700.fit.gz', record: 'record 7', reason: 'bad CRC' }]);
  });

  it('returns the CSV row unchanged when the file gave no workout', () => {
    const { rows, result } = parseStravaActivitiesCsv(csv(HEADER_94, [RIDE]), 'activities.csv');
    const merged = mergeStravaFile(rows[0]!, emptyResult());
    expect(merged.workouts).toEqual([result.workouts[0]]);
  });
});
