/** Plotly figure objects of the ball-sports plugin: a pitch heatmap and a speed profile with sprints. */
import type { PluginFigure } from '../base.ts';
import type { FieldCoverage } from './field.ts';
import type { Effort } from './sprints.ts';
import type { Kinematics } from '../../core/motion/kinematics.ts';

const FONT = { family: 'DejaVu Sans, Liberation Sans, Arial, sans-serif', size: 12, color: '#222' };
const WIDTH = 690;

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

/** Heatmap of time per cell drawn over the pitch outline (halfway line and thirds marked). */
export function heatmapFigure(cov: FieldCoverage): PluginFigure {
  const L = cov.length_m;
  const W = cov.width_m;
  const xs = Array.from({ length: cov.nx }, (_, i) => round1(((i + 0.5) * L) / cov.nx));
  const ys = Array.from({ length: cov.ny }, (_, j) => round1(((j + 0.5) * W) / cov.ny));
  const line = { color: '#333', width: 2 };
  const dashed = { color: '#666', width: 1, dash: 'dot' };
  const shapes = [
    { type: 'rect', x0: 0, y0: 0, x1: L, y1: W, line },
    { type: 'line', x0: L / 2, y0: 0, x1: L / 2, y1: W, line },
    { type: 'line', x0: L / 3, y0: 0, x1: L / 3, y1: W, line: dashed },
    { type: 'line', x0: (2 * L) / 3, y0: 0, x1: (2 * L) / 3, y1: W, line: dashed },
  ];
  return {
    title: 'Field coverage',
    figure: {
      data: [
        {
          type: 'heatmap',
          name: 'time',
          x: xs,
          y: ys,
          z: cov.seconds.map((row) => row.map(round1)),
          colorscale: 'YlOrRd',
          // Plotly's YlOrRd runs dark to light: reversed so little time is pale and much time is dark red.
          reversescale: true,
          colorbar: { title: { text: 'Time in cell (s)', side: 'right' } },
          hovertemplate: '%{z} s<extra></extra>',
        },
      ],
      layout: {
        title: { text: `Field coverage (${Math.round(cov.share_inside * 100)} % inside the pitch)` },
        width: WIDTH,
        height: Math.round((WIDTH * W) / L) + 80,
        font: FONT,
        xaxis: { title: { text: 'Length (m), attacking →' }, range: [0, L], constrain: 'domain' },
        yaxis: { title: { text: 'Width (m), left ↑' }, range: [0, W], scaleanchor: 'x' },
        shapes,
      },
    },
  };
}

/** Speed (km/h) per second of the session, with sprints shaded and their peaks marked. */
export function speedProfileFigure(k: Kinematics, sprints: readonly Effort[], startMs: number, sprintKmh: number): PluginFigure {
  const x: (number | null)[] = [];
  const y: (number | null)[] = [];
  const per = Math.max(1, Math.round(1 / k.dt));
  // One point per second of each segment; a chunk never spans two segments.
  let previous: number | null = null;
  for (let i = 0; i < k.speed.length; ) {
    const segment = k.segment[i]!;
    let s = 0;
    let n = 0;
    let j = i;
    for (; j < k.speed.length && j < i + per && k.segment[j] === segment; j++) {
      s += k.speed[j]!;
      n++;
    }
    // A null point breaks the line across a recording gap (half-time, a lost signal).
    if (previous !== null && segment !== previous) {
      x.push(null);
      y.push(null);
    }
    x.push(Math.round((k.time[i]! - startMs) / 600) / 100);
    y.push(Math.round((s / n) * 360) / 100);
    previous = segment;
    i = j;
  }
  const minutes = (ms: number) => (ms - startMs) / 60_000;
  return {
    title: 'Speed profile',
    figure: {
      data: [
        { type: 'scatter', mode: 'lines', name: 'speed', x, y, line: { color: '#1f77b4', width: 1 } },
        {
          type: 'scatter',
          mode: 'markers',
          name: 'sprints',
          x: sprints.map((s) => Math.round(minutes(s.start_ms + (s.duration_s * 1000) / 2) * 100) / 100),
          y: sprints.map((s) => Math.round(s.peak_speed_mps * 360) / 100),
          marker: { color: '#d62728', size: 7, symbol: 'triangle-up' },
        },
      ],
      layout: {
        title: { text: `Speed profile: ${sprints.length} sprint${sprints.length === 1 ? '' : 's'} above ${sprintKmh} km/h` },
        width: WIDTH,
        height: 320,
        font: FONT,
        xaxis: { title: { text: 'Time from the start (min)' } },
        yaxis: { title: { text: 'Speed (km/h)' }, rangemode: 'tozero' },
        shapes: [
          { type: 'line', xref: 'paper', x0: 0, x1: 1, y0: sprintKmh, y1: sprintKmh, line: { color: '#d62728', width: 1, dash: 'dash' } },
          ...sprints.map((s) => ({
            type: 'rect',
            yref: 'paper',
            x0: minutes(s.start_ms),
            x1: minutes(s.start_ms + s.duration_s * 1000),
            y0: 0,
            y1: 1,
            fillcolor: 'rgba(214,39,40,0.15)',
            line: { width: 0 },
          })),
        ],
      },
    },
  };
}
