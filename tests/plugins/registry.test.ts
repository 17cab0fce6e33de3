import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import type { AnalysisPlugin, PluginStreams, PluginWorkout } from '../../lib/plugins/base.ts';
import { BUILTIN_PLUGINS, loadPlugins, pluginSpecs, pluginsFromEnv, runPlugins } from '../../lib/plugins/registry.ts';
import { ROOT } from '../helpers/shared.ts';

const workout: PluginWorkout = {
  workout_id: '00112233aabbccdd',
  sport: 'soccer',
  sport_category: 'BALL_SPORT',
  start_time: new Date(Date.UTC(2024, 0, 1)),
  duration_s: 10,
  has_gps: true,
  utc_offset_min: 0,
};
const streams: PluginStreams = { time: new Float64Array([0, 1000]) };

const plugin = (name: string, analyze: AnalysisPlugin['analyze'], extra: Partial<AnalysisPlugin> = {}): AnalysisPlugin => ({
  name,
  version: '0.1.0',
  description: name,
  requiresGps: false,
  canAnalyze: () => true,
  analyze,
  ...extra,
});

describe('runPlugins', () => {
  const ok = plugin('ok', (w, s, cfg) => ({ metrics: { samples: s.time.length, sport: w.sport, factor: cfg?.factor ?? null } }));
  const boom = plugin('boom', () => {
    throw new Error('division by zero in boom');
  });
  const rejects = plugin('rejects', async () => Promise.reject(new Error('async failure')));
  const empty = plugin('empty', () => ({}) as never);
  const gps = plugin('gps', () => ({ metrics: {} }), { requiresGps: true });
  const picky = plugin('picky', () => ({ metrics: {} }), { canAnalyze: (w) => w.sport === 'running' });

  it('runs every plugin; one failing never stops the others', async () => {
    const runs = await runPlugins([boom, ok, rejects, empty, gps, picky], workout, streams, {
      enablePlugins: true,
      enableGps: true,
      config: { ok: { factor: 2 } },
    });
    expect(runs.map((r) => [r.plugin, r.status])).toEqual([
      ['boom', 'error'],
      ['ok', 'ok'],
      ['rejects', 'error'],
      ['empty', 'error'],
      ['gps', 'ok'],
      ['picky', 'skipped'],
    ]);
    expect(runs[0]!.error).toBe('division by zero in boom');
    expect(runs[1]!.result!.metrics).toEqual({ samples: 2, sport: 'soccer', factor: 2 });
    expect(runs[1]!.version).toBe('0.1.0');
    expect(runs[2]!.error).toBe('async failure');
    expect(runs[3]!.error).toMatch(/no metrics/);
    expect(runs[5]!.error).toMatch(/does not apply to soccer/);
  });

  it('skips by configuration: disabled plugins, disabled GPS, no GPS, not selected', async () => {
    const off = await runPlugins([ok], workout, streams, { enablePlugins: false, enableGps: true });
    expect(off[0]).toMatchObject({ status: 'skipped', error: 'plugins are disabled' });
    const noGps = await runPlugins([gps, ok], workout, streams, { enablePlugins: true, enableGps: false });
    expect(noGps.map((r) => r.status)).toEqual(['skipped', 'ok']);
    const noTrack = await runPlugins([gps], { ...workout, has_gps: false }, streams, { enablePlugins: true, enableGps: true });
    expect(noTrack[0]!.error).toBe('workout has no GPS');
    const only = await runPlugins([gps, ok], workout, streams, { enablePlugins: true, enableGps: true, only: ['ok'] });
    expect(only.map((r) => r.status)).toEqual(['skipped', 'ok']);
  });

  it('reports a built-in plugin error (no positions) without throwing', async () => {
    const runs = await runPlugins(BUILTIN_PLUGINS, workout, streams, { enablePlugins: true, enableGps: true });
    expect(runs.find((r) => r.plugin === 'ball_sports')).toMatchObject({ status: 'error' });
    expect(runs.find((r) => r.plugin === 'ball_sports')!.error).toMatch(/no positions/);
    expect(runs.find((r) => r.plugin === 'running')).toMatchObject({ status: 'skipped' });
  });
});

