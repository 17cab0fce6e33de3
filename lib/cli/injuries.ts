/** `athlete injuries`: record an injury (the injury model's labels) or list them. */
import { addInjury, setInjuryEnd } from '../ml/injuries.ts';
import { UsageError } from './args.ts';
import { withWarehouse, type Command } from './context.ts';
import { formatTable } from './output.ts';

/** The injuries command; an invalid date, area, severity or end date is a usage error naming the field. */
export const command: Command = {
  options: { date: 'value', area: 'value', severity: 'value', notes: 'value', end: 'value' },
  help: `Injuries are stored per athlete and day; adding the same date and area again replaces it.
  injuries add --date D --area A [--severity minor|moderate|severe] [--notes T] [--end R]
  injuries end --date D --area A --end R    record the return to full training (R) later
  injuries list
The injury model leaves the days from an injury to its end out of training; an injury
without an end is taken to last 28 days.`,
  async run({ options, positionals }, ctx) {
    const sub = positionals[0];
    if (positionals.length !== 1 || (sub !== 'add' && sub !== 'list' && sub !== 'end')) throw new UsageError('use: injuries add ..., injuries end ... or injuries list');
    return withWarehouse(ctx, async (wh) => {
      if (sub === 'list') {
        const rows = await wh.all('SELECT date, end_date, area, severity, notes, source FROM injuries WHERE athlete_id = ? ORDER BY date', [ctx.config.ATHLETE_ID]);
        ctx.out(rows.length ? formatTable(['date', 'end_date', 'area', 'severity', 'notes', 'source'], rows) : 'no injuries recorded');
        return 0;
      }
      if (sub === 'end') {
        if (typeof options.date !== 'string' || typeof options.area !== 'string' || typeof options.end !== 'string') {
          throw new UsageError('--date, --area and --end are required');
        }
        try {
          await setInjuryEnd(wh, ctx.config.ATHLETE_ID, options.date, options.area, options.end);
        } catch (e) {
          if (e instanceof RangeError) throw new UsageError(e.message);
          throw e;
        }
        ctx.out(`recorded the return to training on ${options.end} after the injury of ${options.date}`);
        return 0;
      }
      if (typeof options.date !== 'string' || typeof options.area !== 'string') throw new UsageError('--date and --area are required');
      let r;
      try {
        r = await addInjury(wh, {
          athleteId: ctx.config.ATHLETE_ID,
          date: options.date,
          area: options.area,
          severity: typeof options.severity === 'string' ? options.severity : undefined,
          notes: typeof options.notes === 'string' ? options.notes : undefined,
          endDate: typeof options.end === 'string' ? options.end : undefined,
        });
      } catch (e) {
        if (e instanceof RangeError) throw new UsageError(e.message);
        throw e;
      }
      ctx.out(`${r.replaced ? 'updated' : 'recorded'} injury on ${r.date}: ${r.area}${r.severity ? ` (${r.severity})` : ''}${r.end_date ? `, back on ${r.end_date}` : ''}`);
      return 0;
    }, sub === 'list' ? 'read' : 'write');
  },
};
