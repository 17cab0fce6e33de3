import { describe, expect, it } from 'vitest';
import { detectGarminJson, garminFitActivityId, parseGarminJson } from '../../../lib/sources/garmin/export.ts';
import type { BiometricReadingInput, ParseResult, SourceWorkoutInput } from '../../../lib/core/models.ts';
import { readFixture } from '../../helpers/shared.ts';

const API = 'health/garmin_connect_api/';

/** Epoch ms of a UTC wall time. */
const utc = (iso: string) => Date.parse(`${iso}Z`);

/** One export activity: distances and elevation in cm, durations in ms, energy in kJ, times in epoch ms. */
function exportActivity(id: number, startGmt: string, offsetMin: number, extra: Record<string, unknown> = {}) {
  const gmt = utc(startGmt);
  return {
    activityId: id,
    name: `Activity ${id}`,
    activityType: 'running',
    sportType: 'RUNNING',
    startTimeGmt: gmt,
    beginTimestamp: gmt,
    startTimeLocal: gmt + offsetMin * 60_000,
    duration: 3_000_500,
    elapsedDuration: 3_060_000,
    movingDuration: 2_950_000,
    distance: 1_000_050,
    elevationGain: 12_340,
    calories: 2_510.4,
    avgHr: 148,
    maxHr: 171,
    avgRunCadence: 86.5,
    activityTrainingLoad: 112.5,
    startLatitude: 47.1,
    ...extra,
  };
}

const ACTIVITIES = [
  {
    summarizedActivitiesExport: [
      // Berlin in winter (UTC+1) and in summer (UTC+2): the DST change shows in the offset.
      exportActivity(9_000_000_001, '2024-03-30T07:00:00', 60),
      exportActivity(9_000_000_002, '2024-03-31T07:00:00', 120, { activityType: { typeKey: 'treadmill_running' }, startLatitude: null }),
      // New York after its own DST change (UTC-4), a few seconds of jitter between the two clocks.
      exportActivity(9_000_000_003, '2024-03-12T22:30:00', -240, { startTimeLocal: utc('2024-03-12T22:30:00') - 240 * 60_000 + 7_000 }),
      // Kathmandu (UTC+5:45): quarter-hour offsets survive the rounding.
      exportActivity(9_000_000_004, '2024-05-01T01:15:00', 345, {
        activityType: 'road_biking', sportType: 'CYCLING', avgRunCadence: undefined, avgBikeCadence: 88, avgPower: 205, maxPower: 610,
      }),
      // A multisport leg without startTimeGmt (older files carry only beginTimestamp) and without elapsedDuration.
      exportActivity(9_000_000_005, '2024-05-02T06:00:00', 0, {
        startTimeGmt: undefined, elapsedDuration: undefined, activityType: 'strength_training', sportType: 'TRAINING', parentId: 9_000_000_099,
        avgRunCadence: undefined,
      }),
    ],
  },
];

function parse(doc: unknown, name: string): ParseResult {
  return parseGarminJson(JSON.stringify(doc), name);
}

function workout(r: ParseResult, id: string): SourceWorkoutInput {
  const w = r.workouts.find((x) => x.external_id === id);
  if (!w) throw new Error(`no workout ${id}`);
  return w;
}

function metrics(list: BiometricReadingInput[], date: string): Record<string, number> {
  return Object.fromEntries(list.filter((b) => b.date === date).map((b) => [b.metric_type, b.value]));
}

