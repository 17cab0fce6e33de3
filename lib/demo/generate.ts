/**
 * The demo athlete on disk: simulates the athlete and writes the export
 * files of every source, plus ground truth for deduplication. Deterministic:
 * the same seed, end date and span give byte-identical files.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { KINDS, simulateAthlete, type AthleteVariation, type PlannedWorkout } from './athlete.ts';
import { utcIso } from './clock.ts';
import { csvText } from './csv.ts';
import { summarise, simulateTrack, type Track, type TrackAthlete, type TrackSummary } from './track.ts';
import { encodeFitActivity, recordIndices, type FitLeg } from './write_fit.ts';
import { tcxText } from './write_exports.ts';
import { Rng } from './random.ts';
import { writeOura } from './write_oura.ts';
import { writeScale } from './write_scale.ts';
import { writeStrava } from './write_strava.ts';
import { writeWhoop } from './write_whoop.ts';
import { garminActivityId, garminExternalId, tcxExternalId } from './source_ids.ts';

const SEVERITY = ['minor', 'moderate', 'severe'] as const;

/** Bumped whenever the generator's output changes, so existing demo folders are regenerated. */
export const DEMO_VERSION = 3;

/** Every this-many-th outdoor watch run is also exported from Garmin Connect as TCX: one recording, two files, one source. */
const TCX_COPY_EVERY = 10;

/** Options of `generateDemo`. Defaults: seed 42, endDate 2026-11-01 (the last local day), 730 days. */
export interface DemoOptions {
  seed?: number;
  endDate?: string;
  days?: number;
  /** A squad member's own profile and physiology (see `squad.ts`). */
  variation?: AthleteVariation;
}

/** What `generateDemo` wrote. */
export interface DemoSummary {
  seed: number;
  firstDay: string;
  endDate: string;
  days: number;
  /** Real workouts the athlete did. */
  truthWorkouts: number;
  /** Workout records per source. */
  workouts: { garmin: number; garmin_files: number; garmin_tcx_copies: number; strava: number; whoop: number; oura: number };
  /** Biometric rows per source file. */
  biometrics: { whoop_cycles: number; oura_sleep: number; oura_daily: number; vesync_weights: number };
  clusters: number;
  nearMisses: number;
  injuries: number;
  /** Relative paths of the files written, sorted. */
  files: string[];
}

/** A record reference in ground_truth.json. */
interface RecordRef {
  source: string;
  external_id: string;
}

const OUR_FOLDERS = ['garmin', 'strava_export', 'whoop_export', 'oura_export', 'vesync'];

