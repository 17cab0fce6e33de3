import { afterEach, describe, expect, it } from 'vitest';
import {
  acwrBand,
  acwrEwma,
  acwrRolling,
  addDays,
  dailyLoads,
  daysSinceRest,
  fitnessFatigue,
  isoWeekStart,
  localDate,
  monotonyStrain,
  weekOverWeekChange,
  weeklyVolume,
} from '../../lib/analysis/daily.ts';

describe('local dates', () => {
  const tz = process.env.TZ;
  afterEach(() => {
    process.env.TZ = tz;
  });

  it('puts an instant on the local day given its offset', () => {
    // 20:00Z + 10 h = 06:00 next day; 03:00Z − 5 h = 22:00 the day before
    expect(localDate(new Date('2024-02-28T20:00:00Z'), 600)).toBe('2024-02-29');
    expect(localDate(new Date('2024-03-01T03:00:00Z'), -300)).toBe('2024-02-29');
    expect(localDate(new Date('2023-12-31T23:30:00Z'), 60)).toBe('2024-01-01');
  });

  it('steps across month ends, leap days and year ends', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-02-29', 1)).toBe('2024-03-01');
    expect(addDays('2023-02-28', 1)).toBe('2023-03-01');
    expect(addDays('2024-01-01', -1)).toBe('2023-12-31');
  });

  it('finds the ISO week Monday', () => {
    expect(isoWeekStart('2024-03-03')).toBe('2024-02-26'); // Sunday
    expect(isoWeekStart('2024-02-26')).toBe('2024-02-26'); // Monday
    expect(isoWeekStart('2021-01-01')).toBe('2020-12-28'); // Friday, ISO week 2020-W53
  });

  it('gives the same days in every process time zone', () => {
    const run = () => [
      dailyLoads([{ localDate: '2024-02-29', load: 5 }], '2024-02-27', '2024-03-02'),
      localDate(new Date('2024-02-28T20:00:00Z'), 600),
      isoWeekStart('2024-03-03'),
    ];
    const results = ['Pacific/Kiritimati', 'America/Los_Angeles', 'UTC', 'Australia/Brisbane'].map((zone) => {
      process.env.TZ = zone;
      return run();
    });
    for (const r of results) expect(r).toEqual(results[0]);
  });
});

describe('dailyLoads', () => {
  it('sums per day and fills rest days with 0 across the leap day', () => {
    const days = dailyLoads(
      [
        { localDate: '2024-02-29', load: 50 },
        { localDate: '2024-02-29', load: 30 },
        { localDate: '2024-03-01', load: 20 },
        { localDate: '2024-02-26', load: 99 }, // before the range: ignored
      ],
      '2024-02-27',
      '2024-03-02',
    );
    expect(days).toEqual([
      { date: '2024-02-27', load: 0 },
      { date: '2024-02-28', load: 0 },
      { date: '2024-02-29', load: 80 },
      { date: '2024-03-01', load: 20 },
      { date: '2024-03-02', load: 0 },
    ]);
  });

  it('crosses a year end and handles one day and empty ranges', () => {
    expect(dailyLoads([], '2023-12-30', '2024-01-02').map((d) => d.date)).toEqual([
      '2023-12-30',
      '2023-12-31',
      '2024-01-01',
      '2024-01-02',
    ]);
    expect(dailyLoads([{ localDate: '2024-05-05', load: 7 }], '2024-05-05', '2024-05-05')).toEqual([{ date: '2024-05-05', load: 7 }]);
    expect(dailyLoads([], '2024-05-05', '2024-05-04')).toEqual([]);
  });

  it('names the bad record and field', () => {
    expect(() => dailyLoads([{ localDate: '2023-02-29', load: 1 }], '2023-02-01', '2023-03-01')).toThrow(
      'workouts[0].localDate: "2023-02-29" is not a valid YYYY-MM-DD date',
    );
    expect(() => dailyLoads([{ localDate: '2023-02-01', load: Number.NaN }], '2023-02-01', '2023-03-01')).toThrow('workouts[0].load');
    expect(() => dailyLoads([], '2023-2-1', '2023-03-01')).toThrow('from: "2023-2-1"');
  });
});

