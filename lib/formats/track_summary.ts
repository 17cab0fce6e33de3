/**
 * The summary of a recorded track (GPX, TCX) taken from its samples: its
 * first and last instants, moving time by the speed rule of moving_time.ts,
 * heart rate, power and cadence. Cadence of running and walking is put in
 * steps per minute first (cadence.ts).
 */
import type { WorkoutStream } from '../core/models.ts';
import { cadenceFactor } from './cadence.ts';
import { movingTimeS } from './moving_time.ts';
import { columnStats, isMoving, isNonNegative, isPlausibleHr, type ColumnStats } from './track_points.ts';

/** What a track's samples say about it. */
export interface TrackSummary {
  /** Epoch ms of the first and last sample. */
  start: number;
  end: number;
  movingS: number | null;
  hr: ColumnStats;
  power: ColumnStats;
  /** Over moving samples (cadence above 0), in the canonical unit. */
  cadence: ColumnStats;
  /** 2 when the file's cadence was strides per minute and was doubled. */
  cadenceFactor: 1 | 2;
}

const NONE = new Float64Array(0);

/**
 * Summarise a stream of a workout of `sport`; doubles its cadence in place
 * when it is in strides. `pauses`: pauses the file marked, as for movingTimeS.
 */
export function summariseTrack(stream: WorkoutStream, sport: string, pauses?: ArrayLike<number>): TrackSummary {
  const ch = stream.channels;
  const factor = cadenceFactor(sport, ch.cadence);
  if (factor !== 1 && ch.cadence) for (let i = 0; i < ch.cadence.length; i++) ch.cadence[i]! *= factor;
  let start = Infinity;
  let end = -Infinity;
  for (const t of stream.time) {
    if (t < start) start = t;
    if (t > end) end = t;
  }
  return {
    start,
    end,
    movingS: movingTimeS(stream.time, ch.distance_m, ch.speed_mps, pauses),
    hr: columnStats(ch.hr ?? NONE, isPlausibleHr),
    power: columnStats(ch.power_w ?? NONE, isNonNegative),
    cadence: columnStats(ch.cadence ?? NONE, isMoving),
    cadenceFactor: factor,
  };
}
