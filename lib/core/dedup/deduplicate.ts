/**
 * The deduplication engine: turns one row per source record into canonical
 * workouts and their member rows. Pure: the orchestrator reads and writes.
 *
 * Matching, strongest first:
 *  1. a shared external id: the same `(key, value)` in two records' ids,
 *     counting each record's own `{ [source]: external_id }`;
 *  2. time ranges overlapping by `minOverlap` of the shorter one, starts within
 *     `startToleranceS` (or within `routeStartToleranceS` when the shorter one
 *     lies at least `containedOverlap` inside the other), compatible sports, distances within tolerance (when
 *     both have one) and, when both have a route, routes within `routeMatchM`;
 *  3. overlapping time and compatible sports, starts within
 *     `routeStartToleranceS`, routes within `routeMatchM`, distances or starts
 *     disagreeing (a device lost GPS for a stretch or started late).
 * Two records of one source are copies of one recording (a FIT and its GPX or
 * TCX export, one ride uploaded twice) when they coincide: starts within
 * `copyStartToleranceS`, overlap of at least `copyOverlap` of the longer one, compatible sports,
 * distances and routes agreeing (tier 2), or routes agreeing where distances
 * do not (tier 3). One device cannot record two activities at once, so a
 * double session (one after the other) never qualifies; copy links are marked `copy`.
 * Candidates come from one sort by start time and a sweep over a fixed window,
 * so comparisons grow with n times the density, never n². Links are applied
 * strongest first (tier, then start gap, then overlap) with union-find; a
 * tier-2/3 link that would put two records of one source that are not copies
 * of each other in a workout is skipped. Multisport legs are records of their
 * own and match leg by leg. A workout whose records carry no UTC offset gets
 * one from the best other evidence (see local_offset.ts).
 */
import { sportsCompatible } from '../sports.ts';
import { mergeCluster, memberComparator } from './merge.ts';
import { placeLocalOffset } from './local_offset.ts';
import { isTimeZone } from '../time_zone.ts';
import type { Workout } from '../models.ts';
import { resampleRoute, routeDistanceM, type ResampledRoute } from './route.ts';
import {
  DEFAULT_DEDUP_OPTIONS,
  type DedupMember,
  type DedupOptions,
  type DedupRecord,
  type DedupResult,
  type DedupStats,
  type MatchInfo,
  type MatchTier,
} from './types.ts';

export * from './types.ts';
export { mergeCluster, memberComparator, sourceComparator, workoutId } from './merge.ts';
export { haversineM, resampleRoute, routeDistanceM } from './route.ts';
export { aliasChanges, clustersOf, type WorkoutCluster } from './aliases.ts';
export { evaluateLinks, type LinkScores } from './eval.ts';
export { placeLocalOffset, type UtcOffsetSource } from './local_offset.ts';
export {
  reconcileBiometrics,
  DEFAULT_BIOMETRIC_PRECEDENCE,
  type BiometricInput,
  type ReconciledBiometric,
} from './biometrics.ts';

