/**
 * What the warehouse holds: some tables come from migrations other features
 * add later, so the report asks before reading them.
 */
import type { SqlRunner } from '../core/warehouse.ts';

/** Whether a table (or view) named `table` exists in the main schema. */
export async function tableExists(db: SqlRunner, table: string): Promise<boolean> {
  const rows = await db.all<{ n: number | bigint }>(
    `SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'main' AND table_name = ?`,
    [table],
  );
  return Number(rows[0]?.n ?? 0) > 0;
}

/** A JSON column's value as a JS value: DuckDB hands JSON back as text; already-parsed values pass through. */
export function parseJsonColumn(v: unknown): unknown {
  if (typeof v !== 'string') return v ?? null;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return null;
  }
}
