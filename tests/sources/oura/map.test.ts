import { describe, expect, it } from 'vitest';
import { emptyResult, type ParseResult } from '../../../lib/core/models.ts';
import { mapOuraDaily, mapOuraSleep, mapOuraWorkout, type OuraItem } from '../../../lib/sources/oura/map.ts';
import { ouraSleep } from '../../fakes/oura.ts';

const CTX = { source: 'oura' };

function items(records: Record<string, unknown>[]): OuraItem[] {
  return records.map((record, i) => ({ record, input: 'night.json', label: `sleep[${i}]`, raw: { id: record.id } }));
}

function sleep(records: Record<string, unknown>[]): ParseResult {
  const out = emptyResult();
  mapOuraSleep(items(records), CTX, out);
  return out;
}

function hrvByDay(r: ParseResult): Record<string, number> {
  return Object.fromEntries(r.biometrics.filter((b) => b.metric_type === 'hrv_rmssd').map((b) => [b.date, b.value]));
}

describe('the day\'s main sleep period', () => {
  it('is the longest long_sleep, else the longest sleep; naps and rest never count', () => {
    const r = sleep([
      ouraSleep('a', '2024-03-01', { average_hrv: 40, total_sleep_duration: 14_000 }),
      ouraSleep('b', '2024-03-01', { average_hrv: 50, total_sleep_duration: 16_000 }),
      ouraSleep('c', '2024-03-01', { type: 'sleep', average_hrv: 60, total_sleep_duration: 20_000 }),
      ouraSleep('d', '2024-03-02', { type: 'sleep', average_hrv: 31, total_sleep_duration: 3_000 }),
      ouraSleep('e', '2024-03-02', { type: 'sleep', average_hrv: 32, total_sleep_duration: 9_000 }),
      ouraSleep('f', '2024-03-02', { type: 'late_nap', average_hrv: 90, total_sleep_duration: 10_000 }),
      ouraSleep('g', '2024-03-03', { type: 'rest', average_hrv: 70 }),
      ouraSleep('h', '2024-03-04', { type: 'deleted', average_hrv: 71 }),
      ouraSleep('i', '2024-03-05', { type: undefined, average_hrv: 44 }),
    ]);
    expect(r.errors).toEqual([]);
    expect(hrvByDay(r)).toEqual({ '2024-03-01': 50, '2024-03-02': 32, '2024-03-05': 44 });
    // Every metric of a day comes from its one main period.
    expect(r.biometrics.filter((b) => b.date === '2024-03-02').map((b) => b.raw_data)).toEqual(Array(10).fill({ id: 'e' }));
  });

  it('maps respiratory rate and dates each reading at the period\'s end', () => {
    const r = sleep([ouraSleep('a', '2024-03-01', { average_breath: 15.5 })]);
    const breath = r.biometrics.find((b) => b.metric_type === 'respiratory_rate')!;
    expect(breath).toMatchObject({ date: '2024-03-01', value: 15.5, unit: 'rpm', source: 'oura', input: 'night.json' });
    expect(breath.time).toEqual(new Date('2024-03-01T04:47:52Z'));
  });

  it('a bad value costs only its own metric; a bad type or day leaves its period out, reported', () => {
    const r = sleep([
      ouraSleep('a', '2024-03-01', { average_hrv: 'high', bedtime_end: '2024-03-01 06:47' }),
      ouraSleep('b', '2024-03-02', { type: 7 }),
      { ...ouraSleep('c', '2024-03-03'), day: '03/03/2024' },
    ]);
    expect(r.errors).toEqual([
      { input: 'night.json', record: 'sleep[0]', field: 'bedtime_end', reason: 'not an ISO 8601 date-time with an offset (got "2024-03-01 06:47")' },
      { input: 'night.json', record: 'sleep[0]', field: 'average_hrv', reason: 'not a number (got "high")' },
      { input: 'night.json', record: 'sleep[1]', field: 'type', reason: 'not a text (got 7)' },
      { input: 'night.json', record: 'sleep[2]', field: 'day', reason: 'not a YYYY-MM-DD day (got "03/03/2024")' },
    ]);
    expect(r.biometrics.map((b) => b.date)).toEqual(Array(9).fill('2024-03-01'));
    expect(r.biometrics.every((b) => b.time === null)).toBe(true);
  });
});

describe('daily collections and workouts', () => {
  it('a daily reading keeps its value when its timestamp is unreadable', () => {
    const out = emptyResult();
    mapOuraDaily('daily_readiness', { record: { id: 'r', day: '2024-03-01', score: 70, timestamp: 'noon' }, input: 'r.csv', label: 'row 1', raw: null }, CTX, out);
    expect(out.biometrics).toEqual([expect.objectContaining({ date: '2024-03-01', metric_type: 'readiness_score', value: 70, time: null })]);
    expect(out.errors).toEqual([{ input: 'r.csv', record: 'row 1', field: 'timestamp', reason: 'not an ISO 8601 date-time with an offset (got "noon")' }]);
  });

  it('a workout with bad fields is refused whole, each field named', () => {
    const out = emptyResult();
    const record = { id: '', activity: 'running', calories: -5, start_datetime: '2024-03-01T08:00:00+01:00', end_datetime: '2024-03-01T09:00:00+01:00' };
    mapOuraWorkout({ record, input: 'w.json', label: 'workout[0]', raw: null }, CTX, out);
    expect(out.workouts).toEqual([]);
    expect(out.errors.map((e) => e.field)).toEqual(['id', 'calories']);
  });

  it('a workout ending before it starts is refused by the canonical model', () => {
    const out = emptyResult();
    const record = { id: 'w1', activity: 'walking', start_datetime: '2024-03-01T09:00:00+01:00', end_datetime: '2024-03-01T08:00:00+01:00' };
    mapOuraWorkout({ record, input: 'w.json', label: 'workout[0]', raw: null }, CTX, out);
    expect(out.workouts).toEqual([]);
    expect(out.errors).toEqual([expect.objectContaining({ record: 'workout[0]', reason: expect.stringContaining('end_time is before start_time') })]);
  });
});
