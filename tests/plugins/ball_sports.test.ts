import { describe, expect, it } from 'vitest';
import type { PluginStreams, PluginWorkout } from '../../lib/plugins/base.ts';
import { analyzeBallSports, ballSportsPlugin } from '../../lib/plugins/ball_sports/index.ts';
import { fieldCoverage, pitchFromCorners, pitchFromPositions } from '../../lib/plugins/ball_sports/field.ts';
import { projectAll } from '../../lib/core/motion/projection.ts';
import { estimateKinematics, trackDistance } from '../../lib/core/motion/kinematics.ts';
import { detectAccelerations, detectSprints } from '../../lib/plugins/ball_sports/sprints.ts';
import { workRest, zoneDistances } from '../../lib/plugins/ball_sports/zones.ts';
import { seededRandom } from '../../lib/core/random.ts';

const LAT0 = 41.726;
const LON0 = -9.1237;
const M_PER_DEG = (6_371_008.8 * Math.PI) / 180;
const START = Date.UTC(2024, 2, 10, 9, 0, 0);

/** Degrees of a point x m east, y m north of (LAT0, LON0). */
function toLatLon(x: number, y: number): [number, number] {
  return [LAT0 + y / M_PER_DEG, LON0 + x / (M_PER_DEG * Math.cos((LAT0 * Math.PI) / 180))];
}

/** Deterministic normal noise (seeded uniforms + Box–Muller). */
function rng(seed: number): () => number {
  const uni = seededRandom(seed);
  return () => Math.sqrt(-2 * Math.log(uni() + 1e-12)) * Math.cos(2 * Math.PI * uni());
}

/** A speed profile as phases: [duration s, acceleration m/s²]. */
type Phase = [number, number];

/** Sample a straight run along `headingDeg` (anticlockwise from east) at `hz`, with optional white noise. */
function track(phases: Phase[], hz: number, opts: { v0?: number; sigma?: number; seed?: number; headingDeg?: number } = {}) {
  const total = phases.reduce((a, p) => a + p[0], 0);
  const n = Math.floor(total * hz + 1e-9) + 1;
  const time = new Float64Array(n);
  const lat = new Float64Array(n);
  const lon = new Float64Array(n);
  const speed = new Float64Array(n);
  const noise = rng(opts.seed ?? 1);
  const h = ((opts.headingDeg ?? 20) * Math.PI) / 180;
  for (let i = 0; i < n; i++) {
    const t = i / hz;
    let v = opts.v0 ?? 0;
    let s = 0;
    let left = t;
    for (const [d, a] of phases) {
      const dt = Math.min(d, left);
      s += v * dt + 0.5 * a * dt * dt;
      v += a * dt;
      left -= dt;
      if (left <= 0) break;
    }
    const sigma = opts.sigma ?? 0;
    const [la, lo] = toLatLon(s * Math.cos(h) + sigma * noise(), s * Math.sin(h) + sigma * noise());
    time[i] = START + Math.round(t * 1000);
    lat[i] = la;
    lon[i] = lo;
    speed[i] = v;
  }
  return { time, lat, lon, speed };
}

const workout = (duration: number): PluginWorkout => ({
  workout_id: '0123456789abcdef',
  sport: 'soccer',
  sport_category: 'BALL_SPORT',
  start_time: new Date(START),
  duration_s: duration,
  has_gps: true,
  utc_offset_min: 0,
});

// Stand 10 s, accelerate at 3.5 m/s² to 8 m/s, hold 3 s, decelerate at 4 m/s² to rest, stand 10 s.
const SPRINT: Phase[] = [
  [10, 0],
  [8 / 3.5, 3.5],
  [3, 0],
  [2, -4],
  [10, 0],
];
// Exact time above 7 m/s: 1/3.5 s rising, 3 s held, 1/4 s falling; distance above it likewise.
const ABOVE_7_S = 1 / 3.5 + 3 + 0.25;
const ABOVE_7_M = 7.5 / 3.5 + 24 + 7.5 * 0.25;
const TOTAL_M = 64 / 7 + 24 + 8;