interface Link {
  a: number;
  b: number;
  tier: MatchTier;
  gapS: number;
  overlap: number;
  key?: string;
  distanceDiff?: number;
  routeM?: number;
  /** Two records of one source found to be copies of one recording. */
  copy?: boolean;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function recordLabel(r: DedupRecord): string {
  return `${r.source}:${r.external_id}`;
}

function fingerprint(r: DedupRecord): string {
  let raw: string;
  try {
    raw = JSON.stringify(r.raw_data) ?? '';
  } catch {
    raw = ''; // BigInt or a cycle: the other fields still order the two.
  }
  return JSON.stringify({ ...r, route: undefined, raw_data: raw });
}

/** Which of two inputs with one record_id to keep: higher quality, then a fixed order of their contents. */
function preferred(a: DedupRecord, b: DedupRecord): DedupRecord {
  if (a.data_quality_score !== b.data_quality_score) return a.data_quality_score > b.data_quality_score ? a : b;
  return compareStrings(fingerprint(a), fingerprint(b)) <= 0 ? a : b;
}

function checkTimes(r: DedupRecord): void {
  for (const f of ['start_time', 'end_time'] as const) {
    const t = r[f];
    if (!(t instanceof Date) || Number.isNaN(t.getTime())) {
      throw new Error(`deduplicate: record ${recordLabel(r)} (record_id ${r.record_id}): ${f} is not a valid date`);
    }
  }
}

/**
 * Start and end of each record as epoch ms, read once: the sweep compares
 * them many times per record.
 */
interface Times {
  start: Float64Array;
  end: Float64Array;
}

/** Overlap of two time ranges over the shorter one; an instant counts as 1 inside the other range. */
function overlapRatio(t: Times, a: number, b: number): number {
  const as = t.start[a]!;
  const ae = t.end[a]!;
  const bs = t.start[b]!;
  const be = t.end[b]!;
  const shorter = Math.min(ae - as, be - bs);
  const ov = Math.min(ae, be) - Math.max(as, bs);
  if (shorter <= 0) return ov >= 0 ? 1 : 0;
  return Math.max(0, ov) / shorter;
}

/** Overlap of two time ranges over the longer one: how nearly they coincide (1 for one and the same range). */
function coincidence(t: Times, a: number, b: number): number {
  const longer = Math.max(t.end[a]! - t.start[a]!, t.end[b]! - t.start[b]!);
  const ov = Math.min(t.end[a]!, t.end[b]!) - Math.max(t.start[a]!, t.start[b]!);
  if (longer <= 0) return ov >= 0 ? 1 : 0;
  return Math.max(0, ov) / longer;
}

function distanceDiff(a: DedupRecord, b: DedupRecord): number | undefined {
  const da = a.distance_m;
  const db = b.distance_m;
  if (da == null || db == null || da <= 0 || db <= 0) return undefined;
  return Math.abs(da - db) / Math.max(da, db);
}

const isLeg = (r: DedupRecord) => r.parent_external_id != null;

function compareRecords(a: DedupRecord, b: DedupRecord): number {
  return (
    compareStrings(a.athlete_id, b.athlete_id) ||
    a.start_time.getTime() - b.start_time.getTime() ||
    compareStrings(a.record_id, b.record_id)
  );
}

function compareLinks(x: Link, y: Link): number {
  return x.tier - y.tier || x.gapS - y.gapS || y.overlap - x.overlap || x.a - y.a || x.b - y.b;
}

/**
 * Group records by athlete and deduplicate them into canonical workouts.
 * Deterministic: any order of the same input gives the same output.
 * Throws only when a record's start or end time is not a valid date.
 */
export function deduplicate(records: DedupRecord[], opts: DedupOptions = {}): DedupResult {
  const given = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as DedupOptions;
  const o: Required<DedupOptions> = { ...DEFAULT_DEDUP_OPTIONS, ...given };
  const stats: DedupStats = {
    records: records.length,
    duplicates: 0,
    comparisons: 0,
    routeComparisons: 0,
    links: { tier1: 0, tier2: 0, tier3: 0 },
    conflicts: 0,
    copies: 0,
    routeRejections: 0,
  };
  if (o.homeTimeZone !== null && !isTimeZone(o.homeTimeZone)) {
    throw new Error(`deduplicate: homeTimeZone ${JSON.stringify(o.homeTimeZone)} is not an IANA time zone (e.g. Europe/Zurich)`);
  }
  for (const [athlete, zone] of Object.entries(o.homeTimeZones)) {
    if (!isTimeZone(zone)) throw new Error(`deduplicate: home time zone ${JSON.stringify(zone)} of athlete ${athlete} is not an IANA time zone (e.g. Europe/Zurich)`);
  }

  const byId = new Map<string, DedupRecord>();
  for (const r of records) {
    checkTimes(r);
    const prev = byId.get(r.record_id);
    if (prev) stats.duplicates++;
    byId.set(r.record_id, prev ? preferred(prev, r) : r);
  }
  // Input already in this order (as the rebuild reads it) sorts in linear time.
  const recs = [...byId.values()].sort(compareRecords);
  const n = recs.length;
  const times: Times = { start: new Float64Array(n), end: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    times.start[i] = recs[i]!.start_time.getTime();
    times.end[i] = recs[i]!.end_time.getTime();
  }

  const links = idLinks(recs, times, o);
  sweepLinks(recs, times, o, stats, links);
  links.sort(compareLinks);

  const { root, joinedBy } = linkClusters(recs, links, stats);
  const clusters = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const c = clusters.get(root[i]!);
    if (c) c.push(i);
    else clusters.set(root[i]!, [i]);
  }

