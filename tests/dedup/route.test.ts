import { describe, expect, it } from 'vitest';
import { haversineM, resampleRoute, routeDistanceM } from '../../lib/core/dedup/deduplicate.ts';
import { track } from './records.ts';

const M_PER_DEG_LAT = 111_195;

/** A straight east-west line of `n` points at latitude `lat`, from lon0 over `lengthM`. */
function line(lat: number, lon0: number, lengthM: number, n: number) {
  const mPerDegLon = M_PER_DEG_LAT * Math.cos((lat * Math.PI) / 180);
  const lon = Float64Array.from({ length: n }, (_, i) => lon0 + (lengthM * i) / (n - 1) / mPerDegLon);
  return { lat: new Float64Array(n).fill(lat), lon };
}

describe('haversineM', () => {
  it('gives one degree of latitude as about 111.2 km', () => {
    expect(haversineM(0, 0, 1, 0)).toBeCloseTo(111_195, -1);
    expect(haversineM(-27.47, 153.02, -27.47, 153.02)).toBe(0);
  });
});

describe('resampleRoute', () => {
  it('spaces points equally by distance whatever the input spacing', () => {
    const uneven = line(0, 0, 1000, 11);
    // Drop some points so that the input spacing is irregular.
    const lat = Float64Array.from([0, 0, 0, 0]);
    const lon = Float64Array.from([uneven.lon[0]!, uneven.lon[1]!, uneven.lon[2]!, uneven.lon[10]!]);
    const r = resampleRoute({ lat, lon }, 5)!;
    expect(r.lengthM).toBeCloseTo(1000, 0);
    for (let i = 1; i < 5; i++) expect(haversineM(r.lat[i - 1]!, r.lon[i - 1]!, r.lat[i]!, r.lon[i]!)).toBeCloseTo(250, 0);
  });

  it('skips NaN points and gives null for fewer than two valid points', () => {
    const r = resampleRoute({ lat: Float64Array.from([0, NaN, 0]), lon: Float64Array.from([0, 5, 0.001]) }, 3)!;
    expect(r.lengthM).toBeCloseTo(111.2, 0);
    expect(resampleRoute({ lat: Float64Array.from([0, NaN]), lon: Float64Array.from([0, 1]) }, 10)).toBeNull();
  });
});

describe('routeDistanceM', () => {
  it('measures a parallel line 10 m away as 10 m, independent of sampling', () => {
    const a = resampleRoute(line(-27.47, 153.0, 5000, 50), 100)!;
    const b = resampleRoute(line(-27.47 + 10 / M_PER_DEG_LAT, 153.0, 5000, 37), 100)!;
    expect(routeDistanceM(a, b)).toBeCloseTo(10, 1);
    expect(routeDistanceM(a, a)).toBeCloseTo(0, 6);
  });

  it('is symmetric and tolerates a lost stretch under half of the track', () => {
    const full = resampleRoute(track(51.5, -0.12), 100)!;
    const lost = resampleRoute(track(51.5, -0.12, { gap: [30, 80] }), 100)!;
    expect(routeDistanceM(full, lost)).toBeCloseTo(routeDistanceM(lost, full), 6);
    expect(routeDistanceM(full, lost)).toBeLessThan(1);
  });

  it('sets different routes far apart', () => {
    const north = resampleRoute(track(51.5, -0.12), 100)!;
    const east = resampleRoute(track(51.5, -0.12, { heading: Math.PI / 2 }), 100)!;
    expect(routeDistanceM(north, east)).toBeGreaterThan(1000);
  });
});
