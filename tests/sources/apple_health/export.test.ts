import { describe, expect, it } from 'vitest';
import { parseAppleHealth } from '../../../lib/sources/apple_health/export.ts';
import { readFixture } from '../../helpers/shared.ts';

async function* chunked(text: string, size = 97): AsyncIterable<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

const XML = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary)*)>
<!ATTLIST HealthData locale CDATA #REQUIRED>
]>
<HealthData locale="en_AU">
 <ExportDate value="2024-06-01 08:10:05 +1000"/>
 <Me HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexFemale"/>
 <Record type="HKQuantityTypeIdentifierHeartRateVariabilitySDNN" sourceName="Watch" unit="ms" creationDate="2024-05-02 06:01:00 +1000" startDate="2024-05-02 06:00:00 +1000" endDate="2024-05-02 06:01:00 +1000" value="48.5">
  <HeartRateVariabilityMetadataList><InstantaneousBeatsPerMinute bpm="55" time="6:00:01.00 AM"/></HeartRateVariabilityMetadataList>
 </Record>
 <Record type="HKQuantityTypeIdentifierRestingHeartRate" sourceName="Watch" unit="count/min" creationDate="2024-05-02 23:59:00 +1000" startDate="2024-05-02 00:01:00 +1000" endDate="2024-05-02 23:59:00 +1000" value="51"/>
 <Record type="HKQuantityTypeIdentifierBodyMass" sourceName="Scale" unit="lb" creationDate="2024-05-02 07:00:00 +1000" startDate="2024-05-02 07:00:00 +1000" endDate="2024-05-02 07:00:00 +1000" value="160"/>
 <Record type="HKQuantityTypeIdentifierBodyMass" sourceName="Scale" unit="kg" creationDate="2024-05-03 07:00:00 +1000" startDate="2024-05-03 07:00:00 +1000" endDate="2024-05-03 07:00:00 +1000" value="0"/>
 <Record type="HKQuantityTypeIdentifierBloodPressureSystolic" sourceName="Cuff" unit="mmHg" creationDate="2024-05-02 07:00:00 +1000" startDate="2024-05-02 07:00:00 +1000" endDate="2024-05-02 07:00:00 +1000" value="120"/>
 <Correlation type="HKCorrelationTypeIdentifierBloodPressure" sourceName="Cuff" creationDate="2024-05-02 07:00:00 +1000" startDate="2024-05-02 07:00:00 +1000" endDate="2024-05-02 07:00:00 +1000">
  <Record type="HKQuantityTypeIdentifierBloodPressureSystolic" sourceName="Cuff" unit="mmHg" creationDate="2024-05-02 07:00:00 +1000" startDate="2024-05-02 07:00:00 +1000" endDate="2024-05-02 07:00:00 +1000" value="120"/>
  <Record type="HKQuantityTypeIdentifierBodyMass" sourceName="Cuff" unit="kg" creationDate="2024-05-02 07:00:00 +1000" startDate="2024-05-02 07:00:00 +1000" endDate="2024-05-02 07:00:00 +1000" value="72.5"/>
 </Correlation>
 <Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="Watch" creationDate="2024-05-03 06:30:00 +1000" startDate="2024-05-02 22:30:00 +1000" endDate="2024-05-03 06:30:00 +1000" value="HKCategoryValueSleepAnalysisInBed"/>
 <Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="Watch" creationDate="2024-05-03 06:30:00 +1000" startDate="2024-05-02 23:00:00 +1000" endDate="2024-05-03 02:00:00 +1000" value="HKCategoryValueSleepAnalysisAsleepCore"/>
 <Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="Watch" creationDate="2024-05-03 06:30:00 +1000" startDate="2024-05-03 02:00:00 +1000" endDate="2024-05-03 03:00:00 +1000" value="HKCategoryValueSleepAnalysisAsleepDeep"/>
 <Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="iPhone" creationDate="2024-05-03 06:30:00 +1000" startDate="2024-05-02 23:30:00 +1000" endDate="2024-05-03 03:00:00 +1000" value="HKCategoryValueSleepAnalysisAsleepUnspecified"/>
 <Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="45" durationUnit="min" sourceName="Watch" creationDate="2024-05-02 00:20:00 +1000" startDate="2024-05-01 23:30:00 +1000" endDate="2024-05-02 00:15:00 +1000">
  <MetadataEntry key="HKIndoorWorkout" value="0"/>
  <MetadataEntry key="HKElevationAscended" value="4200 cm"/>
  <WorkoutStatistics type="HKQuantityTypeIdentifierHeartRate" startDate="2024-05-01 23:30:00 +1000" endDate="2024-05-02 00:15:00 +1000" average="148.2" minimum="90" maximum="171" unit="count/min"/>
  <WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning" startDate="2024-05-01 23:30:00 +1000" endDate="2024-05-02 00:15:00 +1000" sum="8.05" unit="km"/>
  <WorkoutStatistics type="HKQuantityTypeIdentifierActiveEnergyBurned" startDate="2024-05-01 23:30:00 +1000" endDate="2024-05-02 00:15:00 +1000" sum="2092" unit="kJ"/>
  <WorkoutRoute sourceName="Watch" creationDate="2024-05-02 00:20:00 +1000" startDate="2024-05-01 23:30:00 +1000" endDate="2024-05-02 00:15:00 +1000">
   <FileReference path="/workout-routes/route_2024-05-01_11.30pm.gpx"/>
  </WorkoutRoute>
 </Workout>
