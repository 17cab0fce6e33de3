/** Merging a cluster of matched source records into one canonical workout. */
import { stableHash } from '../ids.ts';
import type { Workout } from '../models.ts';
import type { DedupRecord } from './types.ts';

/**
 * Order sources by precedence: listed ones in list order, then the rest
 * alphabetically. Returns a comparator for source names.
 */
export function sourceComparator(precedence: readonly string[]): (a: string, b: string) => number {
  const rank = new Map(precedence.map((s, i) => [s, i] as const));
  return (a, b) => {
    const ra = rank.get(a) ?? precedence.length;
    const rb = rank.get(b) ?? precedence.length;
    if (ra !== rb) return ra - rb;
    return a < b ? -1 : a > b ? 1 : 0;
  };
}

/**
 * Order of a cluster's members: source precedence, then higher
 * data_quality_score, then record_id. The first is the base record.
 */
export function memberComparator(precedence: readonly string[]): (a: DedupRecord, b: DedupRecord) => number {
  const bySource = sourceComparator(precedence);
  return (a, b) =>
    bySource(a.source, b.source) ||
    b.data_quality_score - a.data_quality_score ||
    (a.record_id < b.record_id ? -1 : a.record_id > b.record_id ? 1 : 0);
}

/**
 * The id of a merged workout: stableHash(athlete_id, 'workout', base
 * record_id). Adding a lower-precedence record keeps it; a new base changes it
 * (and {@link aliasChanges} maps the old one).
 */
export function workoutId(base: DedupRecord): string {
  return stableHash(base.athlete_id, 'workout', base.record_id);
}

/** Fields filled from the first member (in precedence order) that has a value. */
type FillField =
  | 'name'
  | 'moving_time_s'
  | 'utc_offset_min'
  | 'distance_m'
  | 'calories_kcal'
  | 'elevation_gain_m'
  | 'avg_power_w'
  | 'max_power_w'
  | 'avg_cadence'
  | 'training_load'
  | 'perceived_exertion';

const isGeneric = (sport: string) => sport === 'workout' || sport === 'other';

/** The sources of the members with `flag` set, each once, joined by '+' (null for none). */
function joinSources(members: DedupRecord[], flag: 'has_gps' | 'has_power'): string | null {
  const seen: string[] = [];
  for (const m of members) if (m[flag] && !seen.includes(m.source)) seen.push(m.source);
  return seen.length > 0 ? seen.join('+') : null;
}

/**
 * Merge the members of one cluster, already ordered by {@link memberComparator}.
 * The base (first) gives identity and times; empty fields are filled from the
 * others in order; a generic sport gives way to a specific one; avg_hr and
 * max_hr come from the first member with avg_hr (max_hr from the first with a
 * max not below that average when it has none); external_ids the union
 * (earlier members win a key); has_gps/has_power any; data_quality_score the
 * maximum. `provenance` names the source of each non-null field, and
 * `utc_offset_source` says whether the offset is the base record's own
 * (`record`) or another member's (`overlap`).
 */
export function mergeCluster(members: DedupRecord[]): Workout {
  const base = members[0];
  if (!base) throw new Error('mergeCluster: a cluster needs at least one record');
  const provenance: Record<string, string> = {};
  for (const f of ['start_time', 'end_time', 'duration_s'] as const) provenance[f] = base.source;

  const specific = isGeneric(base.sport) ? members.find((m) => !isGeneric(m.sport)) : undefined;
  const sportFrom = specific ?? base;
  provenance.sport = sportFrom.source;
  provenance.sport_category = sportFrom.source;

  const fill = <K extends FillField>(f: K): DedupRecord[K] => {
    for (const m of members) {
      if (m[f] != null) {
        provenance[f] = m.source;
        return m[f];
      }
    }
    return null as DedupRecord[K];
  };

  // HR comes whole from the first member that measured it: averaging a chest strap with a wrist
  // reading of the same run gives a value neither device saw, and a max from another device can
  // fall below the chosen average.
  const hrFrom = members.find((m) => m.avg_hr != null);
  const avgHr = hrFrom ? hrFrom.avg_hr : null;
  if (hrFrom) provenance.avg_hr = hrFrom.source;
  const maxFrom = hrFrom?.max_hr != null ? hrFrom : members.find((m) => m.max_hr != null && m.max_hr >= (avgHr ?? 0));
  const maxHr = maxFrom ? maxFrom.max_hr : null;
  if (maxFrom) provenance.max_hr = maxFrom.source;

  const externalIds: Record<string, string> = {};
  for (const m of members) if (!(m.source in externalIds)) externalIds[m.source] = m.external_id;
  for (const m of members) {
    for (const k in m.external_ids) if (!(k in externalIds)) externalIds[k] = m.external_ids[k]!;
  }

  const gps = joinSources(members, 'has_gps');
  const power = joinSources(members, 'has_power');
  provenance.has_gps = gps ?? base.source;
  provenance.has_power = power ?? base.source;

  const utcOffset = fill('utc_offset_min');
  if (utcOffset != null) provenance.utc_offset_source = base.utc_offset_min != null ? 'record' : 'overlap';

  let best = base;
  for (const m of members) if (m.data_quality_score > best.data_quality_score) best = m;
  provenance.data_quality_score = best.source;

  return {
    workout_id: workoutId(base),
    athlete_id: base.athlete_id,
    name: fill('name'),
    start_time: new Date(base.start_time.getTime()),
    end_time: new Date(base.end_time.getTime()),
    duration_s: base.duration_s,
    moving_time_s: fill('moving_time_s'),
    utc_offset_min: utcOffset,
    sport: sportFrom.sport,
    sport_category: sportFrom.sport_category,
    distance_m: fill('distance_m'),
    calories_kcal: fill('calories_kcal'),
    avg_hr: avgHr,
    max_hr: maxHr,
    elevation_gain_m: fill('elevation_gain_m'),
    avg_power_w: fill('avg_power_w'),
    max_power_w: fill('max_power_w'),
    avg_cadence: fill('avg_cadence'),
    training_load: fill('training_load'),
    perceived_exertion: fill('perceived_exertion'),
    source: base.source,
    external_ids: externalIds,
    raw_data: null,
    has_gps: gps !== null,
    has_power: power !== null,
    data_quality_score: best.data_quality_score,
    provenance,
  };
}