describe('loadPlugins', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plugins-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, body: string) => {
    writeFileSync(join(dir, name), body);
    return name;
  };
  const good = write(
    'good.mjs',
    `export default { name: 'tennis_serves', version: '2.0.0', description: 'x', requiresGps: false,
      canAnalyze: (w) => w.sport === 'tennis', analyze: () => ({ metrics: { serves: 42 } }) };`,
  );
  const named = write(
    'named.mjs',
    `export const plugin = { name: 'named', version: '1', description: '', requiresGps: true, canAnalyze: () => true, analyze: () => ({ metrics: {} }) };`,
  );
  const noAnalyze = write('bad.mjs', `export default { name: 'bad', version: '1', description: '', requiresGps: false, canAnalyze: () => true };`);
  const nothing = write('nothing.mjs', `export const x = 1;`);
  const clash = write(
    'clash.mjs',
    `export default { name: 'ball_sports', version: '9', description: '', requiresGps: false, canAnalyze: () => true, analyze: () => ({ metrics: {} }) };`,
  );
  const broken = write('broken.mjs', `export default {{;`);

  it('loads valid plugins and reports bad ones by name, never throwing', async () => {
    const specs = [`./${good}`, join(dir, named), `./${noAnalyze}`, `./${nothing}`, `./${clash}`, `./${broken}`, './missing.mjs', 'no-such-package-xyz-123'];
    const { plugins, errors } = await loadPlugins(specs, { baseDir: dir });
    expect(plugins.map((p) => p.name)).toEqual(['tennis_serves', 'named']);
    expect(await plugins[0]!.analyze({ ...workout, sport: 'tennis' }, streams)).toEqual({ metrics: { serves: 42 } });
    expect(errors.map((e) => e.spec)).toEqual(specs.slice(2));
    expect(errors[0]!.reason).toMatch(/analyze: must be a function/);
    expect(errors[1]!.reason).toMatch(/exports no plugin/);
    expect(errors[2]!.reason).toMatch(/"ball_sports" is already taken/);
    expect(errors[3]!.reason).toMatch(/cannot be imported/);
    expect(errors[4]!.reason).toMatch(/cannot be imported/);
    expect(errors[5]!.reason).toMatch(/cannot be imported/);
  });

  it('reads PLUGINS from the environment after the built-ins', async () => {
    expect(pluginSpecs(' ./a.mjs, ,pkg-b ,')).toEqual(['./a.mjs', 'pkg-b']);
    const { plugins, errors } = await pluginsFromEnv({ PLUGINS: `./${good},./missing.mjs` }, { baseDir: dir });
    expect(plugins.map((p) => p.name)).toEqual(['ball_sports', 'running', 'tennis_serves']);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.spec).toBe('./missing.mjs');
  });
});

describe('plugin_results migration', () => {
  it('keeps one row per workout and plugin, so a re-run replaces', async () => {
    const sql = readFileSync(join(ROOT, 'warehouse', '020_plugin_results.sql'), 'utf8');
    const db = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
    const con = await db.connect();
    await con.run(sql);
    const insert = `INSERT OR REPLACE INTO plugin_results VALUES ('w1', 'ball_sports', '1.0.0', $status, $metrics, NULL, NULL, TIMESTAMP '2024-01-01 00:00:00')`;
    await con.run(insert, { status: 'error', metrics: '{}' });
    await con.run(insert, { status: 'ok', metrics: '{"sprint_count": 3}' });
    const rows = (await con.runAndReadAll(`SELECT status, metrics->>'sprint_count' AS n FROM plugin_results`)).getRowObjects();
    expect(rows).toEqual([{ status: 'ok', n: '3' }]);
    con.closeSync();
  });
});
