/**
 * Ball-sports plugin: external load of field and court sports from GPS —
 * distance, speed zones, high-speed running, sprints, accelerations and
 * decelerations, work:rest, and where on the pitch the player was.
 */
import { z } from 'zod';
import { formatZodError } from '../../core/models.ts';
import { secondsFromStart, type AnalysisPlugin, type PluginResult, type PluginStreams, type PluginWorkout } from '../base.ts';
import { fieldCoverage, pitchFromCorners, pitchFromPositions, type FieldCoverage } from './field.ts';
import { heatmapFigure, speedProfileFigure } from './figures.ts';
import { estimateKinematics, trackDistance, trackDuration } from '../../core/motion/kinematics.ts';
import { detectAccelerations, detectSprints, type Effort } from './sprints.ts';
import { distanceAbove, workRest, zoneDistances } from './zones.ts';

/** Settings of the ball-sports plugin (per athlete or per squad); every field has a default. */
export const BallSportsConfig = z.object({
  sprintThresholdKmh: z.number().positive().default(25.2),
  sprintMinDurationS: z.number().nonnegative().default(1),
  hsrThresholdKmh: z.number().positive().default(19.8),
  zoneBoundsKmh: z.array(z.number().positive()).min(1).default([7.2, 14.4, 19.8, 25.2]),
  accelThresholdMps2: z.number().positive().default(3),
  accelMinDurationS: z.number().nonnegative().default(0.5),
  workThresholdKmh: z.number().positive().default(14.4),
  boutMinDurationS: z.number().nonnegative().default(1),
  /** Split the track at time steps longer than this (s); default: adapted to the recording rate (see estimateKinematics). */
  maxGapS: z.number().positive().optional(),
  speedWindowS: z.number().positive().optional(),
  accelWindowS: z.number().positive().default(1),
  useDeviceSpeed: z.boolean().default(true),
  pitchCorners: z.array(z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) })).length(4).optional(),
  attackingEnd: z.enum(['max', 'min']).default('max'),
  heatmapNx: z.number().int().positive().default(12),
  heatmapNy: z.number().int().positive().default(8),
  figures: z.boolean().default(true),
});
/** @see BallSportsConfig */
export type BallSportsConfig = z.infer<typeof BallSportsConfig>;

const r1 = (v: number) => Math.round(v * 10) / 10;
const r2 = (v: number) => Math.round(v * 100) / 100;
const r3 = (v: number) => Math.round(v * 1000) / 1000;

function effortRow(w: PluginWorkout, e: Effort, kind: 'speed' | 'accel') {
  return {
    start_s: r1(secondsFromStart(w, e.start_ms)),
    start_time: new Date(Math.round(e.start_ms)).toISOString(),
    duration_s: r1(e.duration_s),
    distance_m: r1(e.distance_m),
    peak_speed_kmh: r2(e.peak_speed_mps * 3.6),
    ...(kind === 'accel' ? { peak_mps2: r2(e.peak), speed_change_kmh: r2(e.speed_change_mps * 3.6) } : {}),
  };
}

function coverageMetrics(c: FieldCoverage) {
  return {
    source: c.source,
    length_m: r1(c.length_m),
    width_m: r1(c.width_m),
    orientation_deg: r1(c.orientation_deg),
    share_inside: r3(c.share_inside),
    thirds: { defensive: r3(c.thirds.defensive), middle: r3(c.thirds.middle), attacking: r3(c.thirds.attacking) },
    halves: { left: r3(c.halves.left), right: r3(c.halves.right) },
    heatmap: { nx: c.nx, ny: c.ny, seconds: c.seconds.map((row) => row.map(r1)) },
  };
}

/**
 * Longest median time between samples at which accelerations are counted.
 * An acceleration effort lasts about a second: GPS at 1 Hz already
 * under-reads it and 10 Hz is needed to measure it well (Varley, Fairweather
 * & Aughey 2012, J Sports Sci 30:121); with a fix every few seconds it cannot
 * be seen at all, so the count is left unknown rather than reported as 0.
 */
export const MAX_ACCEL_SAMPLE_INTERVAL_S = 1;

/** Median seconds between consecutive samples; null with fewer than two. */
function medianSampleInterval(time: Float64Array): number | null {
  const steps: number[] = [];
  for (let i = 1; i < time.length; i++) {
    const d = (time[i]! - time[i - 1]!) / 1000;
    if (d > 0) steps.push(d);
  }
  if (steps.length === 0) return null;
  steps.sort((a, b) => a - b);
  return steps[steps.length >> 1]!;
}

