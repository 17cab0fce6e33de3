/**
 * Sport taxonomy: maps the many names sources give a sport to one canonical
 * sport and its category. Table-driven: add a row, not a branch.
 */
import type { SportCategory } from './models.ts';

/** A canonical sport and its category. */
export interface SportInfo {
  sport: string;
  category: SportCategory;
}

/** Canonical sports with their category. */
export const CANONICAL_SPORTS: Record<string, SportCategory> = {
  running: 'ENDURANCE',
  trail_running: 'ENDURANCE',
  treadmill_running: 'ENDURANCE',
  track_running: 'ENDURANCE',
  cycling: 'ENDURANCE',
  indoor_cycling: 'ENDURANCE',
  mountain_biking: 'ENDURANCE',
  gravel_cycling: 'ENDURANCE',
  swimming: 'ENDURANCE',
  open_water_swimming: 'ENDURANCE',
  walking: 'ENDURANCE',
  hiking: 'ENDURANCE',
  rowing: 'ENDURANCE',
  indoor_rowing: 'ENDURANCE',
  cross_country_skiing: 'ENDURANCE',
  alpine_skiing: 'MIXED',
  paddling: 'ENDURANCE',
  elliptical: 'ENDURANCE',
  stair_climbing: 'ENDURANCE',
  triathlon: 'ENDURANCE',
  strength_training: 'STRENGTH',
  crossfit: 'STRENGTH',
  hiit: 'MIXED',
  yoga: 'MIXED',
  pilates: 'MIXED',
  climbing: 'STRENGTH',
  soccer: 'BALL_SPORT',
  basketball: 'BALL_SPORT',
  rugby: 'BALL_SPORT',
  hockey: 'BALL_SPORT',
  handball: 'BALL_SPORT',
  volleyball: 'BALL_SPORT',
  tennis: 'BALL_SPORT',
  american_football: 'BALL_SPORT',
  cricket: 'BALL_SPORT',
  padel: 'BALL_SPORT',
  squash: 'BALL_SPORT',
  badminton: 'BALL_SPORT',
  diving: 'MIXED',
  workout: 'MIXED',
  other: 'MIXED',
};

/** Source names (normalised: lower case, separators removed) to canonical sports. */
const ALIASES: Record<string, string> = {
  // running
  run: 'running', running: 'running', virtualrun: 'treadmill_running', trailrun: 'trail_running',
  trailrunning: 'trail_running', trail: 'trail_running', treadmill: 'treadmill_running', treadmillrun: 'treadmill_running',
  treadmillrunning: 'treadmill_running', indoorrunning: 'treadmill_running', indoorrun: 'treadmill_running',
  track: 'track_running', trackrunning: 'track_running', streetrunning: 'running', roadrunning: 'running',
  // cycling
  ride: 'cycling', cycling: 'cycling', biking: 'cycling', bike: 'cycling', roadbiking: 'cycling', road: 'cycling',
  roadcycling: 'cycling', virtualride: 'indoor_cycling', indoorcycling: 'indoor_cycling', spinning: 'indoor_cycling',
  indoorride: 'indoor_cycling', trainer: 'indoor_cycling', virtualactivity: 'indoor_cycling', mountainbikeride: 'mountain_biking',
  mountainbiking: 'mountain_biking', mountain: 'mountain_biking', mtb: 'mountain_biking', gravelride: 'gravel_cycling',
  gravelcycling: 'gravel_cycling', gravel: 'gravel_cycling', ebikeride: 'cycling', emountainbikeride: 'mountain_biking',
  handcycle: 'cycling', velomobile: 'cycling',
  // swimming
  swim: 'swimming', swimming: 'swimming', lapswimming: 'swimming', poolswimming: 'swimming', pool: 'swimming',
  openwaterswimming: 'open_water_swimming', openwater: 'open_water_swimming',
  // walking and hiking
  walk: 'walking', walking: 'walking', casualwalking: 'walking', speedwalking: 'walking', hike: 'hiking',
  hiking: 'hiking', mountaineering: 'hiking',
  // rowing and paddling
  rowing: 'rowing', rowingmachine: 'indoor_rowing', indoorrowing: 'indoor_rowing', canoeing: 'paddling',
  kayaking: 'paddling', standuppaddling: 'paddling', standuppaddleboarding: 'paddling', paddling: 'paddling',
  paddlesports: 'paddling', sup: 'paddling',
  // skiing
  nordicski: 'cross_country_skiing', crosscountryskiing: 'cross_country_skiing', backcountryski: 'cross_country_skiing',
  crosscountryskiingws: 'cross_country_skiing', skatingski: 'cross_country_skiing', alpineski: 'alpine_skiing',
  alpineskiing: 'alpine_skiing', downhillskiing: 'alpine_skiing', snowboard: 'alpine_skiing', snowboarding: 'alpine_skiing',
  // gym
  weighttraining: 'strength_training', strengthtraining: 'strength_training', strength: 'strength_training',
  traditionalstrengthtraining: 'strength_training', functionalstrengthtraining: 'strength_training',
  weightlifting: 'strength_training', powerlifting: 'strength_training', crossfit: 'crossfit',
  highintensityintervaltraining: 'hiit', hiit: 'hiit', yoga: 'yoga', pilates: 'pilates', elliptical: 'elliptical',
  stairstepper: 'stair_climbing', stairclimbing: 'stair_climbing', stairs: 'stair_climbing', rockclimbing: 'climbing',
  climbing: 'climbing', bouldering: 'climbing', indoorclimbing: 'climbing',
  // ball sports
  soccer: 'soccer', football: 'soccer', soccerfootball: 'soccer', futsal: 'soccer', basketball: 'basketball',
  rugby: 'rugby', hockey: 'hockey', fieldhockey: 'hockey', icehockey: 'hockey', handball: 'handball',
  volleyball: 'volleyball', beachvolleyball: 'volleyball', tennis: 'tennis', tabletennis: 'tennis',
  americanfootball: 'american_football', cricket: 'cricket', padel: 'padel', squash: 'squash', badminton: 'badminton',
  pickleball: 'padel', lacrosse: 'hockey', australianfootball: 'rugby',
  // other
  multisport: 'triathlon', triathlon: 'triathlon', diving: 'diving', snorkeling: 'diving', workout: 'workout',
  activity: 'workout', training: 'workout', cardio: 'workout', fitnessequipment: 'workout', generic: 'workout',
  mixedcardio: 'workout', crosstraining: 'workout', other: 'other', transition: 'other',
};

