import { describe, expect, it } from 'vitest';
import { parseFit } from '../../lib/formats/fit.ts';
import { parseGpx } from '../../lib/formats/gpx.ts';
import { parseTcx } from '../../lib/formats/tcx.ts';
import { parseFilesParallel, parseJob, streamBuffers, type ParallelResult, type ParseJob } from '../../lib/ingest/parallel.ts';
import type { ParseResult } from '../../lib/core/models.ts';
import { fixturePath, readFixture } from '../helpers/shared.ts';

const FIT_FILES = [
  'fit/fitparse/garmin-edge-500-activity.fit',
  'fit/muktihari-fit/activity_multisport.fit',
  'fit/muktihari-fit/HrmPluginTestActivity.fit',
  'fit/fitparse/activity-unexpected-eof.fit',
  'fit/fitdecode/garmin-fr935-cr.fit',
];

async function collect(jobs: ParseJob[], workers = 2): Promise<Map<number, ParseResult>> {
  const out = new Map<number, ParseResult>();
  for await (const { index, result } of parseFilesParallel(jobs, { workers })) {
    expect(out.has(index)).toBe(false);
    out.set(index, result);
  }
  return out;
}

describe('parseFilesParallel', () => {
  it('gives the same ParseResult as parsing in process, for FIT files read from paths', async () => {
    const jobs: ParseJob[] = FIT_FILES.map((rel) => ({ name: rel, path: fixturePath(rel), format: 'fit', athleteId: 'me' }));
    const results = await collect(jobs);
    expect([...results.keys()].sort()).toEqual([0, 1, 2, 3, 4]);
    FIT_FILES.forEach((rel, i) => {
      expect(results.get(i), rel).toEqual(parseFit(readFixture(rel), rel, { athleteId: 'me' }));
    });

    // Values decoded in the worker: the Edge 500 ride's first record (reference CSV: 161 bpm,
    // position_lat 521521093 semicircles) and its 10,671 samples.
    const edge = results.get(0)!;
    const s = edge.streams[0]!;
    expect(s.time).toBeInstanceOf(Float64Array);
    expect(s.time.length).toBe(10671);
    expect(new Date(s.time[0]!).toISOString()).toBe('2011-09-25T13:00:22.000Z');
    expect(s.channels.hr![0]).toBe(161);
    expect(s.channels.lat![0]).toBeCloseTo((521521093 * 180) / 2 ** 31, 9);
    expect(s.channels.distance_m![1]).toBe(6.01);
    expect(edge.workouts[0]!.start_time).toBeInstanceOf(Date);
    expect(edge.workouts[0]!.distance_m).toBe(92622.34);

    // Multisport: one workout and stream per leg.
    const multi = results.get(1)!;
    expect(multi.workouts.map((w) => [w.external_id, w.sport])).toEqual([['0-1587412580#0', 'mountain_biking'], ['0-1587412580#1', 'trail_running']]);
    expect(multi.streams.map((x) => x.time.length)).toEqual([55, 23]);

    // The truncated file keeps its 14 records and reports the damage.
    const cut = results.get(3)!;
    expect(cut.streams[0]!.time.length).toBe(14);
    expect(cut.errors).toEqual([{ input: FIT_FILES[3], record: 'byte 751', reason: 'truncated at byte 768 of 771: kept 14 records' }]);
  });

  it('parses GPX and TCX given as bytes like the in-process parsers', async () => {
    const gpx = 'gpx/togeojson/run_gpxtpx.gpx';
    const tcx = 'tcx/togeojson/garmin_connect.tcx';
    const jobs: ParseJob[] = [
      { name: gpx, bytes: readFixture(gpx), format: 'gpx', athleteId: 'me', source: 'strava' },
      { name: tcx, bytes: readFixture(tcx), format: 'tcx', athleteId: 'me' },
    ];
    const results = await collect(jobs);
    const g = parseGpx(readFixture(gpx), gpx, { source: 'strava', athleteId: 'me' });
    expect(g.streams[0]!.time.length).toBeGreaterThan(0);
    expect(results.get(0)).toEqual(g);
    expect(results.get(0)!.workouts[0]!.source).toBe('strava');
    expect(results.get(1)).toEqual(parseTcx(readFixture(tcx), tcx, { athleteId: 'me' }));
    // The caller's bytes are copied to the worker, not detached.
    expect(jobs[0]!.bytes!.byteLength).toBe(readFixture(gpx).byteLength);
  });

  it('a failing file yields its error and the other files go on', async () => {
    const good = 'fit/fitparse/garmin-edge-500-activity.fit';
    const jobs: ParseJob[] = [
      { name: 'missing.fit', path: '/nonexistent/missing.fit', format: 'fit', athleteId: 'me' },
      { name: 'garbage.fit', bytes: new TextEncoder().encode('this is not a FIT file at all'), format: 'fit', athleteId: 'me' },
      { name: 'odd.xyz', bytes: new Uint8Array(4), format: 'xyz' as ParseJob['format'], athleteId: 'me' },
      { name: good, path: fixturePath(good), format: 'fit', athleteId: 'me' },
    ];
    const results = await collect(jobs);
    expect(results.size).toBe(4);
    const missing = results.get(0)!;
    expect(missing.workouts).toEqual([]);
    expect(missing.errors).toHaveLength(1);
    expect(missing.errors[0]!.input).toBe('missing.fit');
    expect(missing.errors[0]!.reason).toMatch(/^could not be read: ENOENT/);
    expect(results.get(1)!.errors).toEqual([
      { input: 'garbage.fit', record: 'byte 0', reason: expect.stringContaining('corrupt FIT header at byte 0') },
    ]);
    expect(results.get(2)!.errors[0]!.reason).toContain('unsupported format "xyz"');
    expect(results.get(3)!.streams[0]!.time.length).toBe(10671);
    expect(results.get(3)!.errors).toEqual([]);
  });

  it('streams results as they finish and stops the workers when the loop is left early', async () => {
    const rel = 'fit/muktihari-fit/activity_multisport.fit';
    const jobs: ParseJob[] = Array.from({ length: 12 }, (_, i) => ({ name: `${i}.fit`, path: fixturePath(rel), format: 'fit', athleteId: 'me' }));
    const seen: number[] = [];
    const called: number[] = [];
    let first: ParallelResult | undefined;
    for await (const r of parseFilesParallel(jobs, { workers: 2, onResult: (i) => called.push(i) })) {
      first ??= r;
      seen.push(r.index);
      if (seen.length === 3) break;
    }
    expect(seen).toHaveLength(3);
    expect(called.length).toBeGreaterThanOrEqual(3);
    expect(first!.result.workouts[0]!.input).toBe(`${first!.index}.fit`);
    expect(first!.result.streams.map((s) => s.time.length)).toEqual([55, 23]);
  });

  it('yields nothing for no jobs', async () => {
    const out: ParallelResult[] = [];
    for await (const r of parseFilesParallel([])) out.push(r);
    expect(out).toEqual([]);
  });
});

