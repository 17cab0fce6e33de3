import { describe, expect, it } from 'vitest';
import {
  banisterTrimp,
  chooseTrainingLoad,
  edwardsTrimp,
  estimateMaxHr,
  estimateRestingHr,
  normalizedPower,
  powerTss,
  sessionRpe,
} from '../../lib/analysis/load.ts';

/** Epoch-ms times 0, 1000, 2000, ... for n samples at 1 Hz. */
const seconds = (n: number, startS = 0) => Float64Array.from({ length: n }, (_, i) => (startS + i) * 1000);

describe('banisterTrimp', () => {
  it('matches the hand-computed male and female values', () => {
    // HRr = (150 − 50)/(190 − 50) = 0.714286
    // male: 60 × 0.714286 × 0.64 × e^(1.92 × 0.714286 = 1.371429 → 3.940867) = 108.0954
    expect(banisterTrimp(60, 150, 50, 190, 'male')).toBeCloseTo(108.0954, 3);
    // female: 60 × 0.714286 × 0.86 × e^(1.67 × 0.714286 = 1.192857 → 3.296436) = 121.4991
    expect(banisterTrimp(60, 150, 50, 190, 'female')).toBeCloseTo(121.4991, 3);
  });

  it('clamps HRr to 0..1 and rejects max ≤ rest', () => {
    // avg above max: HRr = 1 → 60 × 1 × 0.64 × e^1.92 (6.820958) = 261.9248
    expect(banisterTrimp(60, 200, 50, 190, 'male')).toBeCloseTo(261.9248, 3);
    expect(banisterTrimp(60, 40, 50, 190, 'male')).toBe(0);
    expect(banisterTrimp(60, 150, 190, 190, 'male')).toBeNull();
    expect(banisterTrimp(Number.NaN, 150, 50, 190, 'male')).toBeNull();
  });
});

describe('edwardsTrimp', () => {
  it('weights one minute in each zone 1..5 (HRmax 200)', () => {
    // 60 s each at 110 (55 %, z1), 130 (65 %, z2), 150 (75 %, z3), 170 (85 %, z4), 190 (95 %, z5), 90 (45 %, none)
    // plus a closing sample: 1 + 2 + 3 + 4 + 5 = 15
    const levels = [110, 130, 150, 170, 190, 90];
    const hr = Float64Array.from({ length: 361 }, (_, i) => levels[Math.min(5, Math.floor(i / 60))]!);
    expect(edwardsTrimp(hr, seconds(361), 200)).toBeCloseTo(15, 10);
  });

  it('caps gaps at 10 s, skips NaN and counts above 100 % as zone 5', () => {
    // 180 bpm (90 %, z5) then a 100-s gap: 10 s × 5 = 50 s-weighted
    // NaN for 1 s: nothing; 210 bpm (105 %, z5) for 2 s: 10 s-weighted; total 60/60 = 1
    const hr = Float64Array.from([180, Number.NaN, 210, 210, 100]);
    const t = Float64Array.from([0, 100_000, 101_000, 102_000, 103_000]);
    expect(edwardsTrimp(hr, t, 200)).toBeCloseTo(1, 10);
  });

  it('is 0 for an empty stream or a single sample', () => {
    expect(edwardsTrimp(new Float64Array(0), new Float64Array(0), 190)).toBe(0);
    expect(edwardsTrimp(Float64Array.from([170]), Float64Array.from([0]), 190)).toBe(0);
  });
});

describe('sessionRpe', () => {
  it('is RPE × minutes', () => {
    expect(sessionRpe(7, 60)).toBe(420);
    expect(sessionRpe(0, 45)).toBe(0);
    expect(sessionRpe(11, 60)).toBeNull();
  });
});

