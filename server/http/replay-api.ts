/**
 * Incident replay over REST (SPEC §6): track rows of a time window, the window around an alert with
 * its response times, and exports. Staff only: managers and admins of the site, nurses of the
 * resident's ward (auth/scope.ts); family members see an alert and its history but not the track
 * replay, regulators no personal tracks at all (§9). Every request, granted or refused, is audited
 * (`view_history` / `view_history_denied`), and the audit entry is stored before the data is sent.
 *
 *   GET /api/v1/replay?residentIds=a,b&floorId=&since=&until=&after=&limit=
 *   GET /api/v1/alerts/:id/replay?before=120000&after=300000&floor=1&cursor=&limit=
 *   GET /api/v1/alerts/:id/export.geojson | export.csv   (same window parameters)
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Alert } from '../../geo/model';
import type { AlertService } from '../alerts/alert-service';
import type { Accounts } from '../auth/accounts';
import { canSeeAlert, canSeeResident, canWatchFloor } from '../auth/scope';
import { allTrackRows, responseTimes, toCsv, toGeoJson, trackPage, transitionsOf } from '../history/replay';
import type { SessionUser } from '../realtime/events';
import type { Registry } from '../registry';
import type { Store, TrackRow } from '../store';

export interface ReplayDeps {
  accounts: Accounts;
  registry: Registry;
  alerts: AlertService;
  store: Store;
}

const MAX_WINDOW_MS = 7 * 86_400_000;
const MAX_AROUND_MS = 6 * 3600_000;
const MAX_EXPORT_ROWS = 200_000;
const DEFAULT_LIMIT = 2000;
/** An alert is detected after its fix, at most a backlog's age later (ingest refuses fixes older than a day). */
const MAX_DETECTION_DELAY_MS = 86_400_000;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Authed = Request & { user: SessionUser };

/** Epoch ms or ISO 8601. */
function time(v: unknown, name: string): number {
  if (typeof v !== 'string' || v === '') throw new HttpError(400, `${name} is required (epoch ms or ISO 8601)`);
  const n = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new HttpError(400, `${name}: not epoch ms or ISO 8601`);
  return n;
}

function int(v: unknown, name: string, dflt: number, max: number): number {
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isInteger(n) || n < 0 || n > max) throw new HttpError(400, `${name} must be an integer from 0 to ${max}`);
  return n;
}

function cursor(v: unknown): string | undefined {
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || v.length > 100 || !/^[\w:.-]+$/.test(v)) throw new HttpError(400, 'after/cursor: not a cursor from a previous page');
  return v;
}

/** Who may replay tracks at all (per resident, canSeeResident decides). */
const mayReplay = (u: SessionUser) => u.role !== 'family' && u.role !== 'regulator';