  const order = memberComparator(o.precedence);
  const overlapping = overlapFinder(recs, times);
  const built: { idx: number[]; workout: Workout }[] = [];
  for (const idx of clusters.values()) {
    if (idx.length > 1) idx.sort((x, y) => order(recs[x]!, recs[y]!));
    const members = idx.map((i) => recs[i]!);
    let workout = mergeCluster(members);
    if (workout.utc_offset_min == null) {
      workout = placeLocalOffset(workout, members, overlapping(idx, root), o.homeTimeZones[workout.athlete_id] ?? o.homeTimeZone);
    }
    built.push({ idx, workout });
  }
  built.sort(
    (x, y) =>
      compareStrings(x.workout.athlete_id, y.workout.athlete_id) ||
      x.workout.start_time.getTime() - y.workout.start_time.getTime() ||
      compareStrings(x.workout.workout_id, y.workout.workout_id),
  );

  const members: DedupMember[] = [];
  const workouts: Workout[] = [];
  for (const { idx, workout } of built) {
    workouts.push(workout);
    for (let k = 0; k < idx.length; k++) {
      const i = idx[k]!;
      const r = recs[i]!;
      const link = k === 0 ? undefined : joinedBy[i];
      members.push({
        workout_id: workout.workout_id,
        record_id: r.record_id,
        source: r.source,
        external_id: r.external_id,
        match_tier: link ? link.tier : null,
        match_info: link ? matchInfo(link, link.a === i ? recs[link.b]! : recs[link.a]!) : {},
      });
    }
  }
  return { workouts, members, stats };
}

/**
 * Copy groups: each record's representative among the records of its source
 * it is a copy of (copy links joined transitively).
 */
function copyGroups(n: number, links: readonly Link[]): Int32Array {
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  for (const l of links) {
    if (!l.copy) continue;
    const ra = find(l.a);
    const rb = find(l.b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
  for (let i = 0; i < n; i++) parent[i] = find(i);
  return parent;
}

/**
 * Whether two clusters hold records of one source that are not copies of each
 * other. A cluster's sources are slots `source * n + copy group`.
 */
function clash(a: readonly number[], b: readonly number[], n: number): boolean {
  for (const x of b) {
    const source = Math.floor(x / n);
    for (const y of a) if (y !== x && Math.floor(y / n) === source) return true;
  }
  return false;
}

/**
 * Apply links, already in order, with union-find over record indexes. Each
 * root keeps the sources of its cluster with their copy groups, so a tier-2/3
 * link joining two records of one source that are not copies is refused.
 * Returns each record's root and the link that first joined each record.
 */
function linkClusters(recs: DedupRecord[], links: Link[], stats: DedupStats): { root: Int32Array; joinedBy: (Link | undefined)[] } {
  const n = recs.length;
  const group = copyGroups(n, links);
  const sourceNo = new Map<string, number>();
  const parent = new Int32Array(n);
  const slot = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = recs[i]!.source;
    let k = sourceNo.get(s);
    if (k === undefined) sourceNo.set(s, (k = sourceNo.size));
    parent[i] = i;
    slot[i] = k * n + group[i]!;
  }
  // A root's slots; a record never joined has only its own, so most clusters allocate none.
  const sources = new Map<number, number[]>();
  const slotsOf = (r: number): number[] => sources.get(r) ?? [slot[r]!];
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  const joinedBy = new Array<Link | undefined>(n);
  for (const l of links) {
    const ra = find(l.a);
    const rb = find(l.b);
    if (ra === rb) continue;
    const sa = slotsOf(ra);
    const sb = slotsOf(rb);
    if (l.tier !== 1 && clash(sa, sb, n)) {
      stats.conflicts++;
      continue;
    }
    const keep = ra < rb ? ra : rb;
    const drop = ra < rb ? rb : ra;
    parent[drop] = keep;
    const into = keep === ra ? sa : sb;
    for (const x of keep === ra ? sb : sa) if (!into.includes(x)) into.push(x);
    sources.set(keep, into);
    sources.delete(drop);
    stats.links[`tier${l.tier}`]++;
    if (l.copy) stats.copies++;
    joinedBy[l.a] ??= l;
    joinedBy[l.b] ??= l;
  }
  const root = new Int32Array(n);
  for (let i = 0; i < n; i++) root[i] = find(i);
  return { root, joinedBy };
}

/**
 * For the records of one cluster, the records of other sources and other
 * clusters overlapping its time range, most overlap first. Records are sorted
 * by start; the longest record bounds how far back an overlapping one can start.
 */
function overlapFinder(recs: DedupRecord[], t: Times): (idx: readonly number[], root: Int32Array) => DedupRecord[] {
  let longest = 0;
  for (let i = 0; i < recs.length; i++) longest = Math.max(longest, t.end[i]! - t.start[i]!);
  return (idx, root) => {
    const first = idx[0]!;
    const athlete = recs[first]!.athlete_id;
    const own = root[first]!;
    const sources = new Set(idx.map((i) => recs[i]!.source));
    let from = Infinity;
    let to = -Infinity;
    for (const i of idx) {
      from = Math.min(from, t.start[i]!);
      to = Math.max(to, t.end[i]!);
    }
    // First record of this athlete that could still be running at `from`: records are sorted by athlete, then start.
    let lo = 0;
    let hi = recs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const a = recs[mid]!.athlete_id;
      if (a < athlete || (a === athlete && t.start[mid]! < from - longest)) lo = mid + 1;
      else hi = mid;
    }
    const found: { r: DedupRecord; ms: number }[] = [];
    for (let j = lo; j < recs.length && recs[j]!.athlete_id === athlete && t.start[j]! < to; j++) {
      const r = recs[j]!;
      if (root[j] === own || sources.has(r.source)) continue;
      const ms = Math.min(to, t.end[j]!) - Math.max(from, t.start[j]!);
      if (ms > 0) found.push({ r, ms });
    }
    return found.sort((x, y) => y.ms - x.ms || compareRecords(x.r, y.r)).map((x) => x.r);
  };
}