describe('export summarizedActivities', () => {
  const r = parse(ACTIVITIES, 'DI_CONNECT/DI-Connect-Fitness/me@example.com_0_summarizedActivities.json');

  it('converts the export units to SI and kcal', () => {
    expect(r.errors).toEqual([]);
    expect(r.workouts).toHaveLength(5);
    const w = workout(r, '9000000001');
    expect(w.source).toBe('garmin');
    expect(w.external_ids).toEqual({ garmin: '9000000001' });
    expect(w.name).toBe('Activity 9000000001');
    expect(w.distance_m).toBeCloseTo(10_000.5, 9);
    expect(w.duration_s).toBeCloseTo(3060, 9);
    expect(w.moving_time_s).toBeCloseTo(2950, 9);
    expect(w.elevation_gain_m).toBeCloseTo(123.4, 9);
    expect(w.calories_kcal).toBeCloseTo(2510.4 / 4.184, 9);
    expect(w.avg_hr).toBe(148);
    expect(w.max_hr).toBe(171);
    // avgRunCadence counts strides; workouts keep steps per minute.
    expect(w.avg_cadence).toBe(173);
    expect(w.training_load).toBe(112.5);
    expect(w.has_gps).toBe(true);
    expect(w.start_time).toEqual(new Date('2024-03-30T07:00:00Z'));
    expect(w.end_time).toEqual(new Date(utc('2024-03-30T07:00:00') + 3_060_000));
    expect(w.sport).toBe('running');
    expect(w.sport_category).toBe('ENDURANCE');
  });

  it('derives the UTC offset from the local wall time, across DST and in quarter hours', () => {
    expect(workout(r, '9000000001').utc_offset_min).toBe(60);
    expect(workout(r, '9000000002').utc_offset_min).toBe(120);
    expect(workout(r, '9000000003').utc_offset_min).toBe(-240);
    expect(workout(r, '9000000004').utc_offset_min).toBe(345);
    expect(workout(r, '9000000005').utc_offset_min).toBe(0);
  });

  it('maps the sport from typeKey (object or string) and sportType', () => {
    const treadmill = workout(r, '9000000002');
    expect(treadmill.sport).toBe('treadmill_running');
    expect(treadmill.source_sport).toBe('treadmill_running');
    expect(treadmill.has_gps).toBe(false);
    const ride = workout(r, '9000000004');
    expect(ride.sport).toBe('cycling');
    expect(ride.avg_power_w).toBe(205);
    expect(ride.max_power_w).toBe(610);
    expect(ride.has_power).toBe(true);
    expect(ride.avg_cadence).toBe(88);
    const gym = workout(r, '9000000005');
    expect(gym.sport).toBe('strength_training');
    expect(gym.sport_category).toBe('STRENGTH');
  });

  it('falls back to beginTimestamp and duration, and keeps the multisport parent', () => {
    const w = workout(r, '9000000005');
    expect(w.start_time).toEqual(new Date('2024-05-02T06:00:00Z'));
    expect(w.duration_s).toBeCloseTo(3000.5, 9);
    expect(w.parent_external_id).toBe('9000000099');
  });

  it('takes the steps-per-minute cadence when the strides one is absent', () => {
    const doc = [{ summarizedActivitiesExport: [exportActivity(9_000_000_020, '2024-06-01T05:00:00', 0, { avgRunCadence: undefined, avgDoubleCadence: 171 })] }];
    const res = parse(doc, 'x_summarizedActivities.json');
    expect(res.errors).toEqual([]);
    expect(workout(res, '9000000020').avg_cadence).toBe(171);
  });

  it('reports malformed entries by index and field and keeps the rest', () => {
    const good = exportActivity(9_000_000_010, '2024-06-01T05:00:00', 120);
    const doc = [
      {
        summarizedActivitiesExport: [
          good,
          { ...good, activityId: undefined },
          { ...good, activityId: 9_000_000_012, startTimeGmt: 'yesterday', beginTimestamp: undefined },
          { ...good, activityId: 9_000_000_013, distance: 'far' },
          'not an activity',
          { ...good, activityId: 9_000_000_015, duration: undefined, elapsedDuration: undefined },
          { ...good, activityId: 9_000_000_016, avgHr: 190, maxHr: 170 },
        ],
      },
    ];
    const res = parse(doc, 'x_summarizedActivities.json');
    expect(res.workouts.map((w) => w.external_id)).toEqual(['9000000010', '9000000013']);
    expect(workout(res, '9000000013').distance_m).toBeNull();
    const at = (record: string) => res.errors.filter((e) => e.record === record).map((e) => e.field);
    expect(res.errors.every((e) => e.input === 'x_summarizedActivities.json')).toBe(true);
    expect(at('entry 1')).toEqual(['activityId']);
    expect(at('entry 2')).toEqual(['startTimeGmt']);
    expect(at('entry 3')).toEqual(['distance']);
    expect(at('entry 4')).toEqual([undefined]);
    expect(at('entry 5')).toEqual(['duration']);
    expect(at('entry 6')).toEqual(['avg_hr']);
    expect(res.errors.find((e) => e.record === 'entry 3')?.reason).toMatch(/far/);
  });
});

