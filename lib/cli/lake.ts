/** `athlete export --format lake` and `athlete import --lake`: the warehouse as a Parquet lake, and back. */
import { resolve } from 'node:path';
import { exportLake } from '../lake/export.ts';
import { importLake } from '../lake/import.ts';
import { withWarehouse, type Context } from './context.ts';

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** Write or update the lake at `output` (default reports/lake); only changed partitions are rewritten. */
export async function writeLake(output: string | undefined, ctx: Context): Promise<number> {
  const dir = resolve(output ?? 'reports/lake');
  return withWarehouse(
    ctx,
    async (wh) => {
      const s = await exportLake(wh, dir, {
        onTable: (table, t) => ctx.err(`  ${table.padEnd(18)} ${t.rows} rows in ${t.partitions} partitions: ${t.written} written, ${t.unchanged} unchanged, ${t.removed} removed`),
      });
      ctx.out(`lake ${s.dir}: ${s.written} partition(s) written, ${s.unchanged} unchanged, ${s.removed} removed; ${s.files} files, ${mb(s.bytes)}`);
      return 0;
    },
    'read',
  );
}

/** Read the lake at `dir` back, replacing the athletes it holds. */
export async function readLake(dir: string, ctx: Context): Promise<number> {
  return withWarehouse(ctx, async (wh) => {
    const s = await importLake(wh, dir);
    await wh.checkpoint();
    const rows = Object.entries(s.rows).map(([t, n]) => `${t} ${n}`);
    ctx.out(`read the lake ${resolve(dir)}: athletes ${s.athletes.join(', ') || 'none'}; ${rows.join(', ') || 'no rows'}`);
    return 0;
  });
}