</HealthData>`;

describe('Apple Health export.xml', () => {
  it('reads workouts, HRV SDNN, resting HR, weight and nightly sleep, in local days', async () => {
    const r = await parseAppleHealth(chunked(XML), 'export.xml');
    expect(r.errors).toEqual([]);
    expect(r.workouts).toHaveLength(1);
    const w = r.workouts[0]!;
    expect(w.sport).toBe('running');
    expect(w.start_time.toISOString()).toBe('2024-05-01T13:30:00.000Z');
    expect(w.utc_offset_min).toBe(600);
    expect(w.duration_s).toBe(2700);
    expect(w.distance_m).toBeCloseTo(8050, 6);
    expect(w.calories_kcal).toBeCloseTo(2092 / 4.184, 6);
    expect(w.avg_hr).toBe(148.2);
    expect(w.max_hr).toBe(171);
    expect(w.elevation_gain_m).toBe(42);
    expect(w.has_gps).toBe(true);
    expect(r.routes).toEqual([{ external_id: w.external_id, path: 'workout-routes/route_2024-05-01_11.30pm.gpx' }]);

    const by = (m: string) => r.biometrics.filter((b) => b.metric_type === m);
    expect(by('hrv_sdnn').map((b) => [b.date, b.value, b.unit])).toEqual([['2024-05-02', 48.5, 'ms']]);
    expect(by('hrv_rmssd')).toEqual([]);
    expect(by('resting_hr').map((b) => [b.date, b.value])).toEqual([['2024-05-02', 51]]);
    // 160 lb, a 0 placeholder skipped, and the copy inside the Correlation not counted.
    expect(by('weight').map((b) => [b.date, b.value])).toEqual([['2024-05-02', 160 * 0.45359237]]);
    // Asleep intervals from watch and phone overlap: union 23:00-03:00 = 4 h, in bed 8 h.
    expect(by('sleep_duration').map((b) => [b.date, b.value])).toEqual([['2024-05-03', 4 * 3600]]);
    expect(by('sleep_in_bed')[0]!.value).toBe(8 * 3600);
    expect(by('sleep_efficiency')[0]!.value).toBe(50);
    expect(by('sleep_deep')[0]!.value).toBe(3600);
  });

  it('keeps what came before malformed XML and reports the line', async () => {
    const broken = XML.slice(0, XML.indexOf('<Record type="HKCategoryTypeIdentifierSleepAnalysis"')) + '<Record type="x" <<<';
    const r = await parseAppleHealth(chunked(broken), 'export.xml');
    expect(r.biometrics.some((b) => b.metric_type === 'resting_hr')).toBe(true);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.reason).toMatch(/malformed XML/);
    expect(r.errors[0]!.record).toMatch(/^line \d+/);
  });

  it('reads a real trimmed export (no DTD, curly apostrophes in source names)', async () => {
    const bytes = readFixture('health/apple/export_real_trimmed_alxdrcirilo.xml');
    async function* one() {
      yield bytes;
    }
    const r = await parseAppleHealth(one(), 'export.xml');
    expect(r.errors).toEqual([]);
    // The file holds heart-rate, energy, exercise/stand time and sleep records: only sleep is kept.
    expect(r.workouts).toEqual([]);
    expect(r.biometrics.every((b) => b.metric_type.startsWith('sleep_'))).toBe(true);
  });
});
