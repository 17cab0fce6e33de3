/** Deterministic synthetic GPX and TCX activities for the benchmarks, written into the temp folder. */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom as rng } from '../../lib/core/random.ts';

/** Generated files and the track points they hold. */
export interface XmlCorpus {
  files: string[];
  points: number;
  bytes: number;
}

interface Point {
  time: string;
  lat: string;
  lon: string;
  ele: string;
  dist: string;
  hr: number;
  cad: number;
}

function* track(i: number, n: number): Generator<Point> {
  const r = rng(1000 + i);
  let lat = 46.9 + r() * 0.2;
  let lon = 7.4 + r() * 0.2;
  let ele = 500 + r() * 50;
  let dist = 0;
  let hr = 120;
  const start = Date.UTC(2022, 5, 1, 6, 0, 0) + i * 86_400_000;
  for (let k = 0; k < n; k++) {
    const speed = 3 + r();
    dist += speed;
    lat += speed / 111_320;
    lon += (r() - 0.5) / 75_000;
    ele += (r() - 0.5) * 0.5;
    hr = Math.min(180, Math.max(100, hr + Math.round((r() - 0.5) * 3)));
    yield {
      time: new Date(start + k * 1000).toISOString().replace('.000Z', 'Z'),
      lat: lat.toFixed(7), lon: lon.toFixed(7), ele: ele.toFixed(1), dist: dist.toFixed(2), hr, cad: 80 + Math.floor(r() * 8),
    };
  }
}

function gpx(i: number, n: number): string {
  const parts = [`<?xml version="1.0" encoding="UTF-8"?>
<gpx creator="StravaGPX" version="1.1" xmlns="http://www.topografix.com/GPX/1/1" xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">
 <metadata><time>${new Date(Date.UTC(2022, 5, 1, 6) + i * 86_400_000).toISOString()}</time></metadata>
 <trk><name>Run ${i}</name><type>running</type><trkseg>
`];
  for (const p of track(i, n)) {
    parts.push(`   <trkpt lat="${p.lat}" lon="${p.lon}"><ele>${p.ele}</ele><time>${p.time}</time><extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>${p.hr}</gpxtpx:hr><gpxtpx:cad>${p.cad}</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions></trkpt>\n`);
  }
  parts.push(' </trkseg></trk>\n</gpx>\n');
  return parts.join('');
}

function tcx(i: number, n: number): string {
  const pts = [...track(i, n)];
  const parts = [`<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">
 <Activities><Activity Sport="Running"><Id>${pts[0]!.time}</Id>
  <Lap StartTime="${pts[0]!.time}"><TotalTimeSeconds>${n - 1}</TotalTimeSeconds><DistanceMeters>${pts[n - 1]!.dist}</DistanceMeters><Calories>${Math.round(n / 5)}</Calories><Intensity>Active</Intensity><TriggerMethod>Manual</TriggerMethod>
   <Track>
`];
  for (const p of pts) {
    parts.push(`    <Trackpoint><Time>${p.time}</Time><Position><LatitudeDegrees>${p.lat}</LatitudeDegrees><LongitudeDegrees>${p.lon}</LongitudeDegrees></Position><AltitudeMeters>${p.ele}</AltitudeMeters><DistanceMeters>${p.dist}</DistanceMeters><HeartRateBpm><Value>${p.hr}</Value></HeartRateBpm><Cadence>${p.cad}</Cadence></Trackpoint>\n`);
  }
  parts.push('   </Track>\n  </Lap>\n </Activity></Activities>\n</TrainingCenterDatabase>\n');
  return parts.join('');
}

/** Write (or reuse) `count` GPX or TCX activities of 1,000-5,000 points each. */
export function xmlCorpus(format: 'gpx' | 'tcx', count: number): XmlCorpus {
  const dir = join(tmpdir(), `app-bench-${format}-v1-${count}`);
  const complete = existsSync(join(dir, 'DONE'));
  if (!complete) mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  let points = 0;
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const n = 1000 + Math.floor(rng(i * 31 + 7)() * 4000);
    const path = join(dir, `activity_${String(i).padStart(5, '0')}.${format}`);
    if (!complete) writeFileSync(path, format === 'gpx' ? gpx(i, n) : tcx(i, n));
    points += n;
    bytes += statSync(path).size;
    files.push(path);
  }
  if (!complete) writeFileSync(join(dir, 'DONE'), String(count));
  return { files, points, bytes };
}