describe('export wellness files', () => {
  it('reads sleepData entries (export field names, GMT text timestamps)', () => {
    const doc = [
      {
        calendarDate: '2024-05-12',
        sleepStartTimestampGMT: '2024-05-11T21:34:00.0',
        sleepEndTimestampGMT: '2024-05-12T05:11:00.0',
        deepSleepSeconds: 4680,
        lightSleepSeconds: 16560,
        remSleepSeconds: 5700,
        awakeSleepSeconds: 480,
        averageRespiration: 14.5,
        sleepScores: { overallScore: 84, qualityScore: 80 },
        spo2SleepSummary: { averageSPO2: 95, lowestSPO2: 90 },
      },
      { calendarDate: '2024-05-13', sleepStartTimestampGMT: '2024-05-12T21:00:00.0', sleepEndTimestampGMT: '2024-05-13T05:00:00.0' },
      { calendarDate: 'May 14', deepSleepSeconds: 100 },
      { calendarDate: '2024-05-15', deepSleepSeconds: 3000, lightSleepSeconds: 'lots', remSleepSeconds: 1000, sleepEndTimestampGMT: 1_715_749_200_000 },
    ];
    expect(detectGarminJson('2024_sleepData.json', doc)).toBe('garmin_sleep');
    const r = parse(doc, '2024_sleepData.json');
    expect(metrics(r.biometrics, '2024-05-12')).toEqual({
      sleep_duration: 4680 + 16560 + 5700,
      sleep_in_bed: (7 * 60 + 37) * 60,
      sleep_deep: 4680,
      sleep_light: 16560,
      sleep_rem: 5700,
      sleep_awake: 480,
      sleep_score: 84,
      respiratory_rate: 14.5,
      spo2: 95,
    });
    expect(r.biometrics.find((b) => b.date === '2024-05-12')?.time).toEqual(new Date('2024-05-12T05:11:00Z'));
    expect(metrics(r.biometrics, '2024-05-13')).toEqual({});
    expect(metrics(r.biometrics, '2024-05-15')).toEqual({ sleep_duration: 4000, sleep_deep: 3000, sleep_rem: 1000 });
    expect(r.biometrics.find((b) => b.date === '2024-05-15')?.time).toEqual(new Date(1_715_749_200_000));
    expect(r.errors.map((e) => [e.record, e.field])).toEqual([
      ['entry 2', 'calendarDate'],
      ['entry 3', 'lightSleepSeconds'],
    ]);
  });

  it('reads UDS daily summaries', () => {
    const doc = [
      { calendarDate: '2024-01-01', restingHeartRate: 52, totalSteps: 10_234, totalKilocalories: 2500 },
      { calendarDate: '2024-01-02', currentDayRestingHeartRate: 55, totalSteps: 8000 },
      { calendarDate: '2024-01-03', restingHeartRate: 0, totalSteps: null },
    ];
    expect(detectGarminJson('UDSFile_2024-01-01_2024-04-10.json', doc)).toBe('garmin_uds');
    const r = parse(doc, 'UDSFile_2024-01-01_2024-04-10.json');
    expect(metrics(r.biometrics, '2024-01-01')).toEqual({ resting_hr: 52, steps: 10_234 });
    expect(metrics(r.biometrics, '2024-01-02')).toEqual({ resting_hr: 55, steps: 8000 });
    expect(metrics(r.biometrics, '2024-01-03')).toEqual({});
    expect(r.biometrics.every((b) => b.unit === (b.metric_type === 'steps' ? 'count' : 'bpm'))).toBe(true);
    expect(r.errors).toEqual([]);
  });

  it('reads HRV from health-status entries and flat HRV summaries', () => {
    const doc = [
      { calendarDate: '2024-02-01', metrics: [{ type: 'HR', value: 50 }, { type: 'HRV', value: 61, status: 'IN_RANGE' }] },
      { calendarDate: '2024-02-02', metrics: [{ type: 'SPO2', value: 96 }] },
    ];
    expect(detectGarminJson('x_healthStatusData.json', doc)).toBe('garmin_hrv');
    const r = parse(doc, 'x_healthStatusData.json');
    expect(r.biometrics.map((b) => [b.date, b.metric_type, b.value, b.unit])).toEqual([['2024-02-01', 'hrv_rmssd', 61, 'ms']]);
    const flat = parse([{ calendarDate: '2024-02-03', lastNightAvg: 47, weeklyAvg: 50 }], 'hrv.json');
    expect(flat.biometrics.map((b) => [b.date, b.metric_type, b.value])).toEqual([['2024-02-03', 'hrv_rmssd', 47]]);
  });

  it('reads weigh-ins in grams from userBioMetrics and the weight service', () => {
    const doc = [
      { weight: { weight: 72_450, bodyFat: 18.2, bmi: 22.9, muscleMass: 33_100, timestampGMT: 1_706_770_800_000, sourceType: 'INDEX_SCALE' }, metaData: { calendarDate: '2024-02-01' } },
      { weight: { weight: 0, bodyFat: 0, timestampGMT: '2024-02-02T06:00:00.0' } },
      { vo2Max: 51, metaData: { calendarDate: '2024-02-03' } },
      { weight: { weight: 71_900, timestampGMT: '2024-02-04T06:00:00.0' } },
    ];
    expect(detectGarminJson('me_userBioMetrics.json', doc)).toBe('garmin_weight');
    const r = parse(doc, 'me_userBioMetrics.json');
    expect(metrics(r.biometrics, '2024-02-01')).toEqual({ weight: 72.45, body_fat_pct: 18.2, bmi: 22.9, muscle_mass: 33.1 });
    expect(r.biometrics.find((b) => b.date === '2024-02-01')?.time).toEqual(new Date(1_706_770_800_000));
    expect(metrics(r.biometrics, '2024-02-02')).toEqual({});
    expect(metrics(r.biometrics, '2024-02-04')).toEqual({ weight: 71.9 });
    expect(r.errors).toEqual([]);

    const api = { dateWeightList: [{ calendarDate: '2024-03-01', weight: 70_000, bodyFat: null, date: 1_709_280_000_000 }] };
    expect(detectGarminJson('weight.json', api)).toBe('garmin_weight');
    expect(parse(api, 'weight.json').biometrics.map((b) => [b.date, b.metric_type, b.value, b.unit])).toEqual([['2024-03-01', 'weight', 70, 'kg']]);
  });
});