/** Generate the demo athlete's files under `outDir` (its own sub-folders are replaced). */
export async function generateDemo(outDir: string, opts: DemoOptions = {}): Promise<DemoSummary> {
  const seed = opts.seed ?? 42;
  const endDate = opts.endDate ?? '2026-11-01';
  const days = opts.days ?? 730;
  const athlete = simulateAthlete({ seed, endDate, days, variation: opts.variation });
  const files = new Map<string, Uint8Array | string>();
  const physio = (w: PlannedWorkout): TrackAthlete => {
    const d = athlete.days.find((x) => x.day === w.day);
    return { maxHr: athlete.profile.max_hr, restingHr: d?.restingHr ?? 50, ftpW: athlete.profile.ftp_w, weightKg: d?.weightKg ?? 72 };
  };

  const summaries: { workout: PlannedWorkout; summary: TrackSummary; track: Track | null }[] = [];
  const garminIds = new Map<string, string>();
  const tcxIds = new Map<string, string>();
  let outdoorRuns = 0;
  const workouts = athlete.workouts;
  for (let i = 0; i < workouts.length; i++) {
    const w = workouts[i]!;
    const legs: FitLeg[] = [];
    const group = w.brick ? workouts.filter((o) => o.brick?.id === w.brick?.id) : [w];
    if (w.brick && group[0] !== w) continue;
    for (const leg of group) {
      const a = physio(leg);
      const track = simulateTrack(leg, a);
      const summary = summarise(track, a);
      legs.push({ workout: leg, track, summary });
      summaries.push({ workout: leg, summary, track: leg.coverage.strava === 'file' ? track : null });
    }
    const device = w.coverage.garminDevice === null ? undefined : athlete.profile.devices[w.coverage.garminDevice];
    if (device) {
      const bytes = encodeFitActivity(legs, device, physio(w));
      files.set(`garmin/${garminActivityId(w.startMs)}.fit`, bytes);
      legs.forEach((leg, idx) =>
        garminIds.set(leg.workout.truthId, garminExternalId(device.serialNumber, w.startMs, legs.length > 1 ? idx : undefined)),
      );
      const only = legs.length === 1 ? legs[0]! : null;
      const run = w.kind === 'easy_run' || w.kind === 'long_run';
      if (only && run && only.track.lat && ++outdoorRuns % TCX_COPY_EVERY === 0) {
        files.set(`garmin/${garminActivityId(w.startMs)}.tcx`, garminTcx(only, device.productName, device.serialNumber));
        tcxIds.set(w.truthId, tcxExternalId(w.startMs));
      }
    }
    // Tracks are large: keep only those Strava still has to write.
    for (const s of summaries) if (s.track && s.workout.coverage.strava !== 'file') s.track = null;
  }

  const strava = writeStrava(summaries, seed);
  for (const [p, b] of strava.files) files.set(p, b);
  const whoop = writeWhoop(athlete.days, summaries, athlete.profile.max_hr, seed);
  for (const [p, b] of whoop.files) files.set(p, b);
  const oura = writeOura(athlete.days, summaries, seed);
  files.set('oura_export/oura.json', oura.text);
  const scale = writeScale(athlete.days);
  files.set('vesync/weights.csv', scale.text);

  files.set('athlete.json', `${JSON.stringify({ ...athlete.profile, trip: athlete.trip, first_day: athlete.firstDay, last_day: athlete.lastDay }, null, 2)}\n`);
  files.set('injuries.csv', csvText(['date', 'area', 'severity', 'notes', 'end_date'], athlete.injuries.map((j) => [j.date, j.area, SEVERITY[j.severity - 1]!, j.notes, j.endDate])));

  const refsOf = (truthId: string): RecordRef[] => {
    const refs: RecordRef[] = [];
    const g = garminIds.get(truthId);
    if (g) refs.push({ source: 'garmin', external_id: g });
    const t = tcxIds.get(truthId);
    if (t) refs.push({ source: 'garmin', external_id: t });
    const s = strava.ids.get(truthId);
    if (s) refs.push({ source: 'strava', external_id: s });
    const wh = whoop.ids.get(truthId);
    if (wh) refs.push({ source: 'whoop', external_id: wh });
    const o = oura.ids.get(truthId);
    if (o) refs.push({ source: 'oura', external_id: o });
    return refs;
  };
  const clusters = workouts
    .map((w) => ({ truth_id: w.truthId, sport: KINDS[w.kind].sport, start_utc: utcIso(w.startMs), records: refsOf(w.truthId) }))
    .filter((c) => c.records.length > 0);
  const nearMisses: [RecordRef, RecordRef][] = [];
  for (const p of athlete.nearMisses) {
    const a = refsOf(p.a)[0];
    const b = refsOf(p.b)[0];
    if (a && b) nearMisses.push([a, b]);
  }
  files.set('ground_truth.json', `${JSON.stringify({ clusters, near_misses: nearMisses }, null, 1)}\n`);

  for (const folder of OUR_FOLDERS) rmSync(join(outDir, folder), { recursive: true, force: true });
  const paths = [...files.keys()].sort();
  for (const rel of paths) {
    const full = join(outDir, rel);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, files.get(rel)!);
  }
  return {
    seed,
    firstDay: athlete.firstDay,
    endDate,
    days,
    truthWorkouts: workouts.length,
    workouts: {
      garmin: garminIds.size,
      garmin_files: paths.filter((p) => p.startsWith('garmin/') && p.endsWith('.fit')).length,
      garmin_tcx_copies: tcxIds.size,
      strava: strava.ids.size,
      whoop: whoop.ids.size,
      oura: oura.ids.size,
    },
    biometrics: { whoop_cycles: whoop.cycles, oura_sleep: oura.counts.sleep ?? 0, oura_daily: (oura.counts.daily_sleep ?? 0) + (oura.counts.daily_readiness ?? 0) + (oura.counts.daily_activity ?? 0), vesync_weights: scale.rows },
    clusters: clusters.length,
    nearMisses: nearMisses.length,
    injuries: athlete.injuries.length,
    files: paths,
  };
}

/** Garmin Connect's TCX export of a one-session watch activity: the FIT's own samples and summary. */
function garminTcx(leg: FitLeg, productName: string, serialNumber: number): string {
  const { workout: w, track, summary: s } = leg;
  const idx = recordIndices(w.kind, track.n, new Rng(w.seed).fork('fit'));
  const pick = (col: Float64Array | null) => (col ? Float64Array.from(idx, (t) => col[t]!) : null);
  const samples = { time: Float64Array.from(idx, (t) => w.startMs + t * 1000), lat: pick(track.lat), lon: pick(track.lon), alt: pick(track.alt), dist: pick(track.dist), hr: pick(track.hr) };
  return tcxText(samples, {
    sport: 'Running',
    startMs: w.startMs,
    elapsedS: s.elapsedS,
    distanceM: s.distanceM,
    calories: s.calories,
    avgHr: s.avgHr,
    maxHr: s.maxHr,
    device: productName,
    unitId: serialNumber,
  });
}