describe('streamBuffers', () => {
  it('lists each stream buffer once, for transfer', () => {
    const r = parseJob({ name: 'a.fit', bytes: readFixture('fit/muktihari-fit/activity_multisport.fit'), format: 'fit', athleteId: 'me' });
    const buffers = streamBuffers(r);
    const arrays = r.streams.flatMap((s) => [s.time, ...Object.values(s.channels)]);
    expect(buffers).toHaveLength(new Set(arrays.map((a) => a!.buffer)).size);
    expect(buffers.length).toBeGreaterThanOrEqual(r.streams.length);
    // Streams are exact-length copies, so transferring moves no unrelated memory.
    for (const a of arrays) expect(a!.buffer.byteLength).toBe(a!.byteLength);
  });
});

describe('parseFilesParallel with read()', () => {
  it('reads archive-like members on dispatch and reports a read failure as that file\'s error', async () => {
    const rel = 'fit/fitparse/garmin-edge-500-activity.fit';
    let reads = 0;
    const jobs: ParseJob[] = [
      { name: 'a.zip!ride.fit', read: () => (reads++, readFixture(rel)), format: 'fit', athleteId: 'me' },
      { name: 'a.zip!bad.fit', read: () => { throw new Error('bad zip member: CRC mismatch'); }, format: 'fit', athleteId: 'me' },
    ];
    const results = await collect(jobs, 1);
    expect(reads).toBe(1);
    expect(results.get(0)!.streams[0]!.time.length).toBe(10671);
    expect(results.get(0)!.workouts[0]!.input).toBe('a.zip!ride.fit');
    expect(results.get(1)!.errors).toEqual([{ input: 'a.zip!bad.fit', reason: 'could not be read: bad zip member: CRC mismatch' }]);
  });
});
