import { describe, expect, it } from 'vitest';
import { parseWhoopCsv } from '../../../lib/sources/whoop/export.ts';
import type { BiometricReadingInput } from '../../../lib/core/models.ts';

const CYCLE_COLS =
  'Cycle start time,Cycle end time,Cycle timezone,Recovery score %,Resting heart rate (bpm),Heart rate variability (ms),Skin temp (celsius),Blood oxygen %,Day Strain,Energy burned (cal),Max HR (bpm),Average HR (bpm),Sleep onset,Wake onset,Sleep performance %,Respiratory rate (rpm),Asleep duration (min),In bed duration (min),Light sleep duration (min),Deep (SWS) duration (min),REM duration (min),Awake duration (min),Sleep need (min),Sleep debt (min),Sleep efficiency %,Sleep consistency %';

const CYCLES = [
  CYCLE_COLS,
  // Travelling at UTC-04:00: the cycle starts at sleep onset on the 4th; its sleep ends on the 5th.
  '2024-03-04 23:05:00,2024-03-05 22:40:00,UTC-04:00,67,52,61.5,33.41,96.2,12.8,2450,171,68,2024-03-04 23:05:00,2024-03-05 06:50:00,88,15.2,400,460,200,100,100,60,480,20,87,80',
  // UTC+10:00: wakes 05:30 local on the 7th, which is still the 6th in UTC. The current cycle: no end.
  '2024-03-06 22:00:00,,UTC+10:00,81,49,70,,,4.2,,,,2024-03-06 22:00:00,2024-03-07 05:30:00,92,14.8,420,450,210,110,100,30,,,93,',
  // A strain line with no sleep: on the day the cycle is named for (start + 12 h), not its start day.
  '2024-03-07 23:30:00,2024-03-08 23:10:00,UTC+10:00,,,,,,9.9,,,,,,,,,,,,,,,,,',
  // Non-numeric HRV: an error for this cell, the rest of the row kept.
  '2024-03-09 23:00:00,2024-03-10 23:00:00,UTC+10:00,55,50,n/a,,,,,,,,2024-03-10 06:00:00,,,,,,,,,,,,',
].join('\n');

function values(list: BiometricReadingInput[], date: string): Record<string, number> {
  return Object.fromEntries(list.filter((b) => b.date === date).map((b) => [b.metric_type, b.value]));
}

describe('parseWhoopCsv: physiological_cycles.csv', () => {
  it('gives recovery metrics at the local waking and day strain on the day the cycle is named for', () => {
    const r = parseWhoopCsv(CYCLES, 'whoop/physiological_cycles.csv');
    expect(values(r.biometrics, '2024-03-05')).toEqual({
      recovery_score: 67, resting_hr: 52, hrv_rmssd: 61.5, skin_temp: 33.41, spo2: 96.2, day_strain: 12.8,
    });
    expect(values(r.biometrics, '2024-03-07')).toEqual({ recovery_score: 81, resting_hr: 49, hrv_rmssd: 70, day_strain: 4.2 });
    expect(values(r.biometrics, '2024-03-08')).toEqual({ day_strain: 9.9 });
    expect(values(r.biometrics, '2024-03-10')).toEqual({ recovery_score: 55, resting_hr: 50 });
    const wake = r.biometrics.find((b) => b.date === '2024-03-07')!;
    expect(wake.time).toEqual(new Date('2024-03-06T19:30:00Z'));
    expect(wake).toMatchObject({ source: 'whoop', unit: 'score', input: 'whoop/physiological_cycles.csv' });
    expect(r.biometrics.find((b) => b.metric_type === 'hrv_rmssd')!.unit).toBe('ms');
    // A cycle's strain is stamped at its start (sleep onset, 23:05 at UTC-04:00).
    expect(r.biometrics.find((b) => b.metric_type === 'day_strain' && b.date === '2024-03-05')!.time).toEqual(new Date('2024-03-05T03:05:00Z'));
    // Sleep columns of the cycles file, respiratory rate included, are left to sleeps.csv.
    expect(r.biometrics.some((b) => b.metric_type.startsWith('sleep_') || b.metric_type === 'respiratory_rate')).toBe(false);
    expect(r.errors).toEqual([
      { input: 'whoop/physiological_cycles.csv', record: 'row 4', field: 'Heart rate variability (ms)', reason: 'not a number (got "n/a")' },
    ]);
  });
});

describe('parseWhoopCsv: sleeps.csv', () => {
  const header =
    'Cycle start time,Cycle end time,Cycle timezone,Sleep onset,Wake onset,Sleep performance %,Respiratory rate (rpm),Asleep duration (min),In bed duration (min),Light sleep duration (min),Deep (SWS) duration (min),REM duration (min),Awake duration (min),Sleep need (min),Sleep debt (min),Sleep efficiency %,Sleep consistency %,Nap';
  const text = [
    header,
    '2024-03-04 07:10:00,2024-03-05 06:55:00,UTC-04:00,2024-03-04 23:05:00,2024-03-05 06:50:00,88,15.2,400.5,460,200,100,100.5,60,480,20,87,80,false',
    '2024-03-04 07:10:00,2024-03-05 06:55:00,UTC-04:00,2024-03-04 14:00:00,2024-03-04 14:40:00,30,15,35,40,20,10,5,5,,,87,,true',
  ].join('\n');

  it('gives nightly durations in seconds and leaves naps out', () => {
    const r = parseWhoopCsv(text, 'sleeps.csv', { source: 'whoop_export' });
    expect(r.errors).toEqual([]);
    expect(values(r.biometrics, '2024-03-05')).toEqual({
      sleep_duration: 24030, sleep_in_bed: 27600, sleep_light: 12000, sleep_deep: 6000, sleep_rem: 6030, sleep_awake: 3600,
      sleep_efficiency: 87, sleep_score: 88, respiratory_rate: 15.2,
    });
    expect(r.biometrics).toHaveLength(9);
    expect(r.biometrics[0]).toMatchObject({ source: 'whoop_export', unit: 's', time: new Date('2024-03-05T10:50:00Z') });
  });
});