function normalise(name: string): string {
  return name
    .toLowerCase()
    .replace(/^hkworkoutactivitytype/, '')
    .replace(/[^a-z0-9]/g, '');
}

/**
 * Map a source's sport name (and optional sub-sport) to a canonical sport.
 * The sub-sport wins when it is more specific (FIT `running`/`treadmill`).
 * Unknown names map to `other` (MIXED) rather than failing an import.
 */
export function mapSport(name: string | null | undefined, subSport?: string | null): SportInfo {
  const sub = subSport ? ALIASES[normalise(subSport)] : undefined;
  const main = name ? ALIASES[normalise(name)] : undefined;
  let sport = main ?? sub ?? 'other';
  if (sub && sub !== 'workout' && sub !== 'other' && (main === undefined || main === 'workout' || main === 'other' || sameFamily(main, sub))) sport = sub;
  return { sport, category: CANONICAL_SPORTS[sport] ?? 'MIXED' };
}

const FAMILIES: string[][] = [
  ['running', 'trail_running', 'treadmill_running', 'track_running'],
  ['cycling', 'indoor_cycling', 'mountain_biking', 'gravel_cycling'],
  ['swimming', 'open_water_swimming'],
  ['rowing', 'indoor_rowing'],
  ['walking', 'hiking'],
  ['strength_training', 'crossfit'],
];

/** The family a canonical sport belongs to (`running` for a treadmill run); itself when it has none. */
export function sportFamily(sport: string): string {
  for (const f of FAMILIES) if (f.includes(sport)) return f[0]!;
  return sport;
}

/**
 * Whether a canonical sport's cadence is stored in steps per minute (running,
 * walking, hiking): FIT files and Strava count strides (one per two steps)
 * for these, so their values are doubled on the way in.
 */
export function isStepSport(sport: string): boolean {
  const family = sportFamily(sport);
  return family === 'running' || family === 'walking';
}

function sameFamily(a: string, b: string): boolean {
  return sportFamily(a) === sportFamily(b);
}

/**
 * Whether two recordings of different sports can be the same activity: the
 * same family, or one of them is a generic activity (a strap's "Activity").
 */
export function sportsCompatible(a: string, b: string): boolean {
  if (a === b) return true;
  const generic = (s: string) => s === 'workout' || s === 'other';
  return generic(a) || generic(b) || sameFamily(a, b);
}
