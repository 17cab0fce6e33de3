/**
 * Pagination styles as small generators: page numbers until an empty page
 * (Strava), a next token (Oura, WHOOP), offset and limit (Garmin), and a
 * chain of several collections behind one cursor.
 */

/** One fetched batch and where to resume after it (null: done). */
export interface Batch<T> {
  items: T[];
  cursor: string | null;
}

/** Page numbers from 1 (or the cursor) until the service returns an empty page. */
export async function* pageNumbers<T>(fetch: (page: number) => Promise<T[]>, cursor?: string | null): AsyncGenerator<Batch<T>> {
  let page = cursor ? Number(cursor) : 1;
  if (!Number.isInteger(page) || page < 1) throw new Error(`bad page cursor "${cursor}"`);
  for (;;) {
    const items = await fetch(page);
    const next = items.length === 0 ? null : String(page + 1);
    yield { items, cursor: next };
    if (next === null) return;
    page += 1;
  }
}

/** A next-token chain: start without a token (or at the cursor) until the service sends none. */
export async function* nextTokens<T>(
  fetch: (token: string | null) => Promise<{ items: T[]; next: string | null | undefined }>,
  cursor?: string | null,
): AsyncGenerator<Batch<T>> {
  let token = cursor ?? null;
  for (;;) {
    const { items, next } = await fetch(token);
    const c = next ? next : null;
    yield { items, cursor: c };
    if (c === null) return;
    token = c;
  }
}

/** Offset and limit: stops on a short page. */
export async function* offsets<T>(fetch: (offset: number, limit: number) => Promise<T[]>, limit: number, cursor?: string | null): AsyncGenerator<Batch<T>> {
  let offset = cursor ? Number(cursor) : 0;
  if (!Number.isInteger(offset) || offset < 0) throw new Error(`bad offset cursor "${cursor}"`);
  for (;;) {
    const items = await fetch(offset, limit);
    const next = items.length < limit ? null : String(offset + limit);
    yield { items, cursor: next };
    if (next === null) return;
    offset += limit;
  }
}

/** One named part of a chain; `run` resumes from its own inner cursor. */
export interface ChainPart<P> {
  key: string;
  run: (cursor: string | null) => AsyncIterable<{ page: P; cursor: string | null }>;
}

/**
 * Run several collections one after another behind one cursor, a JSON
 * `{"part": key, "cursor": inner}`; the last page of the last part gives null.
 */
export async function* chain<P>(parts: ChainPart<P>[], cursor?: string | null): AsyncGenerator<{ page: P; cursor: string | null }> {
  let startIdx = 0;
  let inner: string | null = null;
  if (cursor) {
    let parsed: { part?: unknown; cursor?: unknown };
    try {
      parsed = JSON.parse(cursor) as { part?: unknown; cursor?: unknown };
    } catch {
      throw new Error(`bad cursor "${cursor}": expected {"part":…,"cursor":…}`);
    }
    startIdx = parts.findIndex((p) => p.key === parsed.part);
    if (startIdx < 0) throw new Error(`bad cursor: unknown part "${String(parsed.part)}"`);
    inner = typeof parsed.cursor === 'string' ? parsed.cursor : null;
  }
  for (let i = startIdx; i < parts.length; i++) {
    const part = parts[i]!;
    const following = parts[i + 1];
    for await (const { page, cursor: c } of part.run(i === startIdx ? inner : null)) {
      const out =
        c !== null ? JSON.stringify({ part: part.key, cursor: c }) : following ? JSON.stringify({ part: following.key, cursor: null }) : null;
      yield { page, cursor: out };
    }
  }
}