describe('ACWR', () => {
  // 28 days at 10, then 7 days at 30 (a spike).
  const loads = [...new Array<number>(28).fill(10), ...new Array<number>(7).fill(30)];

  it('is null until 28 days of history, then 1 for a steady load', () => {
    const r = acwrRolling(loads);
    expect(r[26]).toEqual({ acute: null, chronic: null, ratio: null });
    expect(r[27]).toEqual({ acute: 10, chronic: 10, ratio: 1 });
  });

  it('rolling: the spike is "optimal" on day 1 and 2.0 after a week', () => {
    const r = acwrRolling(loads);
    // day 28: acute (6 × 10 + 30)/7 = 12.857; chronic (27 × 10 + 30)/28 = 10.714; ratio 1.2
    expect(r[28]!.ratio).toBeCloseTo(1.2, 10);
    expect(acwrBand(r[28]!.ratio)).toBe('optimal');
    // day 34: acute 30; chronic (21 × 10 + 7 × 30)/28 = 15; ratio 2
    expect(r[34]).toEqual({ acute: 30, chronic: 15, ratio: 2 });
  });

  it('EWMA: flags the spike on its first day', () => {
    const e = acwrEwma(loads);
    // from 0, a constant L for n days gives L(1 − (1 − λ)^n); λa = 0.25, λc = 2/29
    // day 27: a = 10(1 − 0.75^28) = 9.99683; c = 10(1 − (27/29)^28) = 8.64774
    // day 28: a = 0.25 × 30 + 0.75 × 9.99683 = 14.99762; c = (2/29) × 30 + (27/29) × 8.64774 = 10.12036; ratio 1.48192
    expect(e[28]!.acute).toBeCloseTo(14.99762, 4);
    expect(e[28]!.chronic).toBeCloseTo(10.12036, 4);
    expect(e[28]!.ratio).toBeCloseTo(1.48192, 4);
    expect(acwrBand(e[28]!.ratio)).toBe('caution');
    // day 34: a = 30 − (30 − 9.99683) × 0.75^7 = 27.32990; c = 30 − (30 − 8.64774) × (27/29)^7 = 17.05199; ratio 1.60274
    expect(e[34]!.ratio).toBeCloseTo(1.60274, 4);
    expect(acwrBand(e[34]!.ratio)).toBe('high');
    expect(e[0]).toEqual({ acute: null, chronic: null, ratio: null });
  });

  it('has a null ratio on zero chronic load and for empty input', () => {
    expect(acwrRolling(new Array<number>(28).fill(0))[27]).toEqual({ acute: 0, chronic: 0, ratio: null });
    expect(acwrEwma(new Array<number>(28).fill(0))[27]!.ratio).toBeNull();
    expect(acwrRolling([])).toEqual([]);
    expect(acwrEwma([5])).toEqual([{ acute: null, chronic: null, ratio: null }]);
  });

  it('bands ratios at 0.8, 1.3 and 1.5', () => {
    expect([0.79, 0.8, 1.3, 1.31, 1.5, 1.51].map(acwrBand)).toEqual(['low', 'optimal', 'optimal', 'caution', 'caution', 'high']);
    expect(acwrBand(null)).toBeNull();
  });
});