function matchInfo(l: Link, other: DedupRecord): MatchInfo {
  const info: MatchInfo = {
    tier: l.tier,
    with: recordLabel(other),
    with_record_id: other.record_id,
    start_gap_s: l.gapS,
    overlap: Math.round(l.overlap * 1000) / 1000,
  };
  if (l.key !== undefined) info.key = l.key;
  if (l.distanceDiff !== undefined) info.distance_diff = Math.round(l.distanceDiff * 1000) / 1000;
  if (l.routeM !== undefined) info.route_m = Math.round(l.routeM * 10) / 10;
  if (l.copy) info.copy = true;
  return info;
}

/**
 * Tier 1: records sharing an id. Each record links to the earliest record of
 * the group it can join: starts within `idLinkMaxGapS`, and for multisport legs
 * (whose ids are often the whole file's) also overlapping time and compatible sports.
 */
function idLinks(recs: DedupRecord[], t: Times, o: Required<DedupOptions>): Link[] {
  const byPair = new Map<number, Link>();
  // Records are sorted by athlete and ids link only within one athlete's run; within it, the
  // records holding each id by key and value (a record's own id is `{ [source]: external_id }`).
  for (let from = 0; from < recs.length; ) {
    const athlete = recs[from]!.athlete_id;
    let to = from;
    const groups = new Map<string, Map<string, number[]>>();
    const add = (key: string, value: string, i: number) => {
      let values = groups.get(key);
      if (!values) groups.set(key, (values = new Map()));
      const g = values.get(value);
      if (!g) values.set(value, [i]);
      else if (g[g.length - 1] !== i) g.push(i);
    };
    for (; to < recs.length && recs[to]!.athlete_id === athlete; to++) {
      const r = recs[to]!;
      add(r.source, r.external_id, to);
      for (const k in r.external_ids) add(k, r.external_ids[k]!, to);
    }
    // Only ids held by two or more records can link; their order decides which key a pair reports.
    const shared: { key: string; g: number[] }[] = [];
    for (const [k, values] of groups) for (const [v, g] of values) if (g.length > 1) shared.push({ key: `${k}=${v}`, g });
    shared.sort((x, y) => compareStrings(x.key, y.key));
    for (const { key, g } of shared) linkGroup(recs, t, o, g, key, byPair);
    from = to;
  }
  return [...byPair.values()];
}

