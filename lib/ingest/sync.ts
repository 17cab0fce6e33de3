/**
 * The sync orchestrator: pulls each configured source page by page, commits
 * every page together with the source's cursor (so an interrupted sync resumes
 * where it stopped, without loss or duplicates), and reports per source.
 */
import type { Warehouse } from '../core/warehouse.ts';
import { storeApart } from './store_apart.ts';
import { logger } from '../core/log.ts';
import { redactString } from '../core/redact.ts';
import type { BaseConnector, DateRange } from '../sources/base.ts';
import { RateLimitError } from '../sources/http/http.ts';

const log = logger('sync');

/** The outcome of one source's sync. */
export interface SourceSyncResult {
  source: string;
  status: 'success' | 'warning' | 'rate_limited' | 'error' | 'skipped';
  workouts: number;
  biometrics: number;
  errors: number;
  retry_after?: number;
  message?: string;
}

/** Where a source's sync stands, saved in sync_metadata.cursor. */
interface CursorState {
  /** End of the last window that completed. */
  complete_until?: string;
  /** A window in progress: which stream and the connector's resume point. */
  pending?: { start: string; end: string; stream: 'workouts' | 'biometrics'; cursor: string | null; rows?: number };
}

/** Wearables rescore recent days (sleep, recovery): re-read this much before the last complete window. */
const LOOKBACK_MS = 3 * 86_400_000;

async function readState(wh: Warehouse, source: string, athleteId: string): Promise<{ state: CursorState; records: number }> {
  const rows = await wh.all<{ cursor: string | null; records: number | null }>(
    'SELECT cursor, records FROM sync_metadata WHERE source = ? AND athlete_id = ?',
    [source, athleteId],
  );
  const row = rows[0];
  return { state: row?.cursor ? (JSON.parse(row.cursor) as CursorState) : {}, records: row?.records ?? 0 };
}

/** Save a source's sync state (status, cursor, message, record count) in sync_metadata. */
export async function writeState(
  wh: Warehouse,
  source: string,
  athleteId: string,
  status: string,
  state: CursorState,
  message: string | null,
  records: number | null,
): Promise<void> {
  await wh.run(
    `INSERT INTO sync_metadata (source, athlete_id, last_sync, sync_status, cursor, message, records)
     VALUES (?, ?, now()::TIMESTAMP, ?, ?, ?, ?)
     ON CONFLICT (source, athlete_id) DO UPDATE SET last_sync = excluded.last_sync, sync_status = excluded.sync_status,
       cursor = excluded.cursor, message = excluded.message, records = coalesce(excluded.records, sync_metadata.records)`,
    [source, athleteId, status, JSON.stringify(state), message === null ? null : redactString(message), records],
  );
}

/** Rows already in the warehouse for `source` inside `range` (workouts by start, readings by day). */
async function storedInWindow(wh: Warehouse, source: string, athleteId: string, range: DateRange): Promise<number> {
  const [r] = await wh.all<{ n: number }>(
    `SELECT (SELECT count(*) FROM source_workouts WHERE source = ? AND athlete_id = ? AND start_time >= ? AND start_time < ?)
          + (SELECT count(*) FROM source_biometrics WHERE source = ? AND athlete_id = ? AND date >= ?::DATE AND date < ?::DATE) AS n`,
    [source, athleteId, range.start, range.end, source, athleteId, range.start.toISOString().slice(0, 10), range.end.toISOString().slice(0, 10)],
  );
  return r?.n ?? 0;
}

/**
 * Sync one API source over `days` back from `now`. Each page and the cursor
 * that covers it are one transaction; the cursor moves only after its rows.
 */
export async function syncConnector(
  wh: Warehouse,
  connector: BaseConnector,
  opts: { athleteId: string; days: number; now?: Date; signal?: AbortSignal; onPage?: (source: string, rows: number) => void },
): Promise<SourceSyncResult> {
  const source = connector.source;
  const out: SourceSyncResult = { source, status: 'success', workouts: 0, biometrics: 0, errors: 0 };
  const { state, records: before } = await readState(wh, source, opts.athleteId);
  try {
    await connector.authenticate();
    const now = opts.now ?? new Date();
    let start = new Date(now.getTime() - opts.days * 86_400_000);
    if (state.complete_until) {
      const resumeFrom = new Date(Date.parse(state.complete_until) - LOOKBACK_MS);
      if (resumeFrom > start) start = resumeFrom;
    }
    let range: DateRange = { start, end: now };
    const pending = state.pending;
    if (pending) range = { start: new Date(pending.start), end: new Date(pending.end) };
    for (const stream of ['workouts', 'biometrics'] as const) {
      if (pending?.stream === 'biometrics' && stream === 'workouts') continue;
      const cursor = pending?.stream === stream ? pending.cursor : null;
      const pages = stream === 'workouts' ? connector.fetchWorkouts(range, { cursor, signal: opts.signal }) : connector.fetchBiometrics(range, { cursor, signal: opts.signal });
      for await (const page of pages) {
        // A finished workouts stream resumes at the start of biometrics, not at its own first page.
        const [nextStream, nextCursor] = page.cursor === null && stream === 'workouts' ? (['biometrics', null] as const) : ([stream, page.cursor] as const);
        const rows = (state.pending?.rows ?? 0) + page.result.workouts.length + page.result.biometrics.length;
        const next: CursorState = { ...state, pending: { start: range.start.toISOString(), end: range.end.toISOString(), stream: nextStream, cursor: nextCursor, rows } };
        const s = await storeApart(wh, page.result, {
          athleteId: opts.athleteId,
          alsoInTransaction: () => writeState(wh, source, opts.athleteId, 'running', next, null, null),
        });
        Object.assign(state, next);
        out.workouts += s.workouts;
        out.biometrics += s.biometrics;
        out.errors += s.errors;
        opts.onPage?.(source, s.workouts + s.biometrics);
        if (opts.signal?.aborted) throw new Error('sync aborted');
      }
    }
    // Rows of the whole window, including those committed by an interrupted run this one resumed.
    const total = Math.max(out.workouts + out.biometrics, state.pending?.rows ?? 0);
    if (total === 0 && before > 0 && (await storedInWindow(wh, source, opts.athleteId, range)) > 0) {
      out.status = 'warning';
      out.message = `no records returned for ${range.start.toISOString().slice(0, 10)}..${range.end.toISOString().slice(0, 10)}, although earlier syncs returned ${before}: the API may have changed`;
    }
    await writeState(wh, source, opts.athleteId, out.status, { complete_until: range.end.toISOString() }, out.message ?? null, Math.max(before, total));
  } catch (err) {
    if (err instanceof RateLimitError) {
      out.status = 'rate_limited';
      out.retry_after = err.retryAfter;
      out.message = err.message;
    } else {
      out.status = 'error';
      out.message = (err as Error).message;
    }
    log.warn('source sync stopped', { source, status: out.status, message: out.message });
    await writeState(wh, source, opts.athleteId, out.status, state, out.message ?? null, null);
  }
  return out;
}
