/** GPS route similarity for deduplication: are two tracks the same route? */
import type { DedupRoute } from './types.ts';

/** Mean Earth radius (IUGG), metres. */
const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;

/** A route resampled to points equally spaced along its path. */
export interface ResampledRoute {
  lat: Float64Array;
  lon: Float64Array;
  /** Path length in metres. */
  lengthM: number;
}

/** Great-circle distance in metres (haversine formula, Sinnott 1984, Sky & Telescope 68(2):159). */
export function haversineM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLon = (lon2 - lon1) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Resample a track to `n` points equally spaced by distance along it, so that
 * tracks recorded at different rates compare point for point. Points with a
 * non-finite coordinate are skipped; null when fewer than two remain.
 */
export function resampleRoute(route: DedupRoute, n: number): ResampledRoute | null {
  const lat: number[] = [];
  const lon: number[] = [];
  const len = Math.min(route.lat.length, route.lon.length);
  for (let i = 0; i < len; i++) {
    const la = route.lat[i]!;
    const lo = route.lon[i]!;
    if (Number.isFinite(la) && Number.isFinite(lo) && Math.abs(la) <= 90 && Math.abs(lo) <= 180) {
      lat.push(la);
      lon.push(lo);
    }
  }
  if (lat.length < 2 || n < 2) return null;
  const cum = new Float64Array(lat.length);
  for (let i = 1; i < lat.length; i++) cum[i] = cum[i - 1]! + haversineM(lat[i - 1]!, lon[i - 1]!, lat[i]!, lon[i]!);
  const total = cum[lat.length - 1]!;
  const outLat = new Float64Array(n);
  const outLon = new Float64Array(n);
  let seg = 0;
  for (let k = 0; k < n; k++) {
    const target = (total * k) / (n - 1);
    while (seg < lat.length - 2 && cum[seg + 1]! < target) seg++;
    const span = cum[seg + 1]! - cum[seg]!;
    const t = span > 0 ? Math.min(1, Math.max(0, (target - cum[seg]!) / span)) : 0;
    outLat[k] = lat[seg]! + t * (lat[seg + 1]! - lat[seg]!);
    outLon[k] = lon[seg]! + t * (lon[seg + 1]! - lon[seg]!);
  }
  return { lat: outLat, lon: outLon, lengthM: total };
}

function project(r: ResampledRoute, lat0: number, lon0: number): { x: Float64Array; y: Float64Array } {
  // Equirectangular projection about (lat0, lon0): metre-accurate over a workout's extent.
  const k = EARTH_RADIUS_M * RAD;
  const c = Math.cos(lat0 * RAD);
  const x = new Float64Array(r.lat.length);
  const y = new Float64Array(r.lat.length);
  for (let i = 0; i < r.lat.length; i++) {
    x[i] = (r.lon[i]! - lon0) * k * c;
    y[i] = (r.lat[i]! - lat0) * k;
  }
  return { x, y };
}

function pointSegmentDistance(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 > 0 ? Math.min(1, Math.max(0, ((px - ax) * dx + (py - ay) * dy) / len2)) : 0;
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function directedMedian(a: { x: Float64Array; y: Float64Array }, b: { x: Float64Array; y: Float64Array }): number {
  const d: number[] = [];
  for (let i = 0; i < a.x.length; i++) {
    let best = Infinity;
    for (let j = 0; j + 1 < b.x.length; j++) {
      const v = pointSegmentDistance(a.x[i]!, a.y[i]!, b.x[j]!, b.y[j]!, b.x[j + 1]!, b.y[j + 1]!);
      if (v < best) best = v;
    }
    d.push(best);
  }
  return median(d);
}

/**
 * Distance in metres between two resampled routes: the partial Hausdorff
 * distance at the 50th percentile (Huttenlocher, Klanderman & Rucklidge 1993,
 * IEEE PAMI 15(9)) — for each route, the median over its points of the
 * distance to the nearest point on the other route's polyline, and the larger
 * of the two. The median lets a track that lost GPS for a stretch (under half
 * its length) still match the complete one.
 */
export function routeDistanceM(a: ResampledRoute, b: ResampledRoute): number {
  const lat0 = a.lat[0]!;
  const lon0 = a.lon[0]!;
  const pa = project(a, lat0, lon0);
  const pb = project(b, lat0, lon0);
  return Math.max(directedMedian(pa, pb), directedMedian(pb, pa));
}
