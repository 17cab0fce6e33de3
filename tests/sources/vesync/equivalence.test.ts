/**
 * One weigh-in (and one placeholder zero) once as the fat-scale endpoint's
 * records served by the fake VeSync cloud and fetched by the real connector,
 * once as rows of the scale CSV read by the real export reader: the canonical
 * readings must be the same, field by field, but for the differences listed here.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BiometricReading, type BiometricReadingInput, type ImportError } from '../../../lib/core/models.ts';
import { SCALE_HEADER } from '../../../lib/demo/write_scale.ts';
import { VesyncConnector } from '../../../lib/sources/vesync/api.ts';
import { parseScaleCsv } from '../../../lib/sources/vesync/export.ts';
import { startVesyncFake, type VesyncFake } from '../../fakes/vesync.ts';
import { drain, quickHttp, range, tempStore } from '../helpers.ts';

/** Fields the two paths may disagree on, and why. */
const DIFFERENCES: Record<string, string> = {
  raw_data: 'provenance: the weigh-in as fetched vs the CSV row number, offset and count of placeholder rows',
  input: 'provenance: the endpoint URL vs the CSV file',
};
/** Metrics only one path gives, and why. */
const CSV_ONLY_METRICS: Record<string, string> = {
  bmi: "the fat-scale endpoint's weigh-ins carry no BMI",
  muscle_mass: "the fat-scale endpoint's weigh-ins carry no muscle mass",
};

// 07:02:11 in Paris (UTC+01:00 in January), the zone the connector is set to and the CSV's Timezone.
const WEIGH_IN = Date.parse('2024-01-15T06:02:11Z') / 1000;
const PLACEHOLDER = Date.parse('2024-01-15T23:30:00Z') / 1000;

let vf: VesyncFake;
let ts: ReturnType<typeof tempStore>;
let dir: string;
let api: { biometrics: BiometricReadingInput[]; errors: ImportError[] };
let csv: { biometrics: BiometricReadingInput[]; errors: ImportError[] };

beforeAll(async () => {
  vf = await startVesyncFake();
  ts = tempStore();
  vf.weighIns.push(
    { timestamp: WEIGH_IN, weigh_kg: 72.35, weigh_lb: 159.5, bodyFat: 18.4, impedence: 512, unit: 'kg' },
    { timestamp: PLACEHOLDER, weigh_kg: 0, weigh_lb: 0, bodyFat: 0, unit: 'kg' },
  );
  const c = new VesyncConnector({ baseUrl: vf.fake.url, email: vf.email, password: vf.password, tokenStore: ts.store, timeZone: 'Europe/Paris', http: quickHttp() });
  const pages = await drain(c.fetchBiometrics(range('2024-01-14T00:00:00Z', '2024-01-17T00:00:00Z')));
  api = { biometrics: pages.flatMap((p) => p.result.biometrics), errors: pages.flatMap((p) => p.result.errors) };

  dir = mkdtempSync(join(tmpdir(), 'vesync-export-'));
  const path = join(dir, 'weights.csv');
  writeFileSync(path, [[...SCALE_HEADER, 'Timezone'], ['2024-01-15 07:02:11', '72.35', '18.4', '22.1', '55.2', '+01:00'], ['2024-01-16 00:30:00', '0.0', '0.0', '0.0', '0.0', '+01:00']].map((r) => r.join(',')).join('\n'));
  csv = parseScaleCsv(readFileSync(path, 'utf8'), path);
});

afterAll(async () => {
  await vf.fake.close();
  ts.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('VeSync: the fat-scale endpoint and the scale CSV give the same canonical readings', () => {
  it('reads both without errors, and neither keeps the placeholder zero', () => {
    expect(api.errors).toEqual([]);
    expect(csv.errors).toEqual([]);
    for (const r of [...api.biometrics, ...csv.biometrics]) expect(r.time).toEqual(new Date(WEIGH_IN * 1000));
  });

  it('the weigh-in, field by field', () => {
    const byMetric = (list: BiometricReadingInput[]) => new Map(list.map((b) => [b.metric_type, BiometricReading.parse(b)]));
    const a = byMetric(api.biometrics);
    const e = byMetric(csv.biometrics);
    expect([...a.keys()].sort()).toEqual(['body_fat_pct', 'weight']);
    expect([...e.keys()].filter((m) => !(m in CSV_ONLY_METRICS)).sort()).toEqual([...a.keys()].sort());
    expect([...e.keys()].filter((m) => m in CSV_ONLY_METRICS).sort()).toEqual(Object.keys(CSV_ONLY_METRICS).sort());
    for (const [metric, reading] of a) {
      const other = e.get(metric)! as Record<string, unknown>;
      for (const field of new Set([...Object.keys(reading), ...Object.keys(other)])) {
        if (field in DIFFERENCES) continue;
        expect((reading as Record<string, unknown>)[field], `${metric}: field ${field}`).toEqual(other[field]);
      }
    }
    expect(a.get('weight')).toMatchObject({ date: '2024-01-15', value: 72.35, unit: 'kg', source: 'vesync' });
  });
});
