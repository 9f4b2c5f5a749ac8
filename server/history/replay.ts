/**
 * What an incident replay is made of, as plain functions over stored data: paged track rows (with an
 * optional row filter), the zone transitions among them, an alert's response times, and the exports
 * (GeoJSON for GIS tools, CSV for a spreadsheet). HTTP and authorisation live in http/replay-api.ts.
 */
import type { Alert } from '../../geo/model';
import type { ResponseTimes, Transition } from '../contract';
import type { SiteFrame } from '../../geo/frame';
import type { Store, TrackPage, TrackQuery, TrackRow } from '../store';

export type { ResponseTimes, Transition };

/** Transitions recorded in `transition` rows (detail `floor:<from>;enter:<ids>;exit:<ids>`). */
export function transitionsOf(rows: readonly TrackRow[]): Transition[] {
  const out: Transition[] = [];
  for (const r of rows) {
    if (r.kind !== 'transition') continue;
    const t: Transition = { ts: r.ts, residentId: r.residentId, tagId: r.tagId, floorId: r.floorId, x: r.x, y: r.y, entered: [], exited: [] };
    for (const part of (r.detail ?? '').split(';')) {
      const [k, v = ''] = part.split(':');
      if (k === 'enter') t.entered = v.split(',').filter(Boolean);
      else if (k === 'exit') t.exited = v.split(',').filter(Boolean);
      else if (k === 'floor' && v) t.fromFloorId = v;
    }
    out.push(t);
  }
  return out;
}

export function responseTimes(a: Alert): ResponseTimes {
  const ack = a.history.find((s) => s.state === 'acknowledged') ?? null;
  const res = a.history.find((s) => s.state === 'resolved') ?? null;
  return {
    fixTs: a.fixTs,
    raisedAt: a.detectedAt,
    acknowledgedAt: ack?.at ?? null,
    acknowledgedBy: ack?.by ?? null,
    resolvedAt: res?.at ?? null,
    resolvedBy: res?.by ?? null,
    detectionMs: a.detectedAt - a.fixTs,
    toAcknowledgeMs: ack ? ack.at - a.detectedAt : null,
    toResolveMs: res ? res.at - a.detectedAt : null,
  };
}

/**
 * One page of rows, keeping only those `keep` accepts. The cursor is the store's, so pages still
 * cover every row once; a filtered page may hold fewer than `limit` rows while `next` is present
 * (store pages whose rows were all filtered out are skipped, up to a bound).
 */
export async function trackPage(store: Pick<Store, 'queryTrack'>, q: TrackQuery, keep?: (r: TrackRow) => boolean): Promise<TrackPage> {
  let query = q;
  for (let i = 0; ; i++) {
    const page = await store.queryTrack(query);
    const rows = keep ? page.rows.filter(keep) : page.rows;
    if (rows.length > 0 || !page.next || i >= 20) return page.next ? { rows, next: page.next } : { rows };
    query = { ...q, after: page.next };
  }
}

/** Every page, up to `maxRows` (exports). */
export async function allTrackRows(store: Pick<Store, 'queryTrack'>, q: TrackQuery, keep: ((r: TrackRow) => boolean) | undefined, maxRows: number): Promise<{ rows: TrackRow[]; truncated: boolean }> {
  const rows: TrackRow[] = [];
  let after: string | undefined;
  do {
    const page = await trackPage(store, { ...q, limit: 10_000, after }, keep);
    rows.push(...page.rows);
    after = page.next;
    if (rows.length >= maxRows) return { rows: rows.slice(0, maxRows), truncated: true };
  } while (after);
  return { rows, truncated: false };
}

const iso = (ts: number) => new Date(ts).toISOString();

/** A spreadsheet must not run a cell as a formula (a resident's name starting with "="). */
function csvCell(v: string | number | undefined | null): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const CSV_COLUMNS = ['ts', 'time_utc', 'resident_id', 'resident_name', 'tag_id', 'floor_id', 'x_m', 'y_m', 'z_m', 'lon', 'lat', 'zone_id', 'kind', 'detail'];

/** One line per track row, RFC 4180, times in epoch ms and ISO 8601 UTC, positions in site metres and WGS84. */
export function toCsv(rows: readonly TrackRow[], nameOf: (residentId: string) => string, frame: SiteFrame | undefined): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of rows) {
    const [lon, lat] = frame?.toLngLat(r.x, r.y) ?? [NaN, NaN];
    lines.push(
      [r.ts, iso(r.ts), r.residentId, nameOf(r.residentId), r.tagId, r.floorId, r.x, r.y, r.z, round7(lon), round7(lat), r.zoneId, r.kind, r.detail]
        .map(csvCell)
        .join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}

const round7 = (v: number) => Math.round(v * 1e7) / 1e7;

/**
 * GeoJSON (RFC 7946, WGS84): the alert as a Point with its response times, and each resident's track
 * as one LineString per stretch on one floor, with the fix times alongside the coordinates.
 */
export function toGeoJson(
  alert: Alert,
  window: { since: number; until: number },
  rows: readonly TrackRow[],
  nameOf: (residentId: string) => string,
  frame: SiteFrame | undefined,
): object {
  const ll = (x: number, y: number) => {
    const [lon, lat] = frame?.toLngLat(x, y) ?? [NaN, NaN];
    return [round7(lon), round7(lat)];
  };
  const features: object[] = [
    {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: ll(alert.position.x, alert.position.y) },
      properties: {
        type: 'alert',
        alertId: alert.id,
        kind: alert.kind,
        severity: alert.severity,
        state: alert.state,
        residentId: alert.residentId,
        residentName: alert.residentName,
        floorId: alert.floorId,
        zoneId: alert.zoneId,
        ...responseTimes(alert),
        history: alert.history,
      },
    },
  ];
  const stretches = new Map<string, { residentId: string; floorId: string; rows: TrackRow[] }[]>();
  for (const r of rows) {
    let list = stretches.get(r.residentId);
    if (!list) stretches.set(r.residentId, (list = []));
    const last = list[list.length - 1];
    if (last && last.floorId === r.floorId) last.rows.push(r);
    else list.push({ residentId: r.residentId, floorId: r.floorId, rows: [r] });
  }
  for (const list of stretches.values()) {
    for (const s of list) {
      const coords = s.rows.map((r) => ll(r.x, r.y));
      features.push({
        type: 'Feature',
        geometry: coords.length === 1 ? { type: 'Point', coordinates: coords[0] } : { type: 'LineString', coordinates: coords },
        properties: {
          type: 'track',
          residentId: s.residentId,
          residentName: nameOf(s.residentId),
          floorId: s.floorId,
          startTs: s.rows[0].ts,
          endTs: s.rows[s.rows.length - 1].ts,
          times: s.rows.map((r) => r.ts),
          local: s.rows.map((r) => [r.x, r.y]),
        },
      });
    }
  }
  return { type: 'FeatureCollection', window: { since: window.since, until: window.until }, features };
}