describe('fitnessFatigue', () => {
  it('makes TSB negative the day after a hard day, not on it', () => {
    const f = fitnessFatigue([100, 0, 0]);
    // day 0: TSB = 0 − 0 = 0; CTL = 100/42 = 2.380952; ATL = 100/7 = 14.285714
    expect(f[0]!.tsb).toBe(0);
    expect(f[0]!.ctl).toBeCloseTo(2.380952, 6);
    expect(f[0]!.atl).toBeCloseTo(14.285714, 6);
    // day 1: TSB = 2.380952 − 14.285714 = −11.904762; CTL = 2.380952 × 41/42 = 2.324263; ATL = 14.285714 × 6/7 = 12.244898
    expect(f[1]!.tsb).toBeCloseTo(-11.904762, 6);
    expect(f[1]!.ctl).toBeCloseTo(2.324263, 6);
    expect(f[1]!.atl).toBeCloseTo(12.244898, 6);
    // day 2: TSB = 2.324263 − 12.244898 = −9.920635
    expect(f[2]!.tsb).toBeCloseTo(-9.920635, 6);
  });

  it('makes TSB positive in a taper', () => {
    // from CTL = ATL = 50, rest days: TSB on day n = 50((41/42)^n − (6/7)^n); day 7: 50(0.844777 − 0.339917) = 25.2430
    const f = fitnessFatigue(new Array<number>(8).fill(0), 42, 7, { ctl: 50, atl: 50 });
    expect(f[0]!.tsb).toBe(0);
    expect(f[7]!.tsb).toBeCloseTo(25.243, 3);
    expect(f.every((d) => d.tsb >= 0)).toBe(true);
    expect(fitnessFatigue([])).toEqual([]);
  });
});

describe('monotonyStrain', () => {
  it('matches the hand-computed week', () => {
    // 10..70: sum 280, mean 40, population SD √((30² + 20² + 10²) × 2 / 7) = √400 = 20; monotony 2, strain 560
    const m = monotonyStrain([10, 20, 30, 40, 50, 60, 70]);
    expect(m.slice(0, 6).every((d) => d.weeklyLoad === null && d.monotony === null)).toBe(true);
    expect(m[6]!.weeklyLoad).toBe(280);
    expect(m[6]!.monotony).toBeCloseTo(2, 10);
    expect(m[6]!.strain).toBeCloseTo(560, 8);
  });

  it('is null for identical days (SD 0), all zeros and empty input', () => {
    expect(monotonyStrain(new Array<number>(7).fill(0.1))[6]).toEqual({ weeklyLoad: expect.closeTo(0.7, 10), monotony: null, strain: null });
    expect(monotonyStrain(new Array<number>(7).fill(0))[6]).toEqual({ weeklyLoad: 0, monotony: null, strain: null });
    expect(monotonyStrain([])).toEqual([]);
  });
});

describe('weekly helpers', () => {
  it('sums volume per ISO week and category', () => {
    const v = weeklyVolume([
      { localDate: '2024-02-26', sport_category: 'ENDURANCE', durationS: 3600, distanceM: 10000, load: 60 },
      { localDate: '2024-03-03', sport_category: 'ENDURANCE', durationS: 1800, distanceM: null, load: 30 },
      { localDate: '2024-02-29', sport_category: 'STRENGTH', durationS: 2700, distanceM: null, load: null },
      { localDate: '2024-03-04', sport_category: 'ENDURANCE', durationS: 600, distanceM: 2000, load: 10 },
    ]);
    expect(v).toEqual([
      { weekStart: '2024-02-26', sport_category: 'ENDURANCE', workouts: 2, durationS: 5400, distanceM: 10000, load: 90 },
      { weekStart: '2024-02-26', sport_category: 'STRENGTH', workouts: 1, durationS: 2700, distanceM: 0, load: 0 },
      { weekStart: '2024-03-04', sport_category: 'ENDURANCE', workouts: 1, durationS: 600, distanceM: 2000, load: 10 },
    ]);
    expect(weeklyVolume([])).toEqual([]);
  });

  it('gives week-over-week change as a fraction', () => {
    // 110/100 − 1 = 0.1; 0/110 − 1 = −1; after a 0 week: null
    const c = weekOverWeekChange([100, 110, 0, 50]);
    expect(c[0]).toBeNull();
    expect(c[1]).toBeCloseTo(0.1, 12);
    expect(c[2]).toBe(-1);
    expect(c[3]).toBeNull();
    expect(weekOverWeekChange([])).toEqual([]);
  });

  it('counts days since the last rest day', () => {
    expect(daysSinceRest([50, 0, 30, 40, 0, 10])).toEqual([null, 0, 1, 2, 0, 1]);
    expect(daysSinceRest([50, 0, 30, 40, 0, 10], 15)).toEqual([null, 0, 1, 2, 0, 0]);
    expect(daysSinceRest([])).toEqual([]);
  });
});