describe('real Garmin Connect API bodies', () => {
  const load = (name: string) => {
    const bytes = readFixture(API + name);
    return { json: JSON.parse(bytes.toString('utf8')), result: parseGarminJson(new Uint8Array(bytes), name) };
  };

  it('maps the single-activity response (summaryDTO, metres and seconds) to one workout', () => {
    const { json, result } = load('activity_21482825013.json');
    expect(detectGarminJson('activity_21482825013.json', json)).toBe('garmin_api_activity');
    expect(result.errors).toEqual([]);
    expect(result.workouts).toHaveLength(1);
    const s = json.summaryDTO;
    const w = result.workouts[0]!;
    expect(w.external_id).toBe(String(json.activityId));
    expect(w.external_ids).toEqual({ garmin: String(json.activityId) });
    expect(w.name).toBe(json.activityName);
    expect(w.sport).toBe('trail_running');
    expect(w.source_sport).toBe(json.activityTypeDTO.typeKey);
    expect(w.start_time).toEqual(new Date(`${s.startTimeGMT}Z`));
    // 08:10:21 local at 14:10:21 GMT.
    expect(w.utc_offset_min).toBe(-360);
    expect(w.duration_s).toBe(s.elapsedDuration);
    expect(w.moving_time_s).toBe(s.movingDuration);
    expect(w.distance_m).toBe(s.distance);
    expect(w.calories_kcal).toBe(s.calories);
    expect(w.avg_hr).toBe(s.averageHR);
    expect(w.max_hr).toBe(s.maxHR);
    expect(w.elevation_gain_m).toBe(s.elevationGain);
    expect(w.avg_power_w).toBe(s.averagePower);
    expect(w.max_power_w).toBe(s.maxPower);
    expect(w.avg_cadence).toBeCloseTo(s.averageRunCadence, 9);
    expect(w.training_load).toBe(s.activityTrainingLoad);
    expect(w.has_gps).toBe(true);
    expect(w.has_power).toBe(true);
  });

  it('reads HRV lastNightAvg on its calendarDate', () => {
    const { json, result } = load('hrv_2023-07-20.json');
    expect(result.errors).toEqual([]);
    expect(result.biometrics.map((b) => [b.date, b.metric_type, b.value, b.unit])).toEqual([
      [json.hrvSummary.calendarDate, 'hrv_rmssd', json.hrvSummary.lastNightAvg, 'ms'],
    ]);
  });

  for (const name of ['wellness_dailySleepData_2021-07-20.json', 'sleep-service_dailySleepData_2025-07-07.json']) {
    it(`reads both sleep generations: ${name}`, () => {
      const { json, result } = load(name);
      const d = json.dailySleepDTO;
      expect(result.errors).toEqual([]);
      const expected: Record<string, number> = {
        sleep_duration: d.sleepTimeSeconds,
        sleep_in_bed: (d.sleepEndTimestampGMT - d.sleepStartTimestampGMT) / 1000,
        sleep_deep: d.deepSleepSeconds,
        sleep_light: d.lightSleepSeconds,
        sleep_rem: d.remSleepSeconds,
        sleep_awake: d.awakeSleepSeconds,
        respiratory_rate: d.averageRespirationValue,
        spo2: d.averageSpO2Value,
      };
      if (d.sleepScores) expected.sleep_score = d.sleepScores.overall.value;
      expect(metrics(result.biometrics, d.calendarDate)).toEqual(expected);
      expect(result.biometrics.every((b) => b.date === d.calendarDate)).toBe(true);
      expect(result.biometrics[0]?.time).toEqual(new Date(d.sleepEndTimestampGMT));
    });
  }

  it('gives the 2025 sleep its score and the 2021 one none', () => {
    expect(metrics(load('sleep-service_dailySleepData_2025-07-07.json').result.biometrics, '2025-07-07').sleep_score).toBe(83);
    expect(metrics(load('wellness_dailySleepData_2021-07-20.json').result.biometrics, '2021-07-20').sleep_score).toBeUndefined();
  });

  it('reads resting HR and steps from the daily user summary', () => {
    const { json, result } = load('usersummary_daily_2025-06-14.json');
    expect(result.errors).toEqual([]);
    expect(metrics(result.biometrics, json.calendarDate)).toEqual({ resting_hr: json.restingHeartRate, steps: json.totalSteps });
  });

  it('does not take training readiness for any kind it reads', () => {
    const { json, result } = load('trainingreadiness_2025-07-07.json');
    expect(detectGarminJson('trainingreadiness_2025-07-07.json', json)).toBeNull();
    expect(result.biometrics).toEqual([]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]?.input).toBe('trainingreadiness_2025-07-07.json');
  });
});

