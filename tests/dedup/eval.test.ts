import { describe, expect, it } from 'vitest';
import { evaluateLinks } from '../../lib/core/dedup/deduplicate.ts';

describe('evaluateLinks', () => {
  it('scores pairwise links on a hand-made case', () => {
    // Truth pairs: g1-s1, g1-w1, s1-w1, g2-s2.
    const truth = [['garmin:1', 'strava:1', 'whoop:1'], ['garmin:2', 'strava:2'], ['oura:9']];
    const predicted = [['garmin:1', 'strava:1'], ['whoop:1', 'garmin:2', 'strava:2']];
    // Predicted pairs: g1-s1, w1-g2, w1-s2, g2-s2 → tp = g1-s1, g2-s2.
    expect(evaluateLinks(predicted, truth)).toEqual({ precision: 0.5, recall: 0.5, tp: 2, fp: 2, fn: 2 });
  });

  it('is perfect on identical groupings whatever their order', () => {
    const g = [['a', 'b', 'c'], ['d', 'e']];
    expect(evaluateLinks([['e', 'd'], ['c', 'a', 'b']], g)).toEqual({ precision: 1, recall: 1, tp: 4, fp: 0, fn: 0 });
  });

  it('treats no predicted links as precision 1 and recall 0', () => {
    expect(evaluateLinks([['a'], ['b']], [['a', 'b']])).toEqual({ precision: 1, recall: 0, tp: 0, fp: 0, fn: 1 });
  });
});
