/**
 * Local metric plane for pitch-scale tracks: an equirectangular projection
 * around a reference point (Snyder 1987, "Map Projections: A Working Manual",
 * p. 90). Over a few hundred metres its distortion is far below GPS noise.
 */

/** Mean Earth radius in metres (IUGG). */
const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;

/** The reference point of a local plane: x points east, y north, in metres. */
export interface LocalPlane {
  lat0: number;
  lon0: number;
}

/** A plane centred on the mean of the finite positions; null when there are none. */
export function centroidPlane(lat: Float64Array, lon: Float64Array): LocalPlane | null {
  let sLat = 0;
  let sLon = 0;
  let n = 0;
  for (let i = 0; i < lat.length; i++) {
    const a = lat[i]!;
    const o = lon[i]!;
    if (Number.isFinite(a) && Number.isFinite(o)) {
      sLat += a;
      sLon += o;
      n++;
    }
  }
  return n === 0 ? null : { lat0: sLat / n, lon0: sLon / n };
}

/** Project one position onto the plane: `[x east, y north]` in metres. */
export function projectPoint(plane: LocalPlane, lat: number, lon: number): [number, number] {
  const k = EARTH_RADIUS_M * RAD;
  return [k * (lon - plane.lon0) * Math.cos(plane.lat0 * RAD), k * (lat - plane.lat0)];
}

/** Project positions onto the plane; NaN stays NaN. */
export function projectAll(plane: LocalPlane, lat: Float64Array, lon: Float64Array): { x: Float64Array; y: Float64Array } {
  const x = new Float64Array(lat.length);
  const y = new Float64Array(lat.length);
  for (let i = 0; i < lat.length; i++) {
    const [px, py] = projectPoint(plane, lat[i]!, lon[i]!);
    x[i] = px;
    y[i] = py;
  }
  return { x, y };
}