describe('speed and efforts on a generated sprint', () => {
  for (const hz of [10, 1]) {
    it(`finds the one sprint, its acceleration and deceleration at ${hz} Hz`, () => {
      const t = track(SPRINT, hz);
      const k = estimateKinematics({ time: t.time, lat: t.lat, lon: t.lon });
      expect(k.speedSource).toBe('positions');
      expect(trackDistance(k)).toBeCloseTo(TOTAL_M, 0);
      const sprints = detectSprints(k, 7, 1);
      expect(sprints).toHaveLength(1);
      const s = sprints[0]!;
      expect(s.peak_speed_mps).toBeGreaterThan(7.85);
      expect(s.peak_speed_mps).toBeLessThan(8.05);
      expect(Math.abs(s.duration_s - ABOVE_7_S)).toBeLessThan(hz === 10 ? 0.25 : 0.45);
      expect(Math.abs(s.distance_m - ABOVE_7_M)).toBeLessThan(hz === 10 ? 2 : 3.5);
      // The sprint starts when 7 m/s is crossed: 10 s standing + 2 s of acceleration.
      expect(Math.abs((s.start_ms - START) / 1000 - 12)).toBeLessThan(hz === 10 ? 0.2 : 0.35);

      const { accelerations, decelerations } = detectAccelerations(k, 3, 0.5);
      expect(accelerations).toHaveLength(1);
      expect(decelerations).toHaveLength(1);
      expect(accelerations[0]!.peak).toBeGreaterThan(3.1);
      expect(accelerations[0]!.peak).toBeLessThan(3.55);
      expect(decelerations[0]!.peak).toBeLessThan(-3.3);
      expect(decelerations[0]!.peak).toBeGreaterThan(-4.05);
      // Starts near 10 s (acceleration) and 15.29 s (deceleration), widened by the smoothing.
      expect(Math.abs((accelerations[0]!.start_ms - START) / 1000 - 10)).toBeLessThan(hz === 10 ? 0.6 : 1.5);
      expect(Math.abs((decelerations[0]!.start_ms - START) / 1000 - (10 + 8 / 3.5 + 3))).toBeLessThan(hz === 10 ? 0.6 : 1.5);
    });
  }

  it('reports the sprint through the plugin with zones and work:rest', () => {
    const t = track(SPRINT, 10);
    const res = analyzeBallSports(workout(25.29), { time: t.time, lat: t.lat, lon: t.lon });
    const m = res.metrics as Record<string, any>;
    expect(m.sprint_count).toBe(1);
    expect(m.top_speed_kmh).toBeCloseTo(28.8, 0);
    expect(m.sprints[0].start_s).toBeCloseTo(12, 0);
    expect(m.accel_count).toBe(1);
    expect(m.decel_count).toBe(1);
    const zoneSum = m.zones.reduce((a: number, z: { distance_m: number }) => a + z.distance_m, 0);
    expect(zoneSum).toBeCloseTo(m.total_distance_m, 0);
    expect(m.zones).toHaveLength(5);
    expect(m.zones[4].from_kmh).toBe(25.2);
    expect(m.zones[4].to_kmh).toBeNull();
    // Above 19.8 km/h (5.5 m/s) exactly: rising 2.5/3.5 s, held 3 s, falling 2.5/4 s.
    const hsrExact = (64 - 30.25) / 7 + 24 + (64 - 30.25) / 8;
    expect(Math.abs(m.hsr_distance_m - hsrExact)).toBeLessThan(2);
    expect(m.hi_bout_count).toBe(1);
    expect(m.mean_recovery_s).toBeNull();
    // Work above 4 m/s: from 4/3.5 s into the acceleration to 1 s into the deceleration.
    expect(Math.abs(m.work_time_s - (8 / 3.5 - 4 / 3.5 + 3 + 1))).toBeLessThan(0.3);
    expect(res.figures?.map((f) => f.title)).toEqual(['Speed profile', 'Field coverage']);
    const profile = res.figures![0]!.figure;
    expect((profile.data[1] as { y: number[] }).y).toHaveLength(1);
  });

  it('honours a per-athlete sprint threshold', () => {
    const t = track(SPRINT, 10);
    const m = analyzeBallSports(workout(25.29), { time: t.time, lat: t.lat, lon: t.lon }, { sprintThresholdKmh: 30 }).metrics;
    expect(m.sprint_count).toBe(0);
    expect(() => analyzeBallSports(workout(25.29), { time: t.time, lat: t.lat, lon: t.lon }, { sprintThresholdKmh: -1 })).toThrow(
      /sprintThresholdKmh/,
    );
  });

  it('counts repeated bouts and the recovery between them', () => {
    // Three 4 s runs at 6 m/s (21.6 km/h), 20 s apart (start to start).
    const rep: Phase[] = [[10, 0]];
    for (let r = 0; r < 3; r++) rep.push([2, 3], [4, 0], [2, -3], [12, 0]);
    const t = track(rep, 10);
    const k = estimateKinematics({ time: t.time, lat: t.lat, lon: t.lon });
    const wr = workRest(k, 4, 1);
    expect(wr.bout_count).toBe(3);
    // Above 4 m/s from 2/3 s into each ramp up to 2/3 s into each ramp down: 4 + 2·2/3 s long, so 20 − 5.33 s apart.
    expect(wr.mean_recovery_s!).toBeCloseTo(20 - (4 + 4 / 3), 0);
    const zones = zoneDistances(k, [7.2, 14.4, 19.8, 25.2]);
    expect(zones.reduce((a, z) => a + z.time_s, 0)).toBeCloseTo(k.speed.length * k.dt, 6);
  });
});

