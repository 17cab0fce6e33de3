/**
 * The demo squad (`DEMO_ATHLETES=N`): the demo athlete and N − 1 team-mates,
 * each with their own profile, physiology, training volume, random history
 * (illness, injuries, which devices recorded what) and last day of data, all
 * derived from the seed, so the same settings give the same squad. Each
 * member's export files are written and imported like the demo athlete's.
 */
import { basename, dirname, join } from 'node:path';
import { saveAthlete, type AthleteInput } from '../core/athletes.ts';
import type { Warehouse } from '../core/warehouse.ts';
import type { SourceSyncResult } from '../ingest/sync.ts';
import type { AthleteVariation } from './athlete.ts';
import { addDays } from './clock.ts';
import { Rng } from './random.ts';
import { DEFAULT_DEMO_DIR } from './files.ts';
import { syncDemo } from './sync.ts';

/** The demo's last day, as `generateDemo` defaults it. */
const DEMO_END_DATE = '2026-11-01';

const NAMES = {
  female: ['Ana Costa', 'Lea Meier', 'Mia Jensen', 'Sara Novak', 'Emma Roth', 'Nina Berg', 'Ida Lund', 'Zoe Keller', 'Eva Horvat', 'Lina Vogt'],
  male: ['Luca Rossi', 'Jonas Weber', 'Noah Fischer', 'Elias Brun', 'Tim Schmid', 'Milan Kovac', 'Aaron Frei', 'Jan Novak', 'Leon Graf', 'Ben Huber'],
} as const;

/** One member of the demo squad: who they are, where their files go and how they are simulated. */
export interface SquadMember {
  athleteId: string;
  dir: string;
  seed: number;
  /** Their last day of data; absent for the demo athlete (the demo's own last day). */
  endDate?: string;
  variation?: AthleteVariation;
  /** Their registration (athlete athletes add). */
  registration: AthleteInput;
}

/** Where team-mates' files go: `<demo dir>-squad/<athlete id>`, beside (not inside) the demo athlete's folder. */
export function squadDir(demoDir: string): string {
  return join(dirname(demoDir), `${basename(demoDir)}-squad`);
}

/**
 * The squad's members: the demo athlete (`athleteId`, the demo's seed, folder
 * and profile), then `demo-02`, `demo-03`, ... Maximum HR is 208 − 0.7 × age
 * (Tanaka, Monahan & Seals 2001, J Am Coll Cardiol 37:153) give or take 5 bpm.
 */
export function demoSquad(size: number, opts: { athleteId: string; dir?: string; seed?: number }): SquadMember[] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`demo squad size: ${size} is not a whole number of athletes`);
  const dir = opts.dir ?? DEFAULT_DEMO_DIR;
  const seed = opts.seed ?? 42;
  const members: SquadMember[] = [
    {
      athleteId: opts.athleteId,
      dir,
      seed,
      registration: {
        athlete_id: opts.athleteId,
        display_name: 'Demo Athlete',
        birth_year: 1991,
        sex: 'male',
        max_hr: 191,
        resting_hr: 50,
        home_time_zone: 'Europe/Zurich',
      },
    },
  ];
  for (let k = 2; k <= size; k++) {
    const athleteId = `demo-${String(k).padStart(2, '0')}`;
    const rng = Rng.from(seed, `squad:${k}`);
    const sex = rng.chance(0.5) ? 'female' : 'male';
    const birthYear = rng.int(1982, 2004);
    const age = Number(DEMO_END_DATE.slice(0, 4)) - birthYear;
    const maxHr = Math.round(208 - 0.7 * age + rng.normal(0, 3));
    const restingHr = rng.int(42, 60);
    const weightKg = Math.round((sex === 'female' ? rng.range(54, 68) : rng.range(64, 84)) * 10) / 10;
    const name = NAMES[sex][(k - 2) % NAMES[sex].length]!;
    const variation: AthleteVariation = {
      profile: { athlete_id: athleteId, name, birth_year: birthYear, sex, max_hr: maxHr, resting_hr: restingHr, ftp_w: Math.round(weightKg * rng.range(2.8, 4.2)) },
      weightKg,
      hrvMs: Math.round(rng.range(45, 95)),
      volume: Math.round(rng.range(0.7, 1.3) * 100) / 100,
    };
    members.push({
      athleteId,
      dir: join(squadDir(dir), athleteId),
      seed: seed + 1000 * k,
      // Not everyone has synced lately: up to three weeks without new data.
      endDate: addDays(DEMO_END_DATE, -rng.int(0, 21)),
      variation,
      registration: { athlete_id: athleteId, display_name: name, birth_year: birthYear, sex, max_hr: maxHr, resting_hr: restingHr, home_time_zone: 'Europe/Zurich' },
    });
  }
  return members;
}

/**
 * Load the demo squad: register each member and load their files (see
 * `syncDemo`). A squad of one is the demo athlete alone, unregistered, as
 * `syncDemo` loads it. Result sources are `<athlete>/<source>` in a squad.
 */
export async function syncDemoSquad(
  wh: Warehouse,
  opts: { athleteId: string; athletes: number; dir?: string; seed?: number; days?: number; onProgress?: (source: string, done: number, total: number) => void },
): Promise<SourceSyncResult[]> {
  const members = demoSquad(opts.athletes, opts);
  if (members.length === 1) return syncDemo(wh, opts);
  const results: SourceSyncResult[] = [];
  for (const m of members) {
    await saveAthlete(wh, m.registration);
    const simulation = m.endDate === undefined ? undefined : { endDate: m.endDate, variation: m.variation };
    const r = await syncDemo(wh, {
      athleteId: m.athleteId,
      dir: m.dir,
      seed: m.seed,
      days: opts.days,
      simulation,
      onProgress: (s, d, t) => opts.onProgress?.(`${m.athleteId}/${s}`, d, t),
    });
    results.push(...r.map((x) => ({ ...x, source: `${m.athleteId}/${x.source}` })));
  }
  return results;
}
