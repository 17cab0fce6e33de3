import { describe, expect, it } from 'vitest';
import { rollingDiversity, sportDiversity } from '../../lib/analysis/variety.ts';

describe('sportDiversity', () => {
  it('matches the hand-computed entropy', () => {
    // shares 1/2, 1/4, 1/4: H = −(0.5 ln 0.5 + 2 × 0.25 ln 0.25) = 1.5 ln 2 = 1.039721
    const d = sportDiversity(['run', 'run', 'ride', 'swim']);
    expect(d.count).toBe(4);
    expect(d.distinct).toBe(3);
    expect(d.shannon).toBeCloseTo(1.039721, 6);
    // Pielou: 1.039721 / ln 3 (1.098612) = 0.946395
    expect(d.normalized).toBeCloseTo(0.946395, 6);
    // against 4 possible: 1.5 ln 2 / (2 ln 2) = 0.75
    expect(sportDiversity(['run', 'run', 'ride', 'swim'], 4).normalized).toBeCloseTo(0.75, 12);
  });

  it('is ln 2 and 1 for an even split of two', () => {
    const d = sportDiversity(['ENDURANCE', 'STRENGTH']);
    expect(d.shannon).toBeCloseTo(Math.LN2, 12);
    expect(d.normalized).toBeCloseTo(1, 12);
  });

  it('is 0 for one sport and null for none', () => {
    expect(sportDiversity(['run', 'run'])).toEqual({ count: 2, distinct: 1, shannon: 0, normalized: 0 });
    expect(sportDiversity([])).toEqual({ count: 0, distinct: 0, shannon: null, normalized: null });
  });
});

describe('rollingDiversity', () => {
  it('slides a window of local days across the leap day', () => {
    const r = rollingDiversity(
      [
        { localDate: '2024-02-28', label: 'run' },
        { localDate: '2024-02-29', label: 'ride' },
        { localDate: '2024-03-02', label: 'run' },
      ],
      2,
    );
    expect(r.map((d) => [d.date, d.count, d.shannon])).toEqual([
      ['2024-02-28', 1, 0],
      ['2024-02-29', 2, Math.LN2], // run + ride: ln 2
      ['2024-03-01', 1, 0], // ride only
      ['2024-03-02', 1, 0], // run only (2024-03-01 and -02)
    ]);
    expect(rollingDiversity([])).toEqual([]);
  });
});