describe('noise and gaps', () => {
  const cases: { name: string; hz: number; sigma: number; v0: number }[] = [
    { name: 'standing, 10 Hz, σ 1.5 m', hz: 10, sigma: 1.5, v0: 0 },
    { name: 'jogging 3 m/s, 10 Hz, σ 1 m', hz: 10, sigma: 1, v0: 3 },
    { name: 'standing, 1 Hz, σ 2 m', hz: 1, sigma: 2, v0: 0 },
    { name: 'jogging 3 m/s, 1 Hz, σ 2 m', hz: 1, sigma: 2, v0: 3 },
  ];
  for (const c of cases) {
    it(`produces no phantom sprints: ${c.name}`, () => {
      const t = track([[600, 0]], c.hz, { sigma: c.sigma, v0: c.v0, seed: 7 + c.hz });
      const k = estimateKinematics({ time: t.time, lat: t.lat, lon: t.lon });
      expect(k.positionNoiseM!).toBeGreaterThan(c.sigma * 0.7);
      expect(k.positionNoiseM!).toBeLessThan(c.sigma * 1.3);
      expect(detectSprints(k, 7, 1)).toHaveLength(0);
      let top = 0;
      for (const v of k.speed) top = Math.max(top, v);
      expect(top).toBeLessThan(c.v0 + 2.5);
      // Distance stays near the true 600·v0 (noise adds little after smoothing).
      expect(Math.abs(trackDistance(k) - 600 * c.v0)).toBeLessThan(c.v0 === 0 ? 250 : 200);
    });
  }

  it('still finds a sprint through 0.5 m of noise at 10 Hz', () => {
    const t = track(SPRINT, 10, { sigma: 0.5, seed: 3 });
    const k = estimateKinematics({ time: t.time, lat: t.lat, lon: t.lon });
    const sprints = detectSprints(k, 7, 1);
    expect(sprints).toHaveLength(1);
    expect(sprints[0]!.peak_speed_mps).toBeGreaterThan(7.5);
    expect(sprints[0]!.peak_speed_mps).toBeLessThan(8.6);
  });

  it('breaks efforts at a time gap instead of inventing speed across it', () => {
    // Jog 2 m/s for 20 s, lose signal for 5 s while moving 40 m, jog on.
    const a = track([[20, 0]], 10, { v0: 2 });
    const b = track([[20, 0]], 10, { v0: 2 });
    const n = a.time.length;
    const time = new Float64Array(2 * n);
    const lat = new Float64Array(2 * n);
    const lon = new Float64Array(2 * n);
    const [dLat, dLon] = toLatLon(40, 0);
    for (let i = 0; i < n; i++) {
      time[i] = a.time[i]!;
      lat[i] = a.lat[i]!;
      lon[i] = a.lon[i]!;
      time[n + i] = b.time[i]! + 25_000;
      lat[n + i] = b.lat[i]! + (dLat - LAT0) + (a.lat[n - 1]! - LAT0);
      lon[n + i] = b.lon[i]! + (dLon - LON0) + (a.lon[n - 1]! - LON0);
    }
    const k = estimateKinematics({ time, lat, lon });
    expect(new Set(k.segment).size).toBe(2);
    expect(trackDistance(k)).toBeCloseTo(80, 0);
    expect(detectSprints(k, 7, 1)).toHaveLength(0);
    expect(detectAccelerations(k, 3, 0.5).accelerations).toHaveLength(0);
  });

  it('leaves accelerations unmeasured ("–", not 0) when fixes come only every 3.6 s', () => {
    // The generated sprint sampled like a watch in its power-saving mode: one fix every 3.6 s.
    const sparse = track(SPRINT, 1 / 3.6);
    const m = analyzeBallSports(workout(30), { time: sparse.time, lat: sparse.lat, lon: sparse.lon }).metrics as Record<string, unknown>;
    expect(m.sample_interval_s).toBe(3.6);
    expect(m.accel_count).toBeNull();
    expect(m.decel_count).toBeNull();
    expect(m.accelerations).toEqual([]);
    // At one fix a second they are counted.
    const dense = track(SPRINT, 1);
    const d = analyzeBallSports(workout(30), { time: dense.time, lat: dense.lat, lon: dense.lon }).metrics as Record<string, unknown>;
    expect(d.sample_interval_s).toBe(1);
    expect(typeof d.accel_count).toBe('number');
  });

  it('draws no speed line across a half-time gap that falls between two seconds, and labels the heatmap colour bar', () => {
    // Two 5-minute halves at 1 Hz, the second starting 600.5 s after the first ended.
    const half = track([[300, 0]], 1, { v0: 3 });
    const n = half.time.length;
    const time = new Float64Array(2 * n);
    const lat = new Float64Array(2 * n);
    const lon = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      time[i] = half.time[i]!;
      time[n + i] = half.time[i]! + 900_500;
      lat[i] = lat[n + i] = half.lat[i]!;
      lon[i] = lon[n + i] = half.lon[i]!;
    }
    const r = analyzeBallSports(workout(1500), { time, lat, lon });
    const profile = r.figures!.find((f) => f.title === 'Speed profile')!.figure.data[0] as { x: (number | null)[]; y: (number | null)[] };
    const gaps = profile.x.flatMap((v, i) => (v === null ? [i] : []));
    expect(gaps).toHaveLength(1);
    // The points either side of the break are the end of the first half and the start of the second.
    expect(profile.x[gaps[0]! - 1]).toBeLessThanOrEqual(5);
    expect(profile.x[gaps[0]! + 1]).toBeGreaterThanOrEqual(15);
    const heat = r.figures!.find((f) => f.title === 'Field coverage')!.figure.data[0] as { colorbar: { title: { text: string } } };
    expect(heat.colorbar.title.text).toBe('Time in cell (s)');
  });

  it('drops a single impossible spike and splits at a lasting jump', () => {
    const t = track([[30, 0]], 10, { v0: 2 });
    const [spikeLat] = toLatLon(0, 30);
    t.lat[100] = t.lat[100]! + (spikeLat - LAT0);
    const [, jumpLon] = toLatLon(25, 0);
    for (let i = 200; i < t.lat.length; i++) t.lon[i] = t.lon[i]! + (jumpLon - LON0);
    const k = estimateKinematics({ time: t.time, lat: t.lat, lon: t.lon });
    expect(k.droppedPositions).toBe(1);
    expect(k.positionSteps).toBe(1);
    let top = 0;
    for (const v of k.speed) top = Math.max(top, v);
    expect(top).toBeLessThan(2.2);
  });

  it('uses a plausible device speed channel over noisy positions', () => {
    const t = track(SPRINT, 10, { sigma: 2, seed: 11 });
    const k = estimateKinematics({ time: t.time, lat: t.lat, lon: t.lon, speed_mps: t.speed });
    expect(k.speedSource).toBe('device');
    expect(k.positionNoiseM).toBeNull();
    const sprints = detectSprints(k, 7, 1);
    expect(sprints).toHaveLength(1);
    expect(sprints[0]!.peak_speed_mps).toBeCloseTo(8, 1);
    expect(trackDistance(k)).toBeCloseTo(TOTAL_M, 0);
    // A channel of zeros is not plausible: positions are used.
    const z = estimateKinematics({ time: t.time, lat: t.lat, lon: t.lon, speed_mps: new Float64Array(t.time.length) });
    expect(z.speedSource).toBe('positions');
  });
});

