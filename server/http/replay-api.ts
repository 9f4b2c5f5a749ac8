/**
 * Incident replay over REST (SPEC §6): track rows of a time window, the window around an alert with
 * its response times, and exports of that window. Who may: `resident.track` in auth/scope.ts (staff
 * of the resident's site and ward; family members see an alert and its history at /api/v1/alerts/:id
 * but not the track replay, regulators no personal tracks, §9). A role that may not is a 403, a
 * resident, floor or alert outside the user's scope a 404, as everywhere else.
 *
 * Every request is audited: a view as `view_history` (one entry per resident shown), stored before
 * the data leaves (503 if it cannot be), and a refusal as `view_history_denied`.
 *
 *   GET /api/v1/replay?residentIds=a,b&floorId=&since=&until=&after=&limit=
 *   GET /api/v1/alerts/:id/replay?before=120000&after=300000&floor=1&cursor=&limit=
 *   GET /api/v1/alerts/:id/export.geojson | export.csv   (same window parameters)
 */
import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Alert } from '../../geo/model';
import type { AlertService } from '../alerts/alert-service';
import type { Accounts } from '../auth/accounts';
import { authorize, authorizeAlert, authorizeFloor, authorizeResident, canSeeAlert, canSeeResident, type Decision } from '../auth/scope';
import { allTrackRows, responseTimes, toCsv, toGeoJson, trackPage, transitionsOf } from '../history/replay';
import type { SessionUser } from '../contract';
import type { Registry } from '../registry';
import type { Store, TrackRow } from '../store';
import { auditAfter, auditOrRefuse, noStore, parseQuery, pathId, QueryLimit, QueryTime, requireUser, user } from './common';

export interface ReplayDeps {
  accounts: Accounts;
  registry: Registry;
  alerts: AlertService;
  store: Store;
  log?: Logger;
}

const MAX_WINDOW_MS = 7 * 86_400_000;
const MAX_AROUND_MS = 6 * 3600_000;
const MAX_EXPORT_ROWS = 200_000;
/** An alert is detected after its fix, at most a backlog's age later (ingest refuses fixes older than a day). */
const MAX_DETECTION_DELAY_MS = 86_400_000;

/** The store's cursors are `ts:block:index` (embedded) or `ts:id` (PostgreSQL): digits and colons. */
const Cursor = z.string().max(100, 'at most 100 characters').regex(/^[\d:.-]+$/, 'not a cursor from a previous page');
const Ms = z.string().regex(/^\d{1,8}$/, 'must be whole milliseconds').transform(Number).refine((n) => n <= MAX_AROUND_MS, `at most ${MAX_AROUND_MS} ms`);

const ReplayQuery = z
  .object({
    residentIds: z
      .string()
      .max(50 * 65)
      .transform((s) => [...new Set(s.split(',').map((x) => x.trim()).filter(Boolean))])
      .refine((ids) => ids.length <= 50, 'at most 50 residentIds')
      .optional(),
    floorId: z.string().min(1).max(64).optional(),
    since: QueryTime,
    until: QueryTime,
    after: Cursor.optional(),
    cursor: Cursor.optional(),
    limit: QueryLimit(10_000).optional(),
  })
  .strict()
  .refine((q) => q.until > q.since, { message: 'until must be after since', path: ['until'] })
  .refine((q) => q.until - q.since <= MAX_WINDOW_MS, { message: 'the window is at most 7 days; page through longer periods', path: ['until'] })
  .refine((q) => (q.residentIds?.length ?? 0) > 0 || q.floorId !== undefined, { message: 'give residentIds, floorId, or both', path: ['residentIds'] });

const AroundQuery = z
  .object({
    before: Ms.optional(),
    after: Ms.optional(),
    floor: z.enum(['0', '1', 'true', 'false']).optional(),
    cursor: Cursor.optional(),
    limit: QueryLimit(10_000).optional(),
  })
  .strict();

/** A refusal to answer, and to audit. */
class Refused extends Error {
  constructor(readonly decision: Extract<Decision, { ok: false }>) {
    super(decision.error);
  }
}
const check = (d: Decision): void => {
  if (!d.ok) throw new Refused(d);
};