/** Link each record of one id group to the earliest one before it that it can join (see {@link idLinks}). */
function linkGroup(recs: DedupRecord[], t: Times, o: Required<DedupOptions>, g: readonly number[], key: string, byPair: Map<number, Link>): void {
  for (let k = 1; k < g.length; k++) {
    const bi = g[k]!;
    const b = recs[bi]!;
    for (let m = 0; m < k; m++) {
      const ai = g[m]!;
      const a = recs[ai]!;
      const gapS = Math.abs(t.start[bi]! - t.start[ai]!) / 1000;
      const overlap = overlapRatio(t, ai, bi);
      if (gapS > o.idLinkMaxGapS) continue;
      if ((isLeg(a) || isLeg(b)) && (overlap < o.minOverlap || !sportsCompatible(a.sport, b.sport))) continue;
      const pk = ai * recs.length + bi;
      if (!byPair.has(pk)) byPair.set(pk, { a: ai, b: bi, tier: 1, gapS, overlap, key });
      break;
    }
  }
}

/**
 * Tiers 2 and 3: sweep over records sorted by start, comparing each with later
 * ones inside the window; accepted links are appended to `links`. Routes are
 * resampled only for records that reach a route comparison.
 */
function sweepLinks(recs: DedupRecord[], t: Times, o: Required<DedupOptions>, stats: DedupStats, links: Link[]): void {
  const windowMs = Math.max(o.startToleranceS, o.routeStartToleranceS, o.copyStartToleranceS) * 1000;
  const routes = new Map<number, ResampledRoute | null>();
  const routeOf = (i: number): ResampledRoute | null => {
    let r = routes.get(i);
    if (r === undefined) {
      const route = recs[i]!.route;
      r = route ? resampleRoute(route, o.routePoints) : null;
      routes.set(i, r);
    }
    return r;
  };
  for (let i = 0; i < recs.length; i++) {
    const a = recs[i]!;
    const aStart = t.start[i]!;
    for (let j = i + 1; j < recs.length; j++) {
      const b = recs[j]!;
      if (b.athlete_id !== a.athlete_id || t.start[j]! - aStart > windowMs) break;
      stats.comparisons++;
      const copy = a.source === b.source;
      const overlap = overlapRatio(t, i, j);
      const gapS = (t.start[j]! - aStart) / 1000;
      // Two records of one source are distinct activities unless they coincide (copies) or share an id (tier 1).
      if (copy && (gapS > o.copyStartToleranceS || coincidence(t, i, j) < o.copyOverlap)) continue;
      if (overlap < o.minOverlap || !sportsCompatible(a.sport, b.sport)) continue;
      const dd = distanceDiff(a, b);
      const distanceOk =
        dd === undefined ||
        Math.abs(a.distance_m! - b.distance_m!) <= Math.max(o.distanceTolerance * Math.max(a.distance_m!, b.distance_m!), o.distanceFloorM);
      const ra = routeOf(i);
      const rb = ra ? routeOf(j) : null;
      let routeM: number | undefined;
      if (ra && rb) {
        stats.routeComparisons++;
        routeM = routeDistanceM(ra, rb);
      }
      // A late-detected copy (Oura's auto-detection starts minutes in) lies inside the other record.
      const startOk = gapS <= o.startToleranceS || (overlap >= o.containedOverlap && gapS <= o.routeStartToleranceS);
      let tier: MatchTier | 0 = 0;
      if (startOk && distanceOk) {
        if (routeM !== undefined && routeM > o.routeMatchM) stats.routeRejections++;
        else tier = 2;
      } else if (routeM !== undefined && routeM <= o.routeMatchM && gapS <= o.routeStartToleranceS) {
        // Copies (already found to coincide in time) whose distances disagree but whose routes agree are one
        // recording measured two ways: a GPX export's distance from its points counts what the device skipped while paused.
        tier = 3;
      }
      if (tier !== 0) links.push({ a: i, b: j, tier, gapS, overlap, key: undefined, distanceDiff: dd, routeM, copy });
    }
  }
}
