import { describe, expect, it } from 'vitest';
import { addDays } from '../../lib/analysis/daily.ts';
import { hrvStatus, restingHrStatus, rollingMean, sleepSummary } from '../../lib/analysis/recovery.ts';

describe('sleepSummary', () => {
  it('matches the hand-computed summary', () => {
    const s = sleepSummary([
      { date: '2024-02-28', asleepS: 27000, inBedS: 30000 }, // 7.5 h, 27000/30000 = 90 %
      { date: '2024-02-29', asleepS: 21600, inBedS: 24000 }, // 6 h (short), 90 %
      { date: '2024-03-01', asleepS: 28800, inBedS: null, efficiencyPct: 85 }, // 8 h, source's 85 %
    ]);
    expect(s.nights).toBe(3);
    // mean (27000 + 21600 + 28800)/3 = 25800
    expect(s.meanAsleepS).toBe(25800);
    // deviations 1200, −4200, 3000: (1.44e6 + 17.64e6 + 9e6)/2 = 14.04e6; √ = 3746.9988
    expect(s.sdAsleepS).toBeCloseTo(3746.9988, 3);
    // (90 + 90 + 85)/3 = 88.3333
    expect(s.meanEfficiencyPct).toBeCloseTo(88.3333, 3);
    expect(s.shortNights).toBe(1);
    expect(s.perNight.map((n) => n.efficiencyPct)).toEqual([90, 90, 85]);
  });

  it('handles no nights and one night', () => {
    expect(sleepSummary([])).toEqual({
      nights: 0,
      meanAsleepS: null,
      sdAsleepS: null,
      meanEfficiencyPct: null,
      shortNights: 0,
      perNight: [],
    });
    const one = sleepSummary([{ date: '2024-01-01', asleepS: 25200 }]);
    expect(one.meanAsleepS).toBe(25200);
    expect(one.sdAsleepS).toBeNull();
    expect(one.meanEfficiencyPct).toBeNull();
    expect(one.shortNights).toBe(0); // exactly 7 h is not short
  });
});

describe('hrvStatus', () => {
  // 60 days alternating ln RMSSD 4.0 (even days) and 4.2 (odd days), then 7 days at 3.6.
  const days = Array.from({ length: 67 }, (_, i) => ({
    date: addDays('2024-01-01', i),
    rmssd: Math.exp(i >= 60 ? 3.6 : i % 2 ? 4.2 : 4.0),
  }));
  const h = hrvStatus(days);

  it('has no baseline until 14 values before the 7-day window', () => {
    expect(h).toHaveLength(67);
    // day 12: 7-day mean of days 6..12 = (3 × 4.2 + 4 × 4.0)/7 = 4.085714; the baseline (days before day 6) has 6 values
    expect(h[12]!.lnRmssd7).toBeCloseTo(4.085714, 6);
    expect(h[12]!.baseline).toBeNull();
    expect(h[12]!.status).toBeNull();
    // day 20: baseline days 0..13, 14 values, mean 4.1
    expect(h[19]!.baseline).toBeNull();
    expect(h[20]!.baseline).toBeCloseTo(4.1, 10);
  });

  it('is normal on a steady baseline', () => {
    const d = h[59]!; // 2024-02-29
    expect(d.date).toBe('2024-02-29');
    // days 53..59: 4 odd (4.2) + 3 even (4.0) → 28.8/7 = 4.114286
    expect(d.lnRmssd7).toBeCloseTo(4.114286, 6);
    // baseline days 0..52: 26 odd, 27 even → (26 × 4.2 + 27 × 4.0)/53 = 4.098113
    expect(d.baseline).toBeCloseTo(4.098113, 6);
    // sample SD: 26 × 0.101887² + 27 × 0.098113² = 0.529811; /52 → 0.100939; range ∓ 0.050470
    expect(d.lower).toBeCloseTo(4.047644, 5);
    expect(d.upper).toBeCloseTo(4.148583, 5);
    expect(d.status).toBe('normal');
  });

  it('is below after a week of suppressed HRV, against a baseline that leaves that week out (Plews et al.)', () => {
    const d = h[66]!;
    expect(d.date).toBe('2024-03-07');
    expect(d.lnRmssd7).toBeCloseTo(3.6, 10);
    // baseline days 0..59 only (the suppressed days 60..66 are the window): 4.1 ± 0.5 × 0.100844
    expect(d.baseline).toBeCloseTo(4.1, 10);
    expect(d.lower).toBeCloseTo(4.049578, 6);
    expect(d.status).toBe('below');
    // Three suppressed days in the window (mean (2 × 4.0 + 2 × 4.2 + 3 × 3.6)/7 = 3.885714) already read below;
    // the baseline, days 0..55 (28 of each), stays 4.1.
    expect(h[62]!.lnRmssd7).toBeCloseTo(3.885714, 6);
    expect(h[62]!.baseline).toBeCloseTo(4.1, 10);
    expect(h[62]!.status).toBe('below');
  });

  it('fills missing days, ignores bad values and needs 3 values a week', () => {
    const sparse = hrvStatus([
      { date: '2024-02-28', rmssd: 50 },
      { date: '2024-03-01', rmssd: 0 },
      { date: '2024-03-02', rmssd: 60 },
    ]);
    expect(sparse.map((d) => d.date)).toEqual(['2024-02-28', '2024-02-29', '2024-03-01', '2024-03-02']);
    expect(sparse[0]!.lnRmssd).toBeCloseTo(Math.log(50), 12);
    expect(sparse[1]!.lnRmssd).toBeNull();
    expect(sparse[2]!.lnRmssd).toBeNull();
    expect(sparse[3]!.lnRmssd7).toBeNull(); // only 2 values in the week
    expect(hrvStatus([])).toEqual([]);
  });
});

