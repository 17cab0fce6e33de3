/**
 * Storing so that one record the warehouse refuses costs only itself: a batch
 * that fails is stored again in halves, then halves of the failing half, until
 * the record that fails is alone; it becomes an import_errors row naming its
 * input and record, and every other record is stored. The common case (the
 * batch stores) costs one transaction, as before.
 */
import { emptyResult, type ImportError, type ParseResult, type WorkoutStream } from '../core/models.ts';
import type { Warehouse } from '../core/warehouse.ts';
import { addStoreSummary, storeResult, type StoreSummary } from './store.ts';

/** A record with what travels with it: a workout and its stream, or a reading. */
type Unit = { workout: ParseResult['workouts'][number]; streams: WorkoutStream[] } | { reading: ParseResult['biometrics'][number] };

function unitsOf(r: ParseResult): Unit[] {
  const streams = new Map<string, WorkoutStream[]>();
  for (const s of r.streams) {
    const key = `${s.source}\u0000${s.external_id}`;
    const list = streams.get(key);
    if (list) list.push(s);
    else streams.set(key, [s]);
  }
  return [
    ...r.workouts.map((w): Unit => ({ workout: w, streams: streams.get(`${w.source}\u0000${w.external_id}`) ?? [] })),
    ...r.biometrics.map((b): Unit => ({ reading: b })),
  ];
}

function resultOf(units: readonly Unit[]): ParseResult {
  const r = emptyResult();
  for (const u of units) {
    if ('reading' in u) r.biometrics.push(u.reading);
    else {
      r.workouts.push(u.workout);
      r.streams.push(...u.streams);
    }
  }
  return r;
}

function refused(u: Unit, err: unknown): ImportError {
  const message = err instanceof Error ? err.message : String(err);
  if ('reading' in u) {
    const b = u.reading;
    return { input: b.input ?? '(unknown input)', record: `${b.source ?? '?'} ${b.metric_type ?? '?'} ${String(b.date ?? '?')}`, reason: `could not be stored: ${message}` };
  }
  const w = u.workout;
  return { input: w.input ?? '(unknown input)', record: `${w.source ?? '?'} ${w.external_id ?? '?'}`, reason: `could not be stored: ${message}` };
}

/**
 * Failures of the warehouse rather than of a record (busy, out of space, I/O,
 * closed): the batch is not split for them, the error goes up, and nothing is
 * recorded as refused that a re-run would store.
 */
function aboutTheWarehouse(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return err.name === 'WarehouseBusyError' || /\b(IO Error|disk|No space|read-only|closed|FATAL|INTERNAL Error|connection)\b/i.test(err.message);
}

/**
 * {@link storeResult}, except that records the warehouse refuses are found
 * by halving and recorded as rows (counted as `invalid`) while the rest is
 * stored. `alsoInTransaction` commits with the last write, after every record.
 */
export async function storeApart(
  wh: Warehouse,
  result: ParseResult,
  opts: Parameters<typeof storeResult>[2],
): Promise<StoreSummary> {
  const recordsBefore = result.workouts.length + result.biometrics.length;
  try {
    return await storeResult(wh, result, opts);
  } catch (err) {
    if (aboutTheWarehouse(err) || result.workouts.length + result.biometrics.length === 0) throw err;
  }
  // The failed attempt gated the result in place: the records it rejected are gone, with their rows in result.errors.
  const gateRejected = recordsBefore - (result.workouts.length + result.biometrics.length);
  const total: StoreSummary = { workouts: 0, biometrics: 0, points: 0, errors: 0, invalid: gateRejected, warnings: 0 };
  const rows: ImportError[] = [...result.errors];
  const pieces: Unit[][] = [unitsOf(result)];
  for (let piece = pieces.pop(); piece; piece = pieces.pop()) {
    try {
      addStoreSummary(total, await storeResult(wh, resultOf(piece), { athleteId: opts.athleteId, now: opts.now }));
    } catch (err) {
      if (aboutTheWarehouse(err)) throw err;
      if (piece.length === 1) {
        rows.push(refused(piece[0]!, err));
        total.invalid++;
        continue;
      }
      const half = Math.ceil(piece.length / 2);
      pieces.push(piece.slice(half), piece.slice(0, half));
    }
  }
  const last = await storeResult(wh, { ...emptyResult(), errors: rows }, opts);
  total.errors += last.errors;
  total.warnings += last.warnings;
  return total;
}