/** Analyse one ball-sports session; throws on unusable streams or a bad config. */
export function analyzeBallSports(w: PluginWorkout, s: PluginStreams, config: Record<string, unknown> = {}): PluginResult {
  const parsed = BallSportsConfig.safeParse(config);
  if (!parsed.success) throw new Error(formatZodError(parsed.error, 'ball_sports config'));
  const cfg = parsed.data;
  const k = estimateKinematics(s, {
    maxGapS: cfg.maxGapS,
    speedWindowS: cfg.speedWindowS,
    accelWindowS: cfg.accelWindowS,
    useDeviceSpeed: cfg.useDeviceSpeed,
  });
  const sprintMps = cfg.sprintThresholdKmh / 3.6;
  const sprints = detectSprints(k, sprintMps, cfg.sprintMinDurationS);
  const sampleIntervalS = medianSampleInterval(s.time);
  // Too few fixes to see a one-second change in speed: accelerations are not measured, not zero.
  const accelMeasured = sampleIntervalS !== null && sampleIntervalS <= MAX_ACCEL_SAMPLE_INTERVAL_S;
  const { accelerations, decelerations } = accelMeasured
    ? detectAccelerations(k, cfg.accelThresholdMps2, cfg.accelMinDurationS)
    : { accelerations: [], decelerations: [] };
  const zones = zoneDistances(k, cfg.zoneBoundsKmh);
  const wr = workRest(k, cfg.workThresholdKmh / 3.6, cfg.boutMinDurationS);
  const distance = trackDistance(k);
  const duration = trackDuration(k);
  let top = 0;
  for (let i = 0; i < k.speed.length; i++) top = Math.max(top, k.speed[i]!);

  let coverage: FieldCoverage | null = null;
  if (k.plane && k.x.some(Number.isFinite)) {
    const frame = cfg.pitchCorners ? pitchFromCorners(k.plane, cfg.pitchCorners) : pitchFromPositions(k.x, k.y);
    coverage = fieldCoverage(frame, k.x, k.y, k.dt, { nx: cfg.heatmapNx, ny: cfg.heatmapNy, attackingEnd: cfg.attackingEnd });
  }

  const metrics = {
    duration_s: r1(duration),
    total_distance_m: r1(distance),
    distance_per_min_m: duration > 0 ? r1(distance / (duration / 60)) : null,
    top_speed_kmh: r2(top * 3.6),
    speed_source: k.speedSource,
    position_noise_m: k.positionNoiseM === null ? null : r3(k.positionNoiseM),
    smoothing_window_s: k.speedWindowS,
    dropped_positions: k.droppedPositions,
    position_steps: k.positionSteps,
    sprint_threshold_kmh: cfg.sprintThresholdKmh,
    sprint_count: sprints.length,
    sprints_per_hour: duration > 0 ? r2(sprints.length / (duration / 3600)) : null,
    sprint_distance_m: r1(sprints.reduce((a, e) => a + e.distance_m, 0)),
    sprints: sprints.map((e) => effortRow(w, e, 'speed')),
    hsr_threshold_kmh: cfg.hsrThresholdKmh,
    hsr_distance_m: r1(distanceAbove(k, cfg.hsrThresholdKmh / 3.6)),
    zones: zones.map((z) => ({ ...z, distance_m: r1(z.distance_m), time_s: r1(z.time_s) })),
    sample_interval_s: sampleIntervalS === null ? null : r2(sampleIntervalS),
    accel_threshold_mps2: cfg.accelThresholdMps2,
    accel_count: accelMeasured ? accelerations.length : null,
    decel_count: accelMeasured ? decelerations.length : null,
    accelerations: accelerations.map((e) => effortRow(w, e, 'accel')),
    decelerations: decelerations.map((e) => effortRow(w, e, 'accel')),
    work_rest_ratio: wr.work_rest_ratio === null ? null : r3(wr.work_rest_ratio),
    work_time_s: r1(wr.work_time_s),
    rest_time_s: r1(wr.rest_time_s),
    hi_bout_count: wr.bout_count,
    mean_recovery_s: wr.mean_recovery_s === null ? null : r1(wr.mean_recovery_s),
    field: coverage ? coverageMetrics(coverage) : null,
  };
  const figures = cfg.figures
    ? [
        speedProfileFigure(k, sprints, w.start_time.getTime(), cfg.sprintThresholdKmh),
        ...(coverage ? [heatmapFigure(coverage)] : []),
      ]
    : undefined;
  return figures ? { metrics, figures } : { metrics };
}

/** The ball-sports plugin. */
export const ballSportsPlugin: AnalysisPlugin = {
  name: 'ball_sports',
  version: '1.0.0',
  description: 'Sprints, speed zones, high-speed running, accelerations, work:rest and field coverage from GPS in field and court sports.',
  requiresGps: true,
  canAnalyze: (w) => w.sport_category === 'BALL_SPORT' && w.has_gps,
  analyze: analyzeBallSports,
};

export default ballSportsPlugin;