describe('restingHrStatus', () => {
  // 20 days at 50 bpm, then 56 (elevated: > 50 + 5), then 55 (not above 55).
  const days = [
    ...Array.from({ length: 20 }, (_, i) => ({ date: addDays('2024-02-10', i), restingHr: 50 })),
    { date: '2024-03-01', restingHr: 56 },
    { date: '2024-03-02', restingHr: 55 },
  ];
  const r = restingHrStatus(days);

  it('needs 14 earlier values for a baseline', () => {
    expect(r[13]!.baseline).toBeNull();
    expect(r[13]!.status).toBeNull();
    expect(r[14]).toEqual({ date: '2024-02-24', restingHr: 50, baseline: 50, threshold: 55, status: 'normal' });
  });

  it('flags a value above baseline + 5 bpm, from the days before', () => {
    expect(r[20]).toEqual({ date: '2024-03-01', restingHr: 56, baseline: 50, threshold: 55, status: 'elevated' });
    // baseline now includes the 56: (20 × 50 + 56)/21 = 50.285714; threshold 55.285714; 55 is normal
    expect(r[21]!.baseline).toBeCloseTo(50.285714, 6);
    expect(r[21]!.status).toBe('normal');
  });

  it('is empty for no days and null for a day without a value', () => {
    expect(restingHrStatus([])).toEqual([]);
    const gap = restingHrStatus([
      { date: '2024-01-01', restingHr: 50 },
      { date: '2024-01-03', restingHr: null },
    ]);
    expect(gap.map((d) => [d.date, d.restingHr, d.status])).toEqual([
      ['2024-01-01', 50, null],
      ['2024-01-02', null, null],
      ['2024-01-03', null, null],
    ]);
  });
});

describe('rollingMean', () => {
  it('averages the recorded values of the 7 days ending each day, from 4 of them', () => {
    // Nights 1..5 at 6, 8, 6, 8, 6 h; night 6 missing; night 7 at 8 h.
    const nights = [1, 2, 3, 4, 5, 7].map((d, i) => ({ date: `2024-01-0${d}`, value: [6, 8, 6, 8, 6, 8][i]! }));
    // 01-04: (6 + 8 + 6 + 8)/4 = 7; 01-05: 34/5 = 6.8; 01-07: (34 + 8)/6 = 7; 01-01..03 have fewer than 4.
    expect(rollingMean(nights, 7, 4)).toEqual([
      { date: '2024-01-04', value: 7 },
      { date: '2024-01-05', value: 6.8 },
      { date: '2024-01-07', value: 7 },
    ]);
    expect(rollingMean([], 7, 4)).toEqual([]);
  });
});
