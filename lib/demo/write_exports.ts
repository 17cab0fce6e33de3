/**
 * Garmin Connect's "Export TCX" and "Export GPX" of an activity. The TCX has
 * one Activity with one Lap (StartTime, TotalTimeSeconds, DistanceMeters,
 * Calories, average and maximum HR) and its trackpoints, the watch named in
 * Creator and Garmin Connect in Author. The demo writes a TCX for a few watch
 * activities, so the same recording reaches the warehouse twice from one
 * source, as FIT and as TCX; tests convert real FIT runs with both.
 */

/** Samples of one recording, column-wise; NaN or a missing column means absent. */
export interface ExportTrack {
  /** Epoch ms of each sample. */
  time: ArrayLike<number>;
  lat?: ArrayLike<number> | null;
  lon?: ArrayLike<number> | null;
  alt?: ArrayLike<number> | null;
  /** Cumulative distance, m. */
  dist?: ArrayLike<number> | null;
  hr?: ArrayLike<number> | null;
}

/** What the lap summary and the header say. */
export interface ExportSummary {
  /** TCX Sport: Running, Biking or Other. */
  sport: 'Running' | 'Biking' | 'Other';
  startMs: number;
  elapsedS: number;
  distanceM: number;
  calories: number;
  avgHr: number;
  maxHr: number;
  device: string;
  unitId: number;
}

const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
const has = (col: ArrayLike<number> | null | undefined, i: number): col is ArrayLike<number> => !!col && Number.isFinite(col[i]!);

/** The TCX text of one activity. */
export function tcxText(track: ExportTrack, s: ExportSummary): string {
  const parts: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    '<TrainingCenterDatabase xsi:schemaLocation="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2 http://www.garmin.com/xmlschemas/TrainingCenterDatabasev2.xsd" xmlns:ns5="http://www.garmin.com/xmlschemas/ActivityGoals/v1" xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2" xmlns:ns2="http://www.garmin.com/xmlschemas/UserProfile/v2" xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n',
    ` <Activities>\n  <Activity Sport="${s.sport}">\n   <Id>${iso(s.startMs)}</Id>\n   <Lap StartTime="${iso(s.startMs)}">\n`,
    `    <TotalTimeSeconds>${s.elapsedS.toFixed(1)}</TotalTimeSeconds>\n    <DistanceMeters>${s.distanceM.toFixed(2)}</DistanceMeters>\n`,
    `    <Calories>${Math.round(s.calories)}</Calories>\n`,
    `    <AverageHeartRateBpm><Value>${Math.round(s.avgHr)}</Value></AverageHeartRateBpm>\n    <MaximumHeartRateBpm><Value>${Math.round(s.maxHr)}</Value></MaximumHeartRateBpm>\n`,
    '    <Intensity>Active</Intensity>\n    <TriggerMethod>Manual</TriggerMethod>\n    <Track>\n',
  ];
  for (let i = 0; i < track.time.length; i++) {
    let p = `     <Trackpoint>\n      <Time>${iso(track.time[i]!)}</Time>\n`;
    if (has(track.lat, i) && has(track.lon, i)) {
      p += `      <Position><LatitudeDegrees>${track.lat[i]!.toFixed(7)}</LatitudeDegrees><LongitudeDegrees>${track.lon[i]!.toFixed(7)}</LongitudeDegrees></Position>\n`;
    }
    if (has(track.alt, i)) p += `      <AltitudeMeters>${track.alt[i]!.toFixed(1)}</AltitudeMeters>\n`;
    if (has(track.dist, i)) p += `      <DistanceMeters>${track.dist[i]!.toFixed(2)}</DistanceMeters>\n`;
    if (has(track.hr, i)) p += `      <HeartRateBpm><Value>${Math.round(track.hr[i]!)}</Value></HeartRateBpm>\n`;
    parts.push(`${p}     </Trackpoint>\n`);
  }
  parts.push(
    '    </Track>\n   </Lap>\n',
    `   <Creator xsi:type="Device_t">\n    <Name>${s.device}</Name>\n    <UnitId>${s.unitId}</UnitId>\n   </Creator>\n  </Activity>\n </Activities>\n`,
    ' <Author xsi:type="Application_t">\n  <Name>Connect Api</Name>\n  <LangID>en</LangID>\n  <PartNumber>006-D2449-00</PartNumber>\n </Author>\n</TrainingCenterDatabase>\n',
  );
  return parts.join('');
}

/** Garmin Connect's "Export GPX" of an activity: one track of trackpoints with the HR extension. */
export function gpxText(track: ExportTrack, s: Pick<ExportSummary, 'startMs'> & { name: string; type: string }): string {
  const parts: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    '<gpx creator="Garmin Connect" version="1.1" xmlns="http://www.topografix.com/GPX/1/1" xmlns:ns3="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">\n',
    ` <metadata>\n  <time>${iso(s.startMs)}</time>\n </metadata>\n <trk>\n  <name>${s.name}</name>\n  <type>${s.type}</type>\n  <trkseg>\n`,
  ];
  for (let i = 0; i < track.time.length; i++) {
    if (!has(track.lat, i) || !has(track.lon, i)) continue;
    let p = `   <trkpt lat="${track.lat[i]!.toFixed(7)}" lon="${track.lon[i]!.toFixed(7)}">\n`;
    if (has(track.alt, i)) p += `    <ele>${track.alt[i]!.toFixed(1)}</ele>\n`;
    p += `    <time>${iso(track.time[i]!)}</time>\n`;
    if (has(track.hr, i)) p += `    <extensions><ns3:TrackPointExtension><ns3:hr>${Math.round(track.hr[i]!)}</ns3:hr></ns3:TrackPointExtension></extensions>\n`;
    parts.push(`${p}   </trkpt>\n`);
  }
  parts.push('  </trkseg>\n </trk>\n</gpx>\n');
  return parts.join('');
}
