/** `athlete injuries`: record an injury (the injury model's labels) or list them. */
import { addInjury } from '../ml/injuries.ts';
import { UsageError } from './args.ts';
import { withWarehouse, type Command } from './context.ts';
import { formatTable } from './output.ts';

/** The injuries command; an invalid date, area or severity is a usage error naming the field. */
export const command: Command = {
  options: { date: 'value', area: 'value', severity: 'value', notes: 'value' },
  help: 'Injuries are stored per athlete and day; adding the same date and area again replaces it.',
  async run({ options, positionals }, ctx) {
    const sub = positionals[0];
    if (positionals.length !== 1 || (sub !== 'add' && sub !== 'list')) throw new UsageError('use: injuries add ... or injuries list');
    return withWarehouse(ctx, async (wh) => {
      if (sub === 'list') {
        const rows = await wh.all('SELECT date, area, severity, notes, source FROM injuries WHERE athlete_id = ? ORDER BY date', [ctx.config.ATHLETE_ID]);
        ctx.out(rows.length ? formatTable(['date', 'area', 'severity', 'notes', 'source'], rows) : 'no injuries recorded');
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
        });
      } catch (e) {
        if (e instanceof RangeError) throw new UsageError(e.message);
        throw e;
      }
      ctx.out(`${r.replaced ? 'updated' : 'recorded'} injury on ${r.date}: ${r.area}${r.severity ? ` (${r.severity})` : ''}`);
      return 0;
    }, sub === 'list' ? 'read' : 'write');
  },
};
