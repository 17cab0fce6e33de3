/**
 * The plugin contract: a plugin reads one workout and its streams and returns
 * metrics (JSON-serialisable) and optional Plotly figures. Plugins never touch
 * the database; the orchestrator stores what they return.
 */
import type { SportCategory } from '../core/models.ts';

/** The workout a plugin is asked about. */
export interface PluginWorkout {
  workout_id: string;
  sport: string;
  sport_category: SportCategory;
  start_time: Date;
  duration_s: number;
  has_gps: boolean;
  utc_offset_min: number | null;
}

/** A workout's samples, column-wise; `time` is epoch ms and NaN marks an absent value. */
export interface PluginStreams {
  time: Float64Array;
  lat?: Float64Array;
  lon?: Float64Array;
  speed_mps?: Float64Array;
  hr?: Float64Array;
  cadence?: Float64Array;
  altitude_m?: Float64Array;
  distance_m?: Float64Array;
  power_w?: Float64Array;
}

/** A Plotly figure object: `Plotly.newPlot(div, figure.data, figure.layout)`. */
export interface PluginFigure {
  title: string;
  figure: { data: unknown[]; layout: Record<string, unknown> };
}

/** What a plugin returns for one workout. */
export interface PluginResult {
  metrics: Record<string, number | string | null | unknown>;
  figures?: PluginFigure[];
}

/** An analysis plugin. */
export interface AnalysisPlugin {
  name: string;
  version: string;
  description: string;
  /** When true the plugin only runs on workouts with GPS, and only while GPS analysis is enabled. */
  requiresGps: boolean;
  canAnalyze(w: PluginWorkout): boolean;
  analyze(w: PluginWorkout, s: PluginStreams, config?: Record<string, unknown>): PluginResult | Promise<PluginResult>;
}

/** Seconds since the workout's start of an epoch-ms instant. */
export function secondsFromStart(w: PluginWorkout, ms: number): number {
  return (ms - w.start_time.getTime()) / 1000;
}