describe('detectGarminJson', () => {
  it('returns null for unrelated JSON', () => {
    expect(detectGarminJson('activities.json', [{ id: 1, name: 'Ride', start_date: '2024-01-01T00:00:00Z', distance: 1000 }])).toBeNull();
    expect(detectGarminJson('oura.json', { data: [{ id: 'x', day: '2024-01-01', score: 80 }] })).toBeNull();
    expect(detectGarminJson('x.json', {})).toBeNull();
    expect(detectGarminJson('x.json', 42)).toBeNull();
    expect(detectGarminJson('x.json', null)).toBeNull();
    expect(detectGarminJson('x.json', [1, 2, 3])).toBeNull();
    expect(detectGarminJson('notes_sleepData.json', [{ note: 'not sleep' }])).toBeNull();
    expect(detectGarminJson('x.json', [])).toBeNull();
  });

  it('uses the file name only for an empty list', () => {
    expect(detectGarminJson('DI_CONNECT/DI-Connect-Wellness/a_sleepData.json', [])).toBe('garmin_sleep');
    expect(detectGarminJson('UDSFile_1.json', [])).toBe('garmin_uds');
    expect(detectGarminJson('me_0_summarizedActivities.json', [{ summarizedActivitiesExport: [] }])).toBe('garmin_activities');
  });

  it('reads a saved API body as the connector does, naming the API field of a bad value', () => {
    const apiItem = { activityId: 2, startTimeGMT: '2024-01-01 10:00:00', duration: 'long', activityType: { typeKey: 'running' } };
    const r = parse([apiItem], 'list.json');
    expect(r.workouts).toEqual([]);
    expect(r.errors).toEqual([expect.objectContaining({ input: 'list.json', record: 'entry 0', field: 'duration' })]);
  });

  it('tells the API activity list from the export list', () => {
    const apiItem = { activityId: 1, activityName: 'Run', startTimeGMT: '2024-01-01 10:00:00', startTimeLocal: '2024-01-01 11:00:00', distance: 5000, duration: 1500, activityType: { typeKey: 'running' } };
    expect(detectGarminJson('list.json', [apiItem])).toBe('garmin_api_activity');
    const r = parse([apiItem], 'list.json');
    expect(r.workouts[0]?.distance_m).toBe(5000);
    expect(r.workouts[0]?.duration_s).toBe(1500);
    expect(r.workouts[0]?.utc_offset_min).toBe(60);
  });
});

