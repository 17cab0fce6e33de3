import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeWarehouse, sql, sqlFrame, warehouse } from '../../kernel/sql.ts';

describe('sql helpers on the warehouse', () => {
  const saved = process.env.DATABASE_URL;
  beforeAll(() => {
    process.env.DATABASE_URL = ':memory:';
  });
  afterAll(async () => {
    await closeWarehouse();
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
  });

  it('runs parameterised SQL and returns plain rows', async () => {
    expect(await sql('SELECT ?::INTEGER + 1 AS answer, ? AS label', [41, 'x'])).toEqual([{ answer: 42, label: 'x' }]);
  });

  it('keeps one connection per process, so temp tables persist between calls', async () => {
    const a = await warehouse();
    await sql('CREATE TEMP TABLE t AS SELECT * FROM (VALUES (1, 2.5), (2, 4.0)) v(k, val)');
    expect(await warehouse()).toBe(a);
    expect(await sql('SELECT sum(val) AS s FROM t')).toEqual([{ s: 6.5 }]);
  });

  it('returns an arquero table from sqlFrame', async () => {
    const t = await sqlFrame('SELECT k, val FROM t ORDER BY k');
    expect(t.numRows()).toBe(2);
    expect(t.columnNames()).toEqual(['k', 'val']);
    expect(t.objects()).toEqual([{ k: 1, val: 2.5 }, { k: 2, val: 4 }]);
  });

  it('sees the migrated schema', async () => {
    const rows = await sql<{ n: number }>('SELECT count(*) AS n FROM schema_migrations');
    expect(rows[0]!.n).toBeGreaterThan(0);
  });
});
