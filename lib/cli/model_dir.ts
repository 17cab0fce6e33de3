/** Where the injury models live: beside the database file (the warehouse folder by default). */
import { dirname } from 'node:path';
import { WAREHOUSE_DIR, databasePath, type Warehouse } from '../core/warehouse.ts';

/** The model folder of a configured DATABASE_URL, without opening the database. */
export function modelDirFor(databaseUrl: string | undefined): string {
  const p = databasePath(databaseUrl);
  return p === ':memory:' ? WAREHOUSE_DIR : dirname(p);
}

/** The model folder of an open warehouse. */
export function modelDir(wh: Warehouse): string {
  return wh.path === ':memory:' ? WAREHOUSE_DIR : dirname(wh.path);
}
