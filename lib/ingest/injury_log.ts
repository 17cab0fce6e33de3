/** The injury log CSV (`date,area,severity,notes[,end_date]`), loaded into the injuries table. */
import { existsSync, readFileSync } from 'node:fs';
import type { Warehouse } from '../core/warehouse.ts';
import { readCsv } from '../formats/csv.ts';

/** Load an injury log CSV (`date,area,severity,notes`, optional `end_date`: return to play) into the injuries table; re-loading replaces. */
export async function loadInjuries(wh: Warehouse, path: string, athleteId: string, source: string): Promise<number> {
  if (!existsSync(path)) return 0;
  const { header, rows } = readCsv(readFileSync(path, 'utf8'));
  const col = (name: string) => header.indexOf(name);
  const [d, a, s, n, e] = [col('date'), col('area'), col('severity'), col('notes'), col('end_date')];
  if (d < 0 || a < 0) throw new Error(`${path}: an injury log needs the columns date and area`);
  const values = rows
    .filter((r) => r[d] && r[a])
    .map((r) => [athleteId, r[d]!, r[a]!, s >= 0 ? r[s] || null : null, n >= 0 ? r[n] || null : null, source, e >= 0 ? r[e] || null : null]);
  await wh.transaction(async () => {
    await wh.run('CREATE OR REPLACE TEMP TABLE stage_injuries AS SELECT * FROM injuries LIMIT 0');
    await wh.appendRows('stage_injuries', values);
    await wh.run(
      `INSERT INTO injuries SELECT DISTINCT ON (athlete_id, date, area) * FROM stage_injuries
       ON CONFLICT (athlete_id, date, area) DO UPDATE SET severity = excluded.severity, notes = excluded.notes, source = excluded.source,
         end_date = excluded.end_date`,
    );
  });
  return values.length;
}