describe('field coverage', () => {
  // A 100 m × 60 m pitch whose length runs 30° north of east, centred on (LAT0, LON0).
  const th = (30 * Math.PI) / 180;
  const along = (u: number, v: number): [number, number] => [u * Math.cos(th) - v * Math.sin(th), u * Math.sin(th) + v * Math.cos(th)];
  const corners = [
    [-50, -30],
    [50, -30],
    [50, 30],
    [-50, 30],
  ].map(([u, v]) => {
    const [x, y] = along(u!, v!);
    const [lat, lon] = toLatLon(x, y);
    return { lat, lon };
  });
  // Samples spread over the attacking third (u > 16.7 m) and the left half (v > 0), plus a few outside the pitch.
  const n = 1000;
  const lat = new Float64Array(n);
  const lon = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = i < 950 ? 20 + (i % 29) : 60;
    const v = i < 950 ? 2 + (i % 27) : 10;
    const [x, y] = along(u, v);
    [lat[i], lon[i]] = toLatLon(x, y);
  }
  const plane = { lat0: LAT0, lon0: LON0 };
  const { x, y } = projectAll(plane, lat, lon);

  it('normalises positions to a pitch given by its corners (any order)', () => {
    const frame = pitchFromCorners(plane, [corners[2]!, corners[0]!, corners[3]!, corners[1]!]);
    expect(frame.halfLength).toBeCloseTo(50, 1);
    expect(frame.halfWidth).toBeCloseTo(30, 1);
    const c = fieldCoverage(frame, x, y, 0.1, { nx: 12, ny: 8 });
    expect(c.orientation_deg).toBeCloseTo(60, 1);
    expect(c.share_inside).toBeCloseTo(0.95, 6);
    const total = c.seconds.flat().reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(95, 6);
    expect(c.seconds).toHaveLength(8);
    expect(c.seconds[0]).toHaveLength(12);
    // Cells of the defensive half hold nothing; thirds and halves follow where the samples are.
    expect(c.seconds.flatMap((row) => row.slice(0, 6)).every((s) => s === 0)).toBe(true);
    expect(c.thirds.attacking).toBeCloseTo(1, 6);
    // The length axis's sign is the frame's choice: either the left (facing +u) or, flipped, the right half holds all.
    expect(Math.max(c.halves.left, c.halves.right)).toBeCloseTo(1, 6);
    const flipped = fieldCoverage(frame, x, y, 0.1, { attackingEnd: 'min' });
    expect(flipped.thirds.defensive).toBeCloseTo(1, 6);
    expect(flipped.halves.left).toBeCloseTo(c.halves.right, 6);
  });

  it('estimates the pitch axes from positions by PCA', () => {
    // A player ranging over most of the pitch: longer along its length than across.
    const m = 2000;
    const la = new Float64Array(m);
    const lo = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      const [px, py] = along(-45 + ((i * 37) % 91), -25 + ((i * 13) % 51));
      [la[i], lo[i]] = toLatLon(px, py);
    }
    const p = projectAll(plane, la, lo);
    const frame = pitchFromPositions(p.x, p.y);
    expect(frame.halfLength).toBeGreaterThan(40);
    expect(frame.halfWidth).toBeLessThan(26);
    const bearing = ((90 - (Math.atan2(frame.uy, frame.ux) * 180) / Math.PI) % 180 + 180) % 180;
    expect(bearing).toBeCloseTo(60, 0);
    expect(frame.source).toBe('positions');
  });
});

describe('ball-sports plugin contract', () => {
  it('applies to ball sports with GPS only', () => {
    expect(ballSportsPlugin.canAnalyze(workout(60))).toBe(true);
    expect(ballSportsPlugin.canAnalyze({ ...workout(60), has_gps: false })).toBe(false);
    expect(ballSportsPlugin.canAnalyze({ ...workout(60), sport: 'running', sport_category: 'ENDURANCE' })).toBe(false);
    expect(ballSportsPlugin.requiresGps).toBe(true);
  });

  it('rejects streams without positions or speed', () => {
    const s: PluginStreams = { time: new Float64Array([START, START + 1000]) };
    expect(() => analyzeBallSports(workout(1), s)).toThrow(/no positions/);
  });
});
