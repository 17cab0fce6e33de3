/**
 * SQL on the project's warehouse from a notebook: one connection per kernel,
 * opened on first use from DATABASE_URL (the default warehouse file otherwise).
 */
import { from, type ColumnTable } from 'arquero';
import { Warehouse, type Row } from '../lib/core/warehouse.ts';

let opened: Promise<Warehouse> | undefined;

/** The kernel's warehouse connection, opened (and migrated) on first use. */
export function warehouse(): Promise<Warehouse> {
  opened ??= Warehouse.open(process.env.DATABASE_URL).catch((err: unknown) => {
    opened = undefined;
    throw err;
  });
  return opened;
}

/** Run `query` (positional `?` parameters) and return its rows as plain objects. */
export async function sql<T = Row>(query: string, params: readonly unknown[] = []): Promise<T[]> {
  return (await warehouse()).all<T>(query, params);
}

/** Run `query` and return the rows as an arquero table. */
export async function sqlFrame(query: string, params: readonly unknown[] = []): Promise<ColumnTable> {
  return from(await sql(query, params));
}

/** Close the kernel's connection; the next query opens a new one. */
export async function closeWarehouse(): Promise<void> {
  const wh = opened;
  opened = undefined;
  if (wh) (await wh).close();
}
