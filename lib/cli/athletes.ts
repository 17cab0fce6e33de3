/** `athlete athletes`: register the athletes of a squad, list them, remove one with all their rows. */
import { existsSync, rmSync } from 'node:fs';
import { listAthletes, previewRemoval, removeAthlete, saveAthlete, type AthleteInput } from '../core/athletes.ts';
import { checkAthleteId } from '../core/athlete_id.ts';
import { athleteModelPath } from '../ml/model_file.ts';
import { defaultTokenStorePath, TokenStore } from '../sources/http/token_store.ts';
import { UsageError, choiceOption } from './args.ts';
import { withWarehouse, type Command, type Context } from './context.ts';
import { modelDir } from './model_dir.ts';
import { formatJson, formatTable } from './output.ts';

function whole(v: string | boolean | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} needs a number, got ${String(v)}`);
  return n;
}

function text(v: string | boolean | undefined, name: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new UsageError(`--${name} needs a value`);
  return v;
}

/** The fields given on the command line; a RangeError from the checks becomes a usage error naming the field. */
async function add(id: string, options: Record<string, string | boolean>, ctx: Context): Promise<number> {
  const sex = options.sex === undefined ? undefined : choiceOption(options.sex, 'sex', ['male', 'female'] as const, 'male');
  const input: AthleteInput = {
    athlete_id: id,
    display_name: text(options.name, 'name'),
    birth_year: whole(options['birth-year'], 'birth-year'),
    sex,
    max_hr: whole(options['max-hr'], 'max-hr'),
    resting_hr: whole(options['resting-hr'], 'resting-hr'),
    home_time_zone: text(options['time-zone'], 'time-zone'),
  };
  return withWarehouse(ctx, async (wh) => {
    let r;
    try {
      r = await saveAthlete(wh, input);
    } catch (e) {
      if (e instanceof RangeError) throw new UsageError(e.message);
      throw e;
    }
    const a = r.athlete;
    const facts = [a.display_name, a.birth_year && `born ${a.birth_year}`, a.sex, a.max_hr && `max HR ${a.max_hr}`, a.resting_hr && `resting HR ${a.resting_hr}`, a.home_time_zone];
    ctx.out(`${r.created ? 'registered' : 'updated'} athlete ${a.athlete_id}${facts.some(Boolean) ? `: ${facts.filter(Boolean).join(', ')}` : ''}`);
    return 0;
  });
}

async function list(options: Record<string, string | boolean>, ctx: Context): Promise<number> {
  const format = choiceOption(options.format, 'format', ['table', 'json'] as const, 'table');
  return withWarehouse(
    ctx,
    async (wh) => {
      const rows = await listAthletes(wh);
      if (format === 'json') ctx.out(formatJson(rows.map((r) => ({ ...r }))));
      else if (rows.length === 0) ctx.out('no athletes yet: athlete athletes add ID, or import or sync data');
      else {
        const cols = ['athlete_id', 'display_name', 'birth_year', 'sex', 'max_hr', 'resting_hr', 'home_time_zone', 'workouts', 'last_data', 'registered'];
        ctx.out(formatTable(cols, rows.map((r) => ({ ...r, registered: r.registered ? 'yes' : 'no (data only)' }))));
      }
      return 0;
    },
    'read',
  );
}

function counts(deleted: Record<string, number>): string {
  const parts = Object.entries(deleted).map(([t, n]) => `${t} ${n}`);
  return parts.length ? parts.join(', ') : 'no rows';
}

async function remove(id: string, confirmed: boolean, ctx: Context): Promise<number> {
  return withWarehouse(ctx, async (wh) => {
    if (!confirmed) {
      const would = await previewRemoval(wh, id);
      throw new UsageError(`removing ${id} deletes ${counts(would)}, their saved tokens and model; nothing was removed: add --yes to remove them`);
    }
    const deleted = await removeAthlete(wh, id);
    await wh.checkpoint();
    // Secrets and the model go too, once the rows are gone.
    const tokens = await new TokenStore(defaultTokenStorePath(ctx.env), { athleteId: id }).deleteAthlete();
    const model = athleteModelPath(modelDir(wh), id);
    const hadModel = existsSync(model);
    if (hadModel) rmSync(model);
    ctx.out(`removed athlete ${id}: ${counts(deleted)}${tokens.length ? `; tokens of ${tokens.join(', ')}` : ''}${hadModel ? '; the injury model' : ''}`);
    return 0;
  });
}

/** The athletes command. */
export const command: Command = {
  options: { name: 'value', 'birth-year': 'value', sex: 'value', 'max-hr': 'value', 'resting-hr': 'value', 'time-zone': 'value', yes: 'flag', format: 'value' },
  help: `A squad lives in one warehouse: every row carries its athlete's id, and every command
works on one athlete, chosen with --athlete ID (default ATHLETE_ID).
  add ID              register an athlete, or update the fields given:
    --name TEXT         display name
    --birth-year YYYY
    --sex male|female   (Banister TRIMP weighting)
    --max-hr BPM        maximum heart rate
    --resting-hr BPM    resting heart rate
    --time-zone ZONE    home IANA time zone, e.g. Europe/Zurich: places workouts on local days
                        when no record says where they were
                      Values left unset fall back to the ATHLETE_* settings, then to estimates.
  list [--format table|json]
                      registered athletes and those only present in the data
  remove ID --yes     delete every row of the athlete from every table in one transaction,
                      their saved tokens and their injury model; without --yes, says what
                      would be deleted and deletes nothing (import_errors name files, not
                      athletes, and stay)`,
  async run({ options, positionals }, ctx) {
    const [sub, id, ...extra] = positionals;
    // The athlete is named here, not chosen with --athlete.
    const own: Context = { ...ctx, athleteChosen: false };
    if (sub === 'list' && id === undefined) return list(options, own);
    if ((sub !== 'add' && sub !== 'remove') || id === undefined || extra.length) {
      throw new UsageError('use: athletes add ID [...], athletes list, or athletes remove ID --yes');
    }
    try {
      checkAthleteId(id);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    return sub === 'add' ? add(id, options, own) : remove(id, options.yes === true, own);
  },
};
