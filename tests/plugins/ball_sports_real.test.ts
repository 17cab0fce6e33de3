import { describe, expect, it } from 'vitest';
import { parsePositionsCsv } from '../../lib/formats/positions_csv.ts';
import type { PluginWorkout } from '../../lib/plugins/base.ts';
import { analyzeBallSports } from '../../lib/plugins/ball_sports/index.ts';
import { readFixture } from '../helpers/shared.ts';

const DIR = 'tracking/soccer_gnss_10hz';

/** The four pitch corners of Dataset_B_Pitch.csv (written lon,lat). */
function pitchCorners(): { lat: number; lon: number }[] {
  return readFixture(`${DIR}/Dataset_B_Pitch.csv`)
    .toString('utf8')
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((line) => {
      const [lon, lat] = line.split(',').map(Number);
      return { lat: lat!, lon: lon! };
    });
}

/** Path length (m) of the raw fixes taken once per second: an unsmoothed reference. */
function rawPathPerSecond(time: Float64Array, lat: Float64Array, lon: Float64Array): number {
  const R = 6_371_008.8;
  const rad = Math.PI / 180;
  let d = 0;
  let last = 0;
  for (let i = 1; i < time.length; i++) {
    if (time[i]! - time[last]! < 1000) continue;
    const dLat = (lat[i]! - lat[last]!) * rad;
    const dLon = (lon[i]! - lon[last]!) * rad * Math.cos(lat[i]! * rad);
    d += R * Math.hypot(dLat, dLon);
    last = i;
  }
  return d;
}

describe('ball-sports plugin on real 10 Hz Catapult GNSS (U18 small-sided games)', () => {
  const corners = pitchCorners();
  it('reads the 4 pitch corners', () => {
    expect(corners).toHaveLength(4);
    expect(corners[0]).toEqual({ lat: 41.72674194, lon: -9.12436877 });
  });

  for (let id = 1; id <= 6; id++) {
    it(`gives plausible external load for player ${id}`, () => {
      const file = `U18_ID${id}.csv`;
      const parsed = parsePositionsCsv(readFixture(`${DIR}/${file}`), file);
      expect(parsed.errors).toEqual([]);
      const w = parsed.workouts[0]!;
      const s = parsed.streams[0]!;
      const pw: PluginWorkout = {
        workout_id: 'fixture',
        sport: w.sport,
        sport_category: w.sport_category,
        start_time: w.start_time,
        duration_s: w.duration_s,
        has_gps: true,
        utc_offset_min: null,
      };
      const res = analyzeBallSports(pw, { time: s.time, lat: s.channels.lat, lon: s.channels.lon }, { pitchCorners: corners });
      const m = res.metrics as Record<string, any>;
      const hours = m.duration_s / 3600;
      // About 62–67 min on the clock.
      expect(m.duration_s).toBeGreaterThan(3700);
      expect(m.duration_s).toBeLessThan(4100);
      expect(m.sprint_count / hours).toBeGreaterThanOrEqual(0);
      expect(m.sprint_count / hours).toBeLessThanOrEqual(40);
      expect(m.top_speed_kmh).toBeGreaterThan(15);
      expect(m.top_speed_kmh).toBeLessThan(36);
      // These sessions are mostly rest between games (the raw fixes alone add up to 2.3–2.7 km),
      // so the smoothed distance is checked against that reference and a broad plausible range.
      const raw = rawPathPerSecond(s.time, s.channels.lat!, s.channels.lon!);
      expect(m.total_distance_m).toBeGreaterThan(2000);
      expect(m.total_distance_m).toBeLessThan(9000);
      expect(m.total_distance_m / raw).toBeGreaterThan(0.9);
      expect(m.total_distance_m / raw).toBeLessThan(1.1);
      expect(m.speed_source).toBe('positions');
      // Heatmap mass inside the pitch.
      expect(m.field.source).toBe('corners');
      expect(m.field.length_m).toBeCloseTo(98.8, 0);
      expect(m.field.width_m).toBeCloseTo(54.4, 0);
      const cells = (m.field.heatmap.seconds as number[][]).flat().reduce((a, b) => a + b, 0);
      expect(cells / m.duration_s).toBeGreaterThanOrEqual(0.9);
      expect(m.field.share_inside).toBeGreaterThanOrEqual(0.9);
      const thirds = m.field.thirds.defensive + m.field.thirds.middle + m.field.thirds.attacking;
      expect(thirds).toBeCloseTo(1, 2);
      const heat = res.figures!.find((f) => f.title === 'Field coverage')!.figure;
      expect((heat.data[0] as { z: number[][] }).z).toHaveLength(8);
    });
  }
});
