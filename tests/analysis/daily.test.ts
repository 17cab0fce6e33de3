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
  loadCoverage,
  localDate,
  monotonyStrain,
  observedDailyLoads,
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

describe('observedDailyLoads and loadCoverage', () => {
  it('makes a recorded day without a workout a rest day and a day without any recording unknown', () => {
    const d = observedDailyLoads(
      [
        { localDate: '2024-03-01', load: 40 },
        { localDate: '2024-03-01', load: 10 },
        { localDate: '2024-03-04', load: 30 },
      ],
      ['2024-03-02', '2024-03-04'],
      '2024-03-01',
      '2024-03-05',
    );
    expect(d).toEqual([
      { date: '2024-03-01', load: 50 },
      { date: '2024-03-02', load: 0 },
      { date: '2024-03-03', load: null },
      { date: '2024-03-04', load: 30 },
      { date: '2024-03-05', load: null },
    ]);
  });

  it('counts the known days of each window, days before the series as unknown', () => {
    expect(loadCoverage([10, null, 0, 5], 2)).toEqual([0.5, 0.5, 0.5, 1]);
    expect(loadCoverage([], 28)).toEqual([]);
  });
});

describe('ACWR', () => {
  // 28 days at 10, then 7 days at 30 (a spike).
  const loads = [...new Array<number>(28).fill(10), ...new Array<number>(7).fill(30)];

  it('is null until 28 days of history, then 1 for a steady load', () => {
    const r = acwrRolling(loads);
    expect(r[26]).toEqual({ acute: null, chronic: null, ratio: null });
    expect(r[27]).toEqual({ acute: 10, chronic: 10, ratio: 1 });
    const e = acwrEwma(loads);
    expect(e[26]).toEqual({ acute: null, chronic: null, ratio: null });
    expect(e[27]).toEqual({ acute: 10, chronic: 10, ratio: 1 });
  });

  it('rolling: the spike is "optimal" on day 1 and 2.0 after a week', () => {
    const r = acwrRolling(loads);
    // day 28: acute (6 × 10 + 30)/7 = 12.857; chronic (27 × 10 + 30)/28 = 10.714; ratio 1.2
    expect(r[28]!.ratio).toBeCloseTo(1.2, 10);
    expect(acwrBand(r[28]!.ratio)).toBe('optimal');
    // day 34: acute 30; chronic (21 × 10 + 7 × 30)/28 = 15; ratio 2
    expect(r[34]).toEqual({ acute: 30, chronic: 15, ratio: 2 });
  });

  it('rolling: leaves unknown days out of both means, and needs 75 % of each window', () => {
    // One unknown day in the last week: acute = mean of the 6 known (5 × 10 + 30)/6; chronic (26 × 10 + 30)/27.
    const r = acwrRolling([...new Array<number>(27).fill(10), null, 30]);
    expect(r[28]!.acute).toBeCloseTo((5 * 10 + 30) / 6, 12);
    expect(r[28]!.chronic).toBeCloseTo((26 * 10 + 30) / 27, 12);
    // Two unknown days of seven: 5 known < 6 (75 % of 7, rounded up) → no acute mean, no ratio.
    expect(acwrRolling([...new Array<number>(26).fill(10), null, null, 30])[28]).toEqual({ acute: null, chronic: (25 * 10 + 30) / 26, ratio: null });
  });

  it('EWMA: starts from the first window\'s means and flags the spike on its first day (Williams et al.)', () => {
    const e = acwrEwma(loads);
    // λa = 2/8 = 0.25, λc = 2/29. Day 27: a = c = 10 (the window means).
    // day 28: a = 0.25 × 30 + 0.75 × 10 = 15; c = (2/29) × 30 + (27/29) × 10 = 11.37931; ratio 1.31818
    expect(e[28]!.acute).toBeCloseTo(15, 12);
    expect(e[28]!.chronic).toBeCloseTo(11.37931, 5);
    expect(e[28]!.ratio).toBeCloseTo(1.31818, 5);
    expect(acwrBand(e[28]!.ratio)).toBe('caution');
    // day 34: a = 30 − 20 × 0.75^7 = 27.330322; c = 30 − 20 × (27/29)^7 = 17.871967; ratio 1.529229
    expect(e[34]!.acute).toBeCloseTo(27.330322, 5);
    expect(e[34]!.chronic).toBeCloseTo(17.871967, 5);
    expect(e[34]!.ratio).toBeCloseTo(1.529229, 5);
    expect(acwrBand(e[34]!.ratio)).toBe('high');
    expect(e[0]).toEqual({ acute: null, chronic: null, ratio: null });
  });

  it('EWMA: a steady week (six days at 60, one rest day) reads 1 on the first reported day, not 1.16', () => {
    const week = [60, 60, 60, 60, 60, 60, 0];
    const steady = Array.from({ length: 84 }, (_, i) => week[i % 7]!);
    const e = acwrEwma(steady);
    // day 27 closes four whole weeks: both window means are 360/7 = 51.428571
    expect(e[27]!.acute).toBeCloseTo(360 / 7, 10);
    expect(e[27]!.ratio).toBeCloseTo(1, 12);
    // day 28 (a training day): a = 0.25 × 60 + 0.75 × 51.428571 = 53.571429; c = (2/29) × 60 + (27/29) × 51.428571 = 52.019704
    expect(e[28]!.ratio).toBeCloseTo(53.571429 / 52.019704, 6);
    // From the first week on it follows the weekly rhythm it settles into (days 77..83, 0.86 after the rest day to
    // 1.07), within 0.015; started from 0 it read 0.94 on day 34 where that rhythm is at 0.86.
    for (let i = 34; i < 77; i++) expect(Math.abs(e[i]!.ratio! - e[77 + ((i - 77) % 7 + 7) % 7]!.ratio!)).toBeLessThan(0.015);
  });

  it('EWMA: holds through an unknown day, drops out when coverage falls below 75 %, and starts again from the means', () => {
    const series: (number | null)[] = [...new Array<number>(28).fill(10), null, 30];
    const e = acwrEwma(series);
    // day 28 unknown: unchanged at 10/10; day 29: a = 0.25 × 30 + 0.75 × 10 = 15, c = 10 + (2/29) × 20 = 11.37931
    expect(e[28]).toEqual({ acute: 10, chronic: 10, ratio: 1 });
    expect(e[29]!.acute).toBeCloseTo(15, 12);
    expect(e[29]!.chronic).toBeCloseTo(11.37931, 5);
    // Two unknown days in a week: not reported from day 29 (5 of 7 known) to day 34; on day 35 six of seven are
    // known again and both averages restart from the window means: acute 20, chronic (20 × 10 + 6 × 20)/26.
    const g = acwrEwma([...new Array<number>(28).fill(10), null, null, ...new Array<number>(6).fill(20)]);
    expect(g[28]!.ratio).toBe(1);
    expect(g.slice(29, 35).every((p) => p.ratio === null)).toBe(true);
    expect(g[35]!.acute).toBe(20);
    expect(g[35]!.chronic).toBeCloseTo(320 / 26, 12);
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
  it('starts CTL and ATL from the first 42 days\' means, not from 0', () => {
    const f = fitnessFatigue(new Array<number>(45).fill(50));
    expect(f[40]).toEqual({ ctl: null, atl: null, tsb: null });
    expect(f[41]).toEqual({ ctl: 50, atl: 50, tsb: null });
    expect(f[42]).toEqual({ ctl: 50, atl: 50, tsb: 0 });
  });

  it('makes TSB negative the day after a hard day, not on it (Coggan: X += (load − X)/N)', () => {
    const f = fitnessFatigue([...new Array<number>(42).fill(50), 100, 0]);
    // day 42: TSB = 50 − 50 = 0; CTL = 50 + 50/42 = 51.190476; ATL = 50 + 50/7 = 57.142857
    expect(f[42]!.tsb).toBe(0);
    expect(f[42]!.ctl).toBeCloseTo(51.190476, 6);
    expect(f[42]!.atl).toBeCloseTo(57.142857, 6);
    // day 43: TSB = 51.190476 − 57.142857 = −5.952381; CTL = 51.190476 × 41/42 = 49.971655; ATL = 57.142857 × 6/7 = 48.979592
    expect(f[43]!.tsb).toBeCloseTo(-5.952381, 6);
    expect(f[43]!.ctl).toBeCloseTo(49.971655, 6);
    expect(f[43]!.atl).toBeCloseTo(48.979592, 6);
  });

  it('makes TSB positive in a taper', () => {
    // from CTL = ATL = 50, rest days: TSB after n rest days = 50((41/42)^n − (6/7)^n); n = 7: 50(0.844777 − 0.339917) = 25.2430
    const f = fitnessFatigue([...new Array<number>(42).fill(50), ...new Array<number>(8).fill(0)]);
    expect(f[49]!.tsb).toBeCloseTo(25.243, 3);
    expect(f.slice(42).every((d) => d.tsb! >= 0)).toBe(true);
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

  it('is null for identical days (SD 0), all zeros, a week with an unknown day and empty input', () => {
    expect(monotonyStrain(new Array<number>(7).fill(0.1))[6]).toEqual({ weeklyLoad: expect.closeTo(0.7, 10), monotony: null, strain: null });
    expect(monotonyStrain(new Array<number>(7).fill(0))[6]).toEqual({ weeklyLoad: 0, monotony: null, strain: null });
    expect(monotonyStrain([10, 20, 30, null, 50, 60, 70])[6]).toEqual({ weeklyLoad: null, monotony: null, strain: null });
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

  it('counts days since the last rest day, null until one is seen and after an unknown day', () => {
    expect(daysSinceRest([50, 0, 30, 40, 0, 10])).toEqual([null, 0, 1, 2, 0, 1]);
    expect(daysSinceRest([50, 60, 70])).toEqual([null, null, null]);
    // An unknown day may have been a rest day: unknown until the next known one.
    expect(daysSinceRest([0, 30, null, 40, 0, 10])).toEqual([0, 1, null, null, 0, 1]);
    expect(daysSinceRest([50, 0, 30, 40, 0, 10], 15)).toEqual([null, 0, 1, 2, 0, 0]);
    expect(daysSinceRest([])).toEqual([]);
  });
});