describe('parseGarminJson on unreadable input', () => {
  it('gives one error naming the file', () => {
    const r = parseGarminJson(new TextEncoder().encode('{"summarizedActivitiesExport": ['), 'broken.json');
    expect(r.workouts).toEqual([]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ input: 'broken.json' });
    expect(r.errors[0]?.reason).toMatch(/unreadable JSON/);
  });
});

describe('garminFitActivityId', () => {
  it('reads the id from the uploaded file names', () => {
    expect(garminFitActivityId('UploadedFiles_0-_Part1/runner@example.com_12345678901.fit')).toBe('12345678901');
    expect(garminFitActivityId('first_last_2@example.co.uk_987654321.fit')).toBe('987654321');
    expect(garminFitActivityId('20474406937_ACTIVITY.fit')).toBe('20474406937');
    expect(garminFitActivityId('20474406937_activity.FIT')).toBe('20474406937');
    expect(garminFitActivityId('8474917700.fit')).toBe('8474917700');
    expect(garminFitActivityId('8474917700.fit.gz')).toBe('8474917700');
  });

  it('returns null when the name carries no id', () => {
    expect(garminFitActivityId('2019-02-17-062644-ELEMNT-297E-195-0.fit')).toBeNull();
    expect(garminFitActivityId('20170518-191602-1740899583.fit')).toBeNull();
    expect(garminFitActivityId('nick.fit')).toBeNull();
    expect(garminFitActivityId('12345678901.gpx')).toBeNull();
    expect(garminFitActivityId('lap_12.fit')).toBeNull();
  });
});