export function replayRoutes(deps: ReplayDeps): Router {
  const { accounts, registry, alerts, store } = deps;
  const r = express.Router();

  const requireUser = (req: Request, res: Response, next: NextFunction) => {
    const h = req.headers.authorization ?? '';
    const session = h.startsWith('Bearer ') ? accounts.session(h.slice(7).trim()) : null;
    if (!session) return void res.status(401).json({ error: 'log in first (Authorization: Bearer <token>)' });
    (req as Authed).user = session.user;
    next();
  };

  const audit = (u: SessionUser, action: 'view_history' | 'view_history_denied', subjects: { type: string; id: string; siteId?: string }[], detail: object) =>
    Promise.all(
      subjects.map((s) =>
        store.appendAudit({ at: Date.now(), actor: u.username, action, subjectType: s.type, subjectId: s.id, siteId: s.siteId, detail }),
      ),
    );

  /** Runs a handler; an HttpError is answered (and a 403/404 audited as a refusal). */
  const handle =
    (what: string, fn: (u: SessionUser, req: Request, res: Response) => Promise<void>) =>
    async (req: Request, res: Response) => {
      const u = (req as Authed).user;
      try {
        await fn(u, req, res);
      } catch (e) {
        if (!(e instanceof HttpError)) throw e;
        if (e.status === 403 || e.status === 404) {
          const subject = req.params.id ? { type: 'alert', id: String(req.params.id) } : { type: 'replay', id: String(req.query.residentIds ?? req.query.floorId ?? '') };
          await audit(u, 'view_history_denied', [subject], { endpoint: what, status: e.status, reason: e.message, query: req.query });
        }
        res.status(e.status).json({ error: e.message });
      }
    };

  const nameOf = (id: string) => registry.residents.get(id)?.name ?? id;

  /**
   * Alerts whose causing fix lies in [since, until): where they sit on the replayed track. The store
   * filters on detection time, which for a backlog replayed later can be well after the fix.
   */
  const alertsCausedIn = async (filter: { residentId?: string; siteId?: string }, since: number, until: number): Promise<Alert[]> => {
    await alerts.flushed();
    const found = await store.listAlerts({ ...filter, since, until: until + MAX_DETECTION_DELAY_MS, limit: 1000 });
    return found.filter((a) => a.fixTs >= since && a.fixTs < until).sort((a, b) => a.fixTs - b.fixTs || a.detectedAt - b.detectedAt);
  };

  r.get(
    '/api/v1/replay',
    requireUser,
    handle('replay', async (u, req, res) => {
      if (!mayReplay(u)) throw new HttpError(403, `a ${u.role} account may not replay resident tracks`);
      const since = time(req.query.since, 'since');
      const until = time(req.query.until, 'until');
      if (until <= since) throw new HttpError(400, 'until must be after since');
      if (until - since > MAX_WINDOW_MS) throw new HttpError(400, 'the window is at most 7 days; page through longer periods');
      const limit = int(req.query.limit, 'limit', DEFAULT_LIMIT, 10_000) || DEFAULT_LIMIT;
      const after = cursor(req.query.after ?? req.query.cursor);
      const floorId = typeof req.query.floorId === 'string' && req.query.floorId !== '' ? req.query.floorId : undefined;
      const ids =
        typeof req.query.residentIds === 'string' && req.query.residentIds !== ''
          ? [...new Set(req.query.residentIds.split(',').map((s) => s.trim()).filter(Boolean))]
          : undefined;
      if (!ids && !floorId) throw new HttpError(400, 'give residentIds, floorId, or both');
      if (ids && ids.length > 50) throw new HttpError(400, 'at most 50 residentIds');

      for (const id of ids ?? []) {
        const res = registry.residents.get(id);
        if (!res || !u.siteIds.includes(res.siteId)) throw new HttpError(404, `no such resident ${id}`);
        if (!canSeeResident(u, res)) throw new HttpError(403, `you may not view the history of resident ${id}`);
      }
      let siteId: string | undefined;
      if (floorId) {
        const ref = registry.floor(floorId);
        if (!ref || !u.siteIds.includes(ref.site.id)) throw new HttpError(404, `no such floor ${floorId}`);
        if (!canWatchFloor(u, registry, floorId)) throw new HttpError(403, `you may not view floor ${floorId}`);
        siteId = ref.site.id;
      }
      // A floor replay shows only the residents this user may see (a nurse: their wards).
      const visible = (rid: string) => {
        const res = registry.residents.get(rid);
        return !!res && canSeeResident(u, res);
      };
      const page = await trackPage(store, { residentIds: ids, floorId, since, until, limit, after }, ids ? undefined : (row) => visible(row.residentId));

      let windowAlerts: Alert[] = [];
      if (!after) {
        const found = ids
          ? (await Promise.all(ids.map((rid) => alertsCausedIn({ residentId: rid }, since, until)))).flat()
          : await alertsCausedIn({ siteId }, since, until);
        windowAlerts = found.filter((a) => canSeeAlert(u, a) && (!floorId || a.floorId === floorId));
      }
      const seen = ids ?? [...new Set([...page.rows.map((x) => x.residentId), ...windowAlerts.map((a) => a.residentId)])];
      const subjects = seen.length
        ? seen.map((id) => ({ type: 'resident', id, siteId: registry.residents.get(id)?.siteId }))
        : [{ type: 'floor', id: floorId!, siteId }];
      await audit(u, 'view_history', subjects, { endpoint: 'replay', since, until, floorId, residentIds: ids, after, rows: page.rows.length });
      res.json({ since, until, rows: page.rows, transitions: transitionsOf(page.rows), alerts: windowAlerts, ...(page.next ? { next: page.next } : {}) });
    }),
  );

  /** The alert and the window around it; throws 403/404 as the user's role and scope decide. */
  const around = async (u: SessionUser, req: Request) => {
    if (!mayReplay(u)) throw new HttpError(403, `a ${u.role} account may not replay resident tracks (the alert and its history are at /api/v1/alerts/:id)`);
    const id = String(req.params.id);
    const alert = alerts.get(id) ?? (await store.getAlert(id));
    if (!alert || !canSeeAlert(u, alert)) throw new HttpError(404, 'no such alert');
    const resident = registry.residents.get(alert.residentId);
    if (resident && !canSeeResident(u, resident)) throw new HttpError(404, 'no such alert');
    const before = int(req.query.before, 'before', 120_000, MAX_AROUND_MS);
    const afterMs = int(req.query.after, 'after', 300_000, MAX_AROUND_MS);
    const floor = req.query.floor === '1' || req.query.floor === 'true';
    const window = { since: Math.max(0, alert.fixTs - before), until: alert.fixTs + afterMs + 1 };
    // With floor=1: the involved resident everywhere, and the others this user may see on the alert's floor.
    const keep = floor
      ? (row: TrackRow) =>
          row.residentId === alert.residentId ||
          (row.floorId === alert.floorId && canSeeResident(u, registry.residents.get(row.residentId) ?? { id: row.residentId, siteId: row.siteId, wardId: null }))
      : undefined;
    const query = floor ? { since: window.since, until: window.until } : { residentIds: [alert.residentId], since: window.since, until: window.until };
    return { alert, window, floor, keep, query };
  };

  const auditAround = (u: SessionUser, alert: Alert, rows: readonly TrackRow[], detail: object) => {
    const ids = new Set([alert.residentId, ...rows.map((x) => x.residentId)]);
    return audit(
      u,
      'view_history',
      [...ids].map((id) => ({ type: 'resident', id, siteId: alert.siteId })),
      { alertId: alert.id, ...detail },
    );
  };

  r.get(
    '/api/v1/alerts/:id/replay',
    requireUser,
    handle('alert_replay', async (u, req, res) => {
      const { alert, window, floor, keep, query } = await around(u, req);
      const limit = int(req.query.limit, 'limit', 10_000, 10_000) || 10_000;
      const after = cursor(req.query.cursor);
      const page = await trackPage(store, { ...query, limit, after }, keep);
      let others: Alert[] = [];
      if (!after) {
        const found = floor
          ? (await alertsCausedIn({ siteId: alert.siteId }, window.since, window.until)).filter((a) => a.floorId === alert.floorId || a.residentId === alert.residentId)
          : await alertsCausedIn({ residentId: alert.residentId }, window.since, window.until);
        others = found.filter((a) => a.id !== alert.id && canSeeAlert(u, a));
      }
      await auditAround(u, alert, page.rows, { endpoint: 'alert_replay', ...window, floor, after, rows: page.rows.length });
      const live = alerts.get(alert.id) ?? alert;
      res.json({
        alert: live,
        window,
        responseTimes: responseTimes(live),
        rows: page.rows,
        transitions: transitionsOf(page.rows),
        alerts: others,
        ...(page.next ? { next: page.next } : {}),
      });
    }),
  );

  const exporter = (format: 'geojson' | 'csv') =>
    handle(`export.${format}`, async (u, req, res) => {
      const { alert, window, floor, keep, query } = await around(u, req);
      const { rows, truncated } = await allTrackRows(store, query, keep, MAX_EXPORT_ROWS);
      await auditAround(u, alert, rows, { endpoint: 'export', format, ...window, floor, rows: rows.length });
      const frame = registry.frame(alert.siteId);
      const name = `alert-${alert.id}.${format}`;
      res.setHeader('content-disposition', `attachment; filename="${name}"`);
      if (truncated) res.setHeader('x-carewatch-truncated', String(MAX_EXPORT_ROWS));
      if (format === 'csv') res.type('text/csv; charset=utf-8').send(toCsv(rows, nameOf, frame));
      else res.type('application/geo+json').send(JSON.stringify(toGeoJson(alerts.get(alert.id) ?? alert, window, rows, nameOf, frame)));
    });
  r.get('/api/v1/alerts/:id/export.geojson', requireUser, exporter('geojson'));
  r.get('/api/v1/alerts/:id/export.csv', requireUser, exporter('csv'));
  return r;
}
