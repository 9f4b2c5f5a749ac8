/**
 * Fetch every page of a replay (the server pages track rows by cursor) and put them together. The HTTP call is
 * passed in, so this runs against a fake in unit tests.
 */
import type { AlertReplayPage, ReplayData, ReplaySource, WindowReplayPage } from './types';

/** Rows the browser will hold for one replay (about 100 bytes each); a week of one resident fits easily. */
export const MAX_ROWS = 400_000;
const PAGE_ROWS = 10_000;

export type GetJson = <T>(path: string) => Promise<T>;

export interface LoadOptions {
  /** Called after each page with the rows so far. */
  onProgress?: (rows: number) => void;
  /** Stop early (the user chose something else). */
  signal?: AbortSignal;
  maxRows?: number;
}

export function replayPath(source: ReplaySource, cursor?: string): string {
  const q = new URLSearchParams();
  if (source.kind === 'alert') {
    q.set('before', String(source.beforeMs));
    q.set('after', String(source.afterMs));
    // the involved resident wherever they went, and who else was on the alert's floor
    q.set('floor', '1');
    q.set('limit', String(PAGE_ROWS));
    if (cursor) q.set('cursor', cursor);
    return `/api/v1/alerts/${encodeURIComponent(source.alertId)}/replay?${q}`;
  }
  if (source.residentIds.length) q.set('residentIds', source.residentIds.join(','));
  if (source.floorId) q.set('floorId', source.floorId);
  q.set('since', String(source.since));
  q.set('until', String(source.until));
  q.set('limit', String(PAGE_ROWS));
  if (cursor) q.set('after', cursor);
  return `/api/v1/replay?${q}`;
}

export function exportPath(source: Extract<ReplaySource, { kind: 'alert' }>, format: 'csv' | 'geojson'): string {
  const q = new URLSearchParams({ before: String(source.beforeMs), after: String(source.afterMs), floor: '1' });
  return `/api/v1/alerts/${encodeURIComponent(source.alertId)}/export.${format}?${q}`;
}

export async function loadReplay(get: GetJson, source: ReplaySource, opts: LoadOptions = {}): Promise<ReplayData> {
  const maxRows = opts.maxRows ?? MAX_ROWS;
  let data: ReplayData | null = null;
  let cursor: string | undefined;
  const seen = new Set<string>();
  do {
    if (opts.signal?.aborted) throw new DOMException('replay load aborted', 'AbortError');
    const page = await get<AlertReplayPage | WindowReplayPage>(replayPath(source, cursor));
    if (!data) {
      const first = 'alert' in page ? page : null;
      data = {
        source,
        alert: first?.alert ?? null,
        responseTimes: first?.responseTimes ?? null,
        since: first ? first.window.since : (page as WindowReplayPage).since,
        until: first ? first.window.until : (page as WindowReplayPage).until,
        rows: [],
        transitions: [],
        alerts: page.alerts ?? [],
        truncated: false,
      };
    }
    for (const r of page.rows) data.rows.push(r);
    for (const t of page.transitions) data.transitions.push(t);
    opts.onProgress?.(data.rows.length);
    cursor = page.next;
    // a cursor that comes back is a server bug; better a short replay than an endless loop
    if (cursor && seen.has(cursor)) cursor = undefined;
    if (cursor) seen.add(cursor);
    if (cursor && data.rows.length >= maxRows) {
      data.truncated = true;
      cursor = undefined;
    }
  } while (cursor);
  return data;
}
