import type { Georeference, LngLat, LocalPoint } from './model';

const EARTH_RADIUS_M = 6_378_137;
const DEG = Math.PI / 180;

/**
 * A site's georeference as a pair of conversions between WGS84 and local metres.
 * A local tangent-plane (equirectangular) projection around the anchor: over the few
 * kilometres a site and its community residents span, the error is millimetres,
 * far below any positioning accuracy.
 */
export class SiteFrame {
  private readonly cosLat: number;
  private readonly cosRot: number;
  private readonly sinRot: number;

  constructor(readonly georef: Georeference) {
    this.cosLat = Math.cos(georef.lat * DEG);
    this.cosRot = Math.cos(georef.rotationDeg * DEG);
    this.sinRot = Math.sin(georef.rotationDeg * DEG);
  }

  /** WGS84 -> local metres. */
  toLocal(lon: number, lat: number): LocalPoint {
    const east = (lon - this.georef.lon) * DEG * EARTH_RADIUS_M * this.cosLat;
    const north = (lat - this.georef.lat) * DEG * EARTH_RADIUS_M;
    // rotate east/north into the site's axes (inverse of the site's rotation)
    return {
      x: east * this.cosRot + north * this.sinRot,
      y: -east * this.sinRot + north * this.cosRot,
    };
  }

  /** Local metres -> WGS84 [lon, lat]. */
  toLngLat(x: number, y: number): LngLat {
    const east = x * this.cosRot - y * this.sinRot;
    const north = x * this.sinRot + y * this.cosRot;
    return [
      this.georef.lon + east / (EARTH_RADIUS_M * this.cosLat) / DEG,
      this.georef.lat + north / EARTH_RADIUS_M / DEG,
    ];
  }
}
