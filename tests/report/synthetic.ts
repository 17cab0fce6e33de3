/** Generated plugin inputs for the report tests: a ball-sports GPS track and a run, with known shapes. */
import type { PluginStreams } from '../../lib/plugins/base.ts';

const M_PER_DEG = (6_371_008.8 * Math.PI) / 180;
const LAT0 = -27.5;
const LON0 = 153.0;

/** Point at arc length `s` along the rectangle [0, w] × [0, h], anticlockwise from the origin. */
function onRectangle(s: number, w: number, h: number): [number, number] {
  const p = s % (2 * (w + h));
  if (p < w) return [p, 0];
  if (p < w + h) return [w, p - w];
  if (p < 2 * w + h) return [w - (p - w - h), h];
  return [0, h - (p - 2 * w - h)];
}

/**
 * A player at 10 Hz for `minutes`, lapping an 80 × 50 m rectangle: jogging at
 * 3 m/s, and once a minute (from second 20) a sprint: 1.5 s up to 8 m/s
 * (3.3 m/s²), 4 s at 8 m/s (28.8 km/h), 1.5 s back down. So one sprint and one
 * acceleration and deceleration above 3 m/s² per minute, top speed 28.8 km/h.
 */
export function ballSportsTrack(startMs: number, minutes: number): PluginStreams {
  const hz = 10;
  const n = minutes * 60 * hz + 1;
  const time = new Float64Array(n);
  const lat = new Float64Array(n);
  const lon = new Float64Array(n);
  const speed = new Float64Array(n);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const t = i / hz;
    const u = (t % 60) - 20;
    let v = 3;
    if (u >= 0 && u < 1.5) v = 3 + (5 * u) / 1.5;
    else if (u >= 1.5 && u < 5.5) v = 8;
    else if (u >= 5.5 && u < 7) v = 8 - (5 * (u - 5.5)) / 1.5;
    if (i > 0) s += v / hz;
    const [x, y] = onRectangle(s, 80, 50);
    time[i] = startMs + i * (1000 / hz);
    lat[i] = LAT0 + y / M_PER_DEG;
    lon[i] = LON0 + x / (M_PER_DEG * Math.cos((LAT0 * Math.PI) / 180));
    speed[i] = v;
  }
  return { time, lat, lon, speed_mps: speed };
}

/**
 * A steady run at 1 Hz for `minutes` at 3 m/s and 85 strides per minute
 * (170 steps/min), heart rate 140 bpm in the first half and 147 in the second,
 * so speed per beat drops by 1 − 140/147 ≈ 4.8 %.
 */
export function steadyRun(startMs: number, minutes: number): PluginStreams {
  const n = minutes * 60 + 1;
  const time = new Float64Array(n);
  const speed = new Float64Array(n).fill(3);
  const hr = new Float64Array(n);
  const cadence = new Float64Array(n).fill(85);
  for (let i = 0; i < n; i++) {
    time[i] = startMs + i * 1000;
    hr[i] = i < n / 2 ? 140 : 147;
  }
  return { time, speed_mps: speed, hr, cadence };
}