describe('parseWhoopCsv: workouts.csv', () => {
  const header =
    'Cycle start time,Cycle end time,Cycle timezone,Workout start time,Workout end time,Duration (min),Activity name,Activity Strain,Energy burned (cal),Max HR (bpm),Average HR (bpm),HR Zone 1 %,HR Zone 2 %,HR Zone 3 %,HR Zone 4 %,HR Zone 5 %,GPS enabled,Distance (meters),Altitude gain (meters),Altitude change (meters)';
  const text = [
    header,
    '2024-03-04 07:10:00,2024-03-05 06:55:00,UTC-04:00,2024-03-05 01:01:00,2024-03-05 01:46:30,45.5,Running,11.2,512,178,149,10,20,40,25,5,true,8012.5,85.2,-3.1',
    '2024-03-06 06:00:00,,UTC+10:00,2024-03-06 17:30:00,,60,Weightlifting,6.1,300,150,110,50,30,20,0,0,false,,,',
    '2024-03-06 06:00:00,,UTC+10:00,yesterday,,60,Cycling,6.1,300,150,110,,,,,,false,,,',
  ].join('\n');

  it('places local times in UTC with the cycle offset and keys workouts by start', () => {
    const r = parseWhoopCsv(text, 'workouts.csv');
    expect(r.workouts).toHaveLength(2);
    const run = r.workouts[0]!;
    expect(run).toMatchObject({
      source: 'whoop', external_id: 'whoop:2024-03-05T05:01:00Z', utc_offset_min: -240, sport: 'running', calories_kcal: 512,
      max_hr: 178, avg_hr: 149, distance_m: 8012.5, elevation_gain_m: 85.2, duration_s: 2730, has_gps: true, training_load: null, name: 'Running',
    });
    expect(run.start_time).toEqual(new Date('2024-03-05T05:01:00Z'));
    expect(run.end_time).toEqual(new Date('2024-03-05T05:46:30Z'));
    expect(run.raw_data).toMatchObject({ strain: 11.2, hr_zone_pct: [10, 20, 40, 25, 5] });
    const lift = r.workouts[1]!;
    expect(lift).toMatchObject({ external_id: 'whoop:2024-03-06T07:30:00Z', utc_offset_min: 600, sport: 'strength_training', duration_s: 3600, distance_m: null });
    expect(lift.end_time).toEqual(new Date('2024-03-06T08:30:00Z'));
    expect(r.errors).toEqual([
      {
        input: 'workouts.csv', record: 'row 3', field: 'Workout start time',
        reason: 'not a date-time of the form YYYY-MM-DD HH:MM:SS (got "yesterday")',
      },
    ]);
  });

  it('recognises the file by header, not by name', () => {
    expect(parseWhoopCsv(text, 'renamed.csv').workouts).toHaveLength(2);
    const journal = parseWhoopCsv('Cycle start time,Cycle end time,Cycle timezone,Question text,Answered yes,Notes\n', 'journal_entries.csv');
    expect(journal).toEqual({ workouts: [], biometrics: [], streams: [], errors: [] });
    const other = parseWhoopCsv('a,b\n1,2\n', 'x.csv');
    expect(other.errors).toEqual([expect.objectContaining({ input: 'x.csv' })]);
  });
});

describe('parseWhoopCsv: rows that cannot be placed or carry artefacts', () => {
  it('keeps a workout with a negative altitude gain, without the gain', () => {
    const text = [
      'Cycle start time,Cycle end time,Cycle timezone,Workout start time,Workout end time,Duration (min),Activity name,Energy burned (cal),Altitude gain (meters)',
      '2024-03-04 23:10:00,,UTC+01:00,2024-03-05 07:00:00,2024-03-05 07:30:00,30,Running,300,-2.5',
    ].join('\n');
    const r = parseWhoopCsv(text, 'workouts.csv');
    expect(r.errors).toEqual([]);
    expect(r.workouts).toEqual([expect.objectContaining({ elevation_gain_m: null, calories_kcal: 300, utc_offset_min: 60 })]);
  });

  it('names the row and column when a sleep has no waking or a cycle no timezone', () => {
    const sleeps = [
      'Cycle start time,Cycle end time,Cycle timezone,Sleep onset,Wake onset,Asleep duration (min),Nap',
      '2024-03-04 23:10:00,,UTC+01:00,2024-03-04 23:10:00,,400,false',
    ].join('\n');
    expect(parseWhoopCsv(sleeps, 'sleeps.csv')).toMatchObject({
      biometrics: [],
      errors: [{ input: 'sleeps.csv', record: 'row 1', field: 'Wake onset', reason: 'no usable Wake onset to date the sleep by (line 2)' }],
    });
    const cycles = ['Cycle start time,Cycle end time,Cycle timezone,Recovery score %,Wake onset', '2024-03-04 23:10:00,,,70,2024-03-05 07:00:00'].join('\n');
    expect(parseWhoopCsv(cycles, 'physiological_cycles.csv')).toMatchObject({
      biometrics: [],
      errors: [{ record: 'row 1', field: 'Cycle timezone', reason: 'no usable Cycle timezone to place the local times in UTC (line 2)' }],
    });
  });
});
