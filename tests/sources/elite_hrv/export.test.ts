import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectFormat } from '../../../lib/ingest/detect.ts';
import { importPaths } from '../../../lib/ingest/importer.ts';
import { Warehouse } from '../../../lib/core/warehouse.ts';
import { parseEliteHrvReading } from '../../../lib/sources/elite_hrv/export.ts';
import { summariseRr } from '../../../lib/sources/elite_hrv/map.ts';
import { sourceDescriptor } from '../../../lib/sources/registry.ts';

/** 240 beats alternating 800 and 850 ms: every successive difference is 50 ms, so RMSSD is 50 and HR 60000/825. */
const steady = Array.from({ length: 240 }, (_, i) => (i % 2 ? 850 : 800));
const text = (rr: readonly number[]) => rr.map(String).join('\n') + '\n';
const enc = (s: string) => new TextEncoder().encode(s);

describe('Elite HRV R-R reading files', () => {
  it('computes RMSSD and mean HR from the intervals (Task Force 1996)', () => {
    expect(summariseRr(steady)).toEqual({ rmssdMs: 50, meanHr: 72.7, accepted: 240, rejected: 0 });
  });

  it('drops artefacts: out-of-range intervals and jumps of more than 20 % from the last normal beat', () => {
    const noisy = [...steady.slice(0, 100), 2600, 120, 1300, ...steady.slice(100)];
    expect(summariseRr(noisy)).toEqual({ rmssdMs: 50, meanHr: 72.7, accepted: 240, rejected: 3 });
    expect(summariseRr(steady.slice(0, 30))).toBeNull();
  });

  it('gives the day’s hrv_rmssd and resting_hr from a morning reading, dated by its file name', () => {
    const r = parseEliteHrvReading(text(steady), 'export/2024-03-05 06-41-07.txt', { athleteId: 'ann' });
    expect(r.errors).toEqual([]);
    expect(r.biometrics.map((b) => [b.metric_type, b.date, b.value, b.unit, b.source, b.time])).toEqual([
      ['hrv_rmssd', '2024-03-05', 50, 'ms', 'elite_hrv', null],
      ['resting_hr', '2024-03-05', 72.7, 'bpm', 'elite_hrv', null],
    ]);
    expect(r.biometrics[0]!.athlete_id).toBe('ann');
  });

  it('reports, naming the file and reading, an afternoon reading, a too-short one and a line that is not a number', () => {
    const pm = parseEliteHrvReading(text(steady), '2017-06-29 14-36-38.txt');
    expect(pm.biometrics).toEqual([]);
    expect(pm.errors).toEqual([{ input: '2017-06-29 14-36-38.txt', record: 'reading 2017-06-29 14:36:38', reason: expect.stringMatching(/taken at 14:36:38, not a morning reading/) }]);
    const short = parseEliteHrvReading(text(steady.slice(0, 20)), '2024-03-06 06-30-00.txt');
    expect(short.errors[0]!.reason).toMatch(/fewer than 60 normal R-R intervals \(of 20\)/);
    const bad = parseEliteHrvReading(`800\nabc\n${text(steady)}`, '2024-03-07 06-30-00.txt');
    expect(bad.errors).toEqual([{ input: '2024-03-07 06-30-00.txt', record: 'line 2', field: 'rr_ms', reason: 'not an R-R interval in ms: "abc" (line skipped)' }]);
    expect(bad.biometrics).toHaveLength(2);
  });

  it('is detected by its file name and content, and registered as a source', () => {
    expect(detectFormat('export.zip!2024-03-05 06-41-07.txt', enc(text(steady)))).toBe('elite_hrv_rr');
    expect(detectFormat('notes.txt', enc(text(steady)))).toBe('unknown');
    expect(detectFormat('2024-03-05 06-41-07.txt', enc('dear diary\n'))).toBe('unknown');
    expect(sourceDescriptor('elite_hrv')?.exportFormats).toEqual(['elite_hrv_rr']);
  });
});

describe('importing an Elite HRV export folder', () => {
  let dir: string;
  let wh: Warehouse;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'elite-hrv-'));
    mkdirSync(join(dir, 'export'));
    writeFileSync(join(dir, 'export', '2024-03-05 06-41-07.txt'), text(steady));
    writeFileSync(join(dir, 'export', '2024-03-05 18-02-00.txt'), text(steady));
    wh = await Warehouse.open(join(dir, 'w.duckdb'));
  });
  afterAll(() => {
    wh.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores the morning values and a row for the evening reading', async () => {
    const s = await importPaths(wh, [join(dir, 'export')], { athleteId: 'me' });
    expect(s).toMatchObject({ files: 2, biometrics: 2, byFormat: { elite_hrv_rr: 2 } });
    const rows = await wh.all<{ metric_type: string; value: number }>("SELECT metric_type, value FROM source_biometrics WHERE source = 'elite_hrv' ORDER BY 1");
    expect(rows).toEqual([
      { metric_type: 'hrv_rmssd', value: 50 },
      { metric_type: 'resting_hr', value: 72.7 },
    ]);
    const errors = await wh.all<{ input: string; reason: string }>('SELECT input, reason FROM import_errors');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.input).toMatch(/2024-03-05 18-02-00\.txt$/);
  });
});