describe('powerTss and normalizedPower', () => {
  it('gives 100 for one hour at FTP and 32 for 30 min at IF 0.8', () => {
    expect(powerTss(3600, 250, 250)).toBeCloseTo(100, 10);
    // IF = 200/250 = 0.8; (1800 × 200 × 0.8)/(250 × 3600) × 100 = 288000/900000 × 100 = 32
    expect(powerTss(1800, 200, 250)).toBeCloseTo(32, 10);
    expect(powerTss(3600, 250, 0)).toBeNull();
  });

  it('is the constant for constant power, also sampled at 2 Hz', () => {
    const t = Float64Array.from({ length: 240 }, (_, i) => i * 500);
    expect(normalizedPower(new Float64Array(240).fill(200), t)).toBeCloseTo(200, 10);
  });

  it('matches the hand-computed value for a 0 → 300 W step', () => {
    // 30 s at 0 W then 30 s at 300 W; the 30-s mean ending at second j (29..59) is 10·(j − 29),
    // so NP⁴ = 10⁴ × Σ_{m=0..30} m⁴ / 31 = 10⁴ × 5 273 999 / 31 = 10⁴ × 170 129; NP = 10 × 170129^¼ = 203.0928
    const p = Float64Array.from({ length: 60 }, (_, i) => (i < 30 ? 0 : 300));
    expect(normalizedPower(p, seconds(60))).toBeCloseTo(203.0928, 3);
  });

  it('leaves a pause out and holds the last value over NaN', () => {
    // Same step with a 600-s pause between the halves; with maxGapS = 1 nothing is held over the gap.
    const p = Float64Array.from({ length: 60 }, (_, i) => (i < 30 ? 0 : 300));
    const t = Float64Array.from({ length: 60 }, (_, i) => (i < 30 ? i : i + 600) * 1000);
    expect(normalizedPower(p, t, 1)).toBeCloseTo(203.0928, 3);
    // A NaN inside a constant 250 W ride changes nothing.
    const q = new Float64Array(90).fill(250);
    q[40] = Number.NaN;
    expect(normalizedPower(q, seconds(90))).toBeCloseTo(250, 10);
  });

  it('is null with less than 30 s of data', () => {
    expect(normalizedPower(new Float64Array(29).fill(300), seconds(29))).toBeNull();
    expect(normalizedPower(new Float64Array(0), new Float64Array(0))).toBeNull();
  });
});

describe('estimateMaxHr and estimateRestingHr', () => {
  it('takes the 98th percentile of plausible maxima', () => {
    // sorted 150..190; h = 4 × 0.98 = 3.92 → 180 + 0.92 × 10 = 189.2; 250 and 60 are implausible
    expect(estimateMaxHr([190, 150, 170, 160, 180, 250, 60])).toBeCloseTo(189.2, 10);
    expect(estimateMaxHr([])).toBeNull();
  });

  it('takes the 5th percentile of plausible resting values', () => {
    // sorted 50..58 step 2; h = 4 × 0.05 = 0.2 → 50 + 0.2 × 2 = 50.4; 10 is implausible
    expect(estimateRestingHr([58, 50, 54, 52, 56, 10])).toBeCloseTo(50.4, 10);
    expect(estimateRestingHr([Number.NaN])).toBeNull();
  });
});

describe('chooseTrainingLoad', () => {
  const athlete = { restHr: 50, maxHr: 190, sex: 'male' as const, ftpW: 250 };

  it('uses power TSS for a ride with power and FTP', () => {
    const r = chooseTrainingLoad({ durationS: 3600, npW: 250, avgHr: 160, hasPower: true, sport_category: 'ENDURANCE' }, athlete);
    expect(r).toEqual({ value: 100, method: 'power_tss', raw: 100 });
  });

  it('falls back to Banister TRIMP scaled so 1 h at HRr 0.85 is 100', () => {
    // avg = 50 + 0.85 × 140 = 169; raw = 60 × 0.85 × 0.64 × e^(1.92 × 0.85 = 1.632 → 5.114093) = 166.9240
    const r = chooseTrainingLoad(
      { durationS: 3600, npW: 250, avgHr: 169, hasPower: true, sport_category: 'ENDURANCE' },
      { ...athlete, ftpW: null },
    );
    expect(r.method).toBe('banister_trimp');
    expect(r.value).toBeCloseTo(100, 8);
    expect(r.raw).toBeCloseTo(166.924, 3);
  });

  it('falls back to session RPE scaled so 1 h at RPE 7 is 100', () => {
    // 5 × 30 = 150 AU; 150/420 × 100 = 35.7143
    const r = chooseTrainingLoad({ durationS: 1800, rpe: 5, hasPower: false, sport_category: 'STRENGTH' }, athlete);
    expect(r.method).toBe('session_rpe');
    expect(r.raw).toBe(150);
    expect(r.value).toBeCloseTo(35.7143, 3);
  });

  it('estimates from duration and category otherwise', () => {
    // 2 h × 0.75² × 100 = 112.5; 1 h × 0.65² × 100 = 42.25
    const ball = chooseTrainingLoad({ durationS: 7200, hasPower: false, sport_category: 'BALL_SPORT' }, athlete);
    expect(ball.method).toBe('duration_estimate');
    expect(ball.value).toBeCloseTo(112.5, 10);
    expect(chooseTrainingLoad({ durationS: 3600, hasPower: false, sport_category: 'STRENGTH' }, athlete).value).toBeCloseTo(42.25, 10);
    expect(chooseTrainingLoad({ durationS: 0, hasPower: false, sport_category: 'MIXED' }, athlete).value).toBe(0);
  });
});