export function replayRoutes(deps: ReplayDeps): Router {
  const { accounts, registry, alerts, store, log } = deps;
  const r = express.Router();
  const auth = [requireUser(accounts), noStore];

  /**
   * One audit entry per resident shown, stored before the data leaves: written together, they share
   * the store's group commit. False (and a 503 sent, as auditOrRefuse does) when they could not be.
   */
  const auditView = async (u: SessionUser, residentIds: readonly string[], fallback: { type: string; id: string; siteId?: string }, detail: object, res: Response) => {
    const subjects = residentIds.length ? residentIds.map((id) => ({ type: 'resident', id, siteId: registry.residents.get(id)?.siteId })) : [fallback];
    const entry = (s: (typeof subjects)[number]) => ({ actor: u.username, action: 'view_history', subjectType: s.type, subjectId: s.id, siteId: s.siteId, detail });
    if (subjects.length === 1) return auditOrRefuse(store, entry(subjects[0]), res, log);
    try {
      const at = Date.now();
      await Promise.all(subjects.map((s) => store.appendAudit({ at, ...entry(s) })));
      return true;
    } catch (err) {
      log?.error({ err, action: 'view_history' }, 'audit entry not recorded; view refused');
      res.status(503).json({ error: 'the view could not be recorded in the audit log, so it is not shown; try again' });
      return false;
    }
  };

  /** Runs a handler; a refusal from auth/scope is answered and audited. */
  const handle = (endpoint: string, fn: (u: SessionUser, req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response) => {
    const u = user(req);
    try {
      await fn(u, req, res);
    } catch (e) {
      if (!(e instanceof Refused)) throw e;
      const subject = req.params.id
        ? { subjectType: 'alert', subjectId: String(req.params.id) }
        : { subjectType: 'replay', subjectId: String(req.query.residentIds ?? req.query.floorId ?? '').slice(0, 200) };
      await auditAfter(store, { actor: u.username, action: 'view_history_denied', ...subject, detail: { endpoint, status: e.decision.status, reason: e.decision.error } }, log);
      res.status(e.decision.status).json({ error: e.decision.error });
    }
  };

  const nameOf = (id: string) => registry.residents.get(id)?.name ?? id;
  const visible = (u: SessionUser) => (row: TrackRow) => {
    const res = registry.residents.get(row.residentId);
    return !!res && canSeeResident(u, res);
  };

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
    auth,
    handle('replay', async (u, req, res) => {
      check(authorize(u, 'resident.track'));
      const q = parseQuery(ReplayQuery, req.query, res);
      if (!q) return;
      const ids = q.residentIds?.length ? q.residentIds : undefined;
      const after = q.after ?? q.cursor;
      for (const id of ids ?? []) {
        const res = registry.residents.get(id);
        check(res ? authorizeResident(u, 'resident.track', res) : { ok: false, status: 404, error: 'no such resident' });
      }
      let siteId: string | undefined;
      if (q.floorId) {
        check(authorizeFloor(u, registry, q.floorId));
        siteId = registry.floor(q.floorId)!.site.id;
      }
      // A floor replay shows only the residents this user may see (a nurse: the wards they cover).
      const page = await trackPage(store, { residentIds: ids, floorId: q.floorId, since: q.since, until: q.until, limit: q.limit ?? 2000, after }, ids ? undefined : visible(u));
      let windowAlerts: Alert[] = [];
      if (!after) {
        const found = ids ? (await Promise.all(ids.map((rid) => alertsCausedIn({ residentId: rid }, q.since, q.until)))).flat() : await alertsCausedIn({ siteId }, q.since, q.until);
        windowAlerts = found.filter((a) => canSeeAlert(u, a) && (!q.floorId || a.floorId === q.floorId));
      }
      const shown = ids ?? [...new Set([...page.rows.map((x) => x.residentId), ...windowAlerts.map((a) => a.residentId)])];
      const detail = { endpoint: 'replay', since: q.since, until: q.until, floorId: q.floorId, residentIds: ids, after, rows: page.rows.length };
      if (!(await auditView(u, shown, { type: 'floor', id: q.floorId!, siteId }, detail, res))) return;
      res.json({ since: q.since, until: q.until, rows: page.rows, transitions: transitionsOf(page.rows), alerts: windowAlerts, ...(page.next ? { next: page.next } : {}) });
    }),
  );

  /** The alert and the window around it, for a user allowed to replay it; null when a 400 was sent. */
  const around = async (u: SessionUser, req: Request, res: Response) => {
    check(authorize(u, 'resident.track'));
    const id = pathId(req, res);
    if (!id) return null;
    const q = parseQuery(AroundQuery, req.query, res);
    if (!q) return null;
    const alert = alerts.get(id) ?? (await store.getAlert(id));
    check(alert ? authorizeAlert(u, 'alert.read', alert) : { ok: false, status: 404, error: 'no such alert' });
    const resident = registry.residents.get(alert!.residentId);
    if (resident) check(authorizeResident(u, 'resident.track', resident));
    const a = alert!;
    const floor = q.floor === '1' || q.floor === 'true';
    const window = { since: Math.max(0, a.fixTs - (q.before ?? 120_000)), until: a.fixTs + (q.after ?? 300_000) + 1 };
    // floor=1: the involved resident wherever they went, and the others this user may see on the alert's floor
    const seen = visible(u);
    const keep = floor ? (row: TrackRow) => row.residentId === a.residentId || (row.floorId === a.floorId && seen(row)) : undefined;
    const query = floor ? { ...window } : { residentIds: [a.residentId], ...window };
    return { alert: a, window, floor, keep, query, cursor: q.cursor, limit: q.limit };
  };

  const residentsIn = (a: Alert, rows: readonly TrackRow[]) => [...new Set([a.residentId, ...rows.map((x) => x.residentId)])];

  r.get(
    '/api/v1/alerts/:id/replay',
    auth,
    handle('alert_replay', async (u, req, res) => {
      const w = await around(u, req, res);
      if (!w) return;
      const { alert, window, floor, keep, query, cursor } = w;
      const page = await trackPage(store, { ...query, limit: w.limit ?? 10_000, after: cursor }, keep);
      let others: Alert[] = [];
      if (!cursor) {
        const found = floor
          ? (await alertsCausedIn({ siteId: alert.siteId }, window.since, window.until)).filter((a) => a.floorId === alert.floorId || a.residentId === alert.residentId)
          : await alertsCausedIn({ residentId: alert.residentId }, window.since, window.until);
        others = found.filter((a) => a.id !== alert.id && canSeeAlert(u, a));
      }
      const detail = { endpoint: 'alert_replay', alertId: alert.id, ...window, floor, after: cursor, rows: page.rows.length };
      if (!(await auditView(u, residentsIn(alert, page.rows), { type: 'alert', id: alert.id }, detail, res))) return;
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
      const w = await around(u, req, res);
      if (!w) return;
      const { alert, window, floor, keep, query } = w;
      const { rows, truncated } = await allTrackRows(store, query, keep, MAX_EXPORT_ROWS);
      const detail = { endpoint: 'export', format, alertId: alert.id, ...window, floor, rows: rows.length };
      if (!(await auditView(u, residentsIn(alert, rows), { type: 'alert', id: alert.id }, detail, res))) return;
      const frame = registry.frame(alert.siteId);
      res.set('Content-Disposition', `attachment; filename="alert-${encodeURIComponent(alert.id)}.${format}"`);
      if (truncated) res.set('X-Carewatch-Truncated', String(MAX_EXPORT_ROWS));
      if (format === 'csv') res.type('text/csv; charset=utf-8').send(toCsv(rows, nameOf, frame));
      else res.type('application/geo+json').send(JSON.stringify(toGeoJson(alerts.get(alert.id) ?? alert, window, rows, nameOf, frame)));
    });
  r.get('/api/v1/alerts/:id/export.geojson', auth, exporter('geojson'));
  r.get('/api/v1/alerts/:id/export.csv', auth, exporter('csv'));
  return r;
}
