/**
 * A synthetic Apple Health export.xml of a chosen size, deterministic, written
 * in chunks: heart-rate, step and energy samples (which the importer skips, as
 * in real exports where they are most of the file) around the records it keeps:
 * HRV, resting heart rate, body mass, sleep and one workout a day.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom as rng } from '../../lib/core/random.ts';

/** A generated export and what it holds. */
export interface AppleExport {
  path: string;
  bytes: number;
  days: number;
  workouts: number;
}

const SRC = 'sourceName="Apple Watch" sourceVersion="9.1" device="&lt;&lt;HKDevice: 0x283a4e1c0&gt;, name:Apple Watch, manufacturer:Apple Inc., model:Watch, hardware:Watch6,2, software:9.1&gt;"';

/** `2023-01-05 07:31:12 +0100` for epoch ms and an offset in minutes. */
function appleDate(ms: number, offsetMin: number): string {
  const d = new Date(ms + offsetMin * 60_000).toISOString();
  const sign = offsetMin < 0 ? '-' : '+';
  const h = String(Math.floor(Math.abs(offsetMin) / 60)).padStart(2, '0');
  const m = String(Math.abs(offsetMin) % 60).padStart(2, '0');
  return `${d.slice(0, 10)} ${d.slice(11, 19)} ${sign}${h}${m}`;
}

function record(type: string, unit: string, value: string, from: number, to: number, off: number): string {
  const s = appleDate(from, off);
  return ` <Record type="${type}" ${SRC} unit="${unit}" creationDate="${appleDate(to, off)}" startDate="${s}" endDate="${appleDate(to, off)}" value="${value}"/>\n`;
}

function day(d: number, r: () => number): string {
  const off = d % 200 < 100 ? 60 : 120;
  const base = Date.UTC(2018, 0, 1) + d * 86_400_000 - off * 60_000;
  const out: string[] = [];
  for (let k = 0; k < 1400; k++) {
    const t = base + k * 61_000;
    const kind = k % 4;
    if (kind < 2) out.push(record('HKQuantityTypeIdentifierHeartRate', 'count/min', String(55 + Math.floor(r() * 60)), t, t, off));
    else if (kind === 2) out.push(record('HKQuantityTypeIdentifierStepCount', 'count', String(Math.floor(r() * 120)), t, t + 60_000, off));
    else out.push(record('HKQuantityTypeIdentifierActiveEnergyBurned', 'Cal', (r() * 5).toFixed(3), t, t + 60_000, off));
  }
  for (let k = 0; k < 3; k++) {
    const t = base + (2 + k * 7) * 3_600_000;
    out.push(record('HKQuantityTypeIdentifierHeartRateVariabilitySDNN', 'ms', (30 + r() * 50).toFixed(4), t, t + 60_000, off));
  }
  out.push(record('HKQuantityTypeIdentifierRestingHeartRate', 'count/min', String(45 + Math.floor(r() * 10)), base + 8 * 3_600_000, base + 20 * 3_600_000, off));
  if (d % 3 === 0) out.push(record('HKQuantityTypeIdentifierBodyMass', 'kg', (72 + r() * 3).toFixed(1), base + 7 * 3_600_000, base + 7 * 3_600_000, off));
  let t = base - 2 * 3_600_000;
  const stages = ['HKCategoryValueSleepAnalysisAsleepCore', 'HKCategoryValueSleepAnalysisAsleepDeep', 'HKCategoryValueSleepAnalysisAsleepREM', 'HKCategoryValueSleepAnalysisAwake'];
  out.push(` <Record type="HKCategoryTypeIdentifierSleepAnalysis" ${SRC} creationDate="${appleDate(base + 7 * 3_600_000, off)}" startDate="${appleDate(t, off)}" endDate="${appleDate(base + 6 * 3_600_000, off)}" value="HKCategoryValueSleepAnalysisInBed"/>\n`);
  for (let k = 0; k < 8; k++) {
    const len = (20 + Math.floor(r() * 60)) * 60_000;
    out.push(` <Record type="HKCategoryTypeIdentifierSleepAnalysis" ${SRC} creationDate="${appleDate(base + 7 * 3_600_000, off)}" startDate="${appleDate(t, off)}" endDate="${appleDate(t + len, off)}" value="${stages[k % 4]}"/>\n`);
    t += len;
  }
  const ws = base + 17 * 3_600_000;
  const min = 30 + Math.floor(r() * 60);
  const we = ws + min * 60_000;
  out.push(` <Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="${min}" durationUnit="min" ${SRC} creationDate="${appleDate(we, off)}" startDate="${appleDate(ws, off)}" endDate="${appleDate(we, off)}">
  <MetadataEntry key="HKIndoorWorkout" value="0"/>
  <MetadataEntry key="HKElevationAscended" value="${Math.floor(r() * 9000)} cm"/>
  <WorkoutStatistics type="HKQuantityTypeIdentifierActiveEnergyBurned" startDate="${appleDate(ws, off)}" endDate="${appleDate(we, off)}" sum="${(min * 11).toFixed(1)}" unit="Cal"/>
  <WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning" startDate="${appleDate(ws, off)}" endDate="${appleDate(we, off)}" sum="${(min * 0.18).toFixed(3)}" unit="km"/>
  <WorkoutStatistics type="HKQuantityTypeIdentifierHeartRate" startDate="${appleDate(ws, off)}" endDate="${appleDate(we, off)}" average="148" minimum="110" maximum="176" unit="count/min"/>
 </Workout>
`);
  return out.join('');
}

/** Write (or reuse) an export.xml of at least `megabytes` MB. */
export function appleExport(megabytes: number): AppleExport {
  const dir = join(tmpdir(), `app-bench-apple-v1-${megabytes}`);
  const path = join(dir, 'export.xml');
  const target = megabytes * 1024 * 1024;
  const done = join(dir, 'DONE');
  let days = 0;
  if (existsSync(done)) {
    days = Number(readFileSync(done, 'utf8'));
    return { path, bytes: statSync(path).size, days, workouts: days };
  }
  mkdirSync(dir, { recursive: true });
  const fd = openSync(path, 'w');
  const r = rng(42);
  let bytes = 0;
  const write = (s: string) => {
    bytes += writeSync(fd, s);
  };
  write(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary|ClinicalRecord)*)>
<!ATTLIST HealthData locale CDATA #REQUIRED>
]>
<HealthData locale="en_CH">
 <ExportDate value="2026-01-01 10:00:00 +0100"/>
 <Me HKCharacteristicTypeIdentifierDateOfBirth="1990-04-01" HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexFemale"/>
`);
  while (bytes < target) {
    write(day(days, r));
    days++;
  }
  write('</HealthData>\n');
  closeSync(fd);
  writeFileSync(done, String(days));
  return { path, bytes, days, workouts: days };
}
