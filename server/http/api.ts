import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Alert, Resident } from '../../geo/model';
import type { Accounts } from '../auth/accounts';
import { authorize, authorizeAlert, authorizeResident, opensFamilyView, planPart, sitePlanScope, visibleResidents } from '../auth/scope';
import { AlertTransitionError, type AlertService } from '../alerts/alert-service';
import type { PositionReader } from '../positions/latest-positions';
import type { Registry } from '../registry';
import type { Store } from '../store';
import type { SiteConfig } from '../sites/site-config';
import { zonesToFeatureCollection } from '../site-loader';
import { adminRoutes } from './admin-api';
import { configRoutes, SITE_BODY_LIMIT } from './config-api';
import { residentView } from './resident-view';
import { authRoutes } from './auth-api';
import { allowed, auditOrRefuse, jsonBodiesOnly, noStore, parseBody, parseQuery, pathId, QueryLimit, QueryTime, requireUser, user } from './common';

export interface ApiDeps {
  accounts: Accounts;
  registry: Registry;
  alerts: AlertService;
  store: Store;
  /** Each resident's latest position. */
  positions: PositionReader;
  /** Changes of sites, zones, wards, residents and tags (store first, then registry and workers). */
  sites: SiteConfig;
  login: { failuresPerIpPerMinute: number; failuresPerUserPerMinute: number };
  log?: Logger;
}

const NoteBody = z.object({ note: z.string().max(2000, 'at most 2000 characters').optional() }).strict();
const AlertsQuery = z
  .object({
    state: z.enum(['open', 'acknowledged', 'resolved'], 'state must be open, acknowledged or resolved').optional(),
    limit: QueryLimit(1000).optional(),
  })
  .strict();
const ExportQuery = z.object({ since: QueryTime.optional(), until: QueryTime.optional() }).strict();

/**
 * The staff/family REST API: auth, sites, residents, alerts, admin. Every decision about who may
 * see or do what is asked of auth/scope; every view of one resident's data is audited first.
 */
export function apiRoutes(deps: ApiDeps): Router {
  const { accounts, registry, alerts, store, log } = deps;
  const r = express.Router();
  r.post('/api/v1/sites', express.json({ limit: SITE_BODY_LIMIT }));
  r.use('/api/v1', noStore, jsonBodiesOnly, express.json({ limit: '64kb' }));
  r.use(authRoutes(accounts, store, deps.login, log));
  r.use(adminRoutes({ accounts, registry, alerts, store, log }));
  r.use(configRoutes({ accounts, sites: deps.sites, alerts, log }));

  const auth = requireUser(accounts);
  const activeAlertsOf = (residentId: string): Alert[] => alerts.activeFor(residentId);

  r.get('/api/v1/sites', auth, (req, res) => {
    const u = user(req);
    if (!allowed(authorize(u, 'site.read'), res)) return;
    const sites = [...registry.sites.values()]
      .flatMap((site) => {
        const scope = sitePlanScope(u, registry, site.id);
        return scope ? [planPart(site, registry.siteZones(site.id), scope.floorIds)] : [];
      })
      // zone properties as stored, free-form ones (door, cameras...) included
      .map(({ site: s, zones }) => ({ ...s, zones: zonesToFeatureCollection(zones) }));
    res.json(sites);
  });

  r.get('/api/v1/residents', auth, (req, res) => {
    const u = user(req);
    if (!allowed(authorize(u, 'resident.list'), res)) return;
    res.json(visibleResidents(u, registry).map(residentView));
  });

  /** The resident of `:id` when the user may do `action` to it; otherwise answered and null. */
  const residentFor = (req: Request, res: Response, action: Parameters<typeof authorizeResident>[1]): Resident | null => {
    const u = user(req);
    const role = authorize(u, action);
    if (!allowed(role, res)) return null;
    const id = pathId(req, res);
    if (!id) return null;
    const resident = registry.residents.get(id);
    if (!resident) {
      res.status(404).json({ error: 'no such resident' });
      return null;
    }
    return allowed(authorizeResident(u, action, resident, action === 'resident.position' ? activeAlertsOf(resident.id) : []), res) ? resident : null;
  };

  r.get('/api/v1/residents/:id', auth, async (req, res) => {
    const resident = residentFor(req, res, 'resident.read');
    if (!resident) return;
    const u = user(req);
    if (!(await auditOrRefuse(store, { actor: u.username, action: 'resident.view', subjectType: 'resident', subjectId: resident.id, siteId: resident.siteId }, res, log))) return;
    res.json({ ...residentView(resident), safeZoneIds: resident.safeZoneIds, forbiddenZoneIds: resident.forbiddenZoneIds });
  });

  // live position: staff of the resident's ward or site; family only while an alert of theirs is open
  r.get('/api/v1/residents/:id/position', auth, async (req, res) => {
    const resident = residentFor(req, res, 'resident.position');
    if (!resident) return;
    const u = user(req);
    const pos = deps.positions.positionOf(resident.id);
    if (!(await auditOrRefuse(store, { actor: u.username, action: 'resident.view_position', subjectType: 'resident', subjectId: resident.id, siteId: resident.siteId }, res, log))) return;
    if (!pos) return void res.status(404).json({ error: 'no position received yet for this resident' });
    const open = u.role === 'family' ? activeAlertsOf(resident.id).find(opensFamilyView) : undefined;
    res.json({ ...pos, ...(open ? { alertId: open.id } : {}) });
  });

  // everything held about one resident, on request (admin only); audited before it leaves
  r.get('/api/v1/residents/:id/export', auth, async (req, res) => {
    const resident = residentFor(req, res, 'resident.export');
    if (!resident) return;
    const q = parseQuery(ExportQuery, req.query, res);
    if (!q) return;
    const u = user(req);
    const since = q.since ?? 0;
    const until = q.until ?? Date.now() + 1;
    if (!(await auditOrRefuse(store, { actor: u.username, action: 'resident.export', subjectType: 'resident', subjectId: resident.id, siteId: resident.siteId, detail: { since, until } }, res, log))) return;
    await alerts.flushed();
    const [alertList, auditList] = await Promise.all([allAlertsOf(store, resident.id), allAuditAbout(store, resident.id)]);
    const family = accounts
      .listAccounts()
      .filter((a) => a.role === 'family' && a.residentIds.includes(resident.id))
      .map((a) => ({ username: a.username, displayName: a.displayName }));
    res.status(200).type('application/json');
    res.set('Content-Disposition', `attachment; filename="resident-${encodeURIComponent(resident.id)}.json"`);
    const head = { exportedAt: Date.now(), exportedBy: u.username, resident, familyAccounts: family, alerts: alertList, audit: auditList, trackWindow: { since, until } };
    res.write(`${JSON.stringify(head).slice(0, -1)},"track":[`);
    // the track can be long: stream it page by page
    let after: string | undefined;
    let first = true;
    try {
      do {
        const page = await store.queryTrack({ residentIds: [resident.id], since, until, limit: 10_000, ...(after ? { after } : {}) });
        if (page.rows.length) {
          res.write((first ? '' : ',') + page.rows.map((row) => JSON.stringify(row)).join(','));
          first = false;
        }
        after = page.next;
      } while (after);
    } catch (err) {
      log?.error({ err }, 'export failed while streaming the track');
      return void res.destroy();
    }
    res.end(']}');
  });

  r.get('/api/v1/alerts', auth, async (req, res) => {
    const u = user(req);
    if (!allowed(authorize(u, 'alert.list'), res)) return;
    const q = parseQuery(AlertsQuery, req.query, res);
    if (!q) return;
    const { state } = q;
    const limit = q.limit ?? 200;
    let list = alerts.list({ state });
    if (state === undefined || state === 'resolved') {
      // older resolved alerts are only in the store
      await alerts.flushed();
      const live = new Map(list.map((a) => [a.id, a]));
      for (const a of await store.listAlerts({ state, limit })) if (!live.has(a.id)) live.set(a.id, a);
      list = [...live.values()].sort((a, b) => b.detectedAt - a.detectedAt);
    }
    res.json(list.filter((a) => authorizeAlert(u, 'alert.read', a).ok).slice(0, limit));
  });

  const alertFor = async (req: Request, res: Response, action: 'alert.read' | 'alert.handle'): Promise<Alert | null> => {
    const u = user(req);
    if (!allowed(authorize(u, 'alert.read'), res)) return null;
    const id = pathId(req, res);
    if (!id) return null;
    const a = alerts.get(id) ?? (action === 'alert.read' ? await store.getAlert(id) : null);
    if (!a) {
      res.status(404).json({ error: 'no such alert' });
      return null;
    }
    return allowed(authorizeAlert(u, action, a), res) ? a : null;
  };

  r.get('/api/v1/alerts/:id', auth, async (req, res) => {
    const a = await alertFor(req, res, 'alert.read');
    if (a) res.json(a);
  });

  const step = (action: 'ack' | 'resolve') => async (req: Request, res: Response) => {
    const body = parseBody(NoteBody, req.body, res);
    if (!body) return;
    const a = await alertFor(req, res, 'alert.handle');
    if (!a) return;
    const u = user(req);
    let updated;
    try {
      updated = action === 'ack' ? alerts.acknowledge(a.id, u.username, body.note) : alerts.resolve(a.id, u.username, body.note);
    } catch (e) {
      if (e instanceof AlertTransitionError) return void res.status(e.status).json({ error: e.message });
      throw e;
    }
    // answer only once the step is durable: a 200 must survive a crash right after it
    try {
      await alerts.saved(updated.id);
    } catch {
      return void res.status(503).json({ error: 'the step was taken but could not be stored yet; it is retried, check the alert before repeating' });
    }
    res.json(updated);
  };
  r.post('/api/v1/alerts/:id/ack', auth, step('ack'));
  r.post('/api/v1/alerts/:id/resolve', auth, step('resolve'));
  return r;
}

/**
 * Every item of a newest-first list that pages with an exclusive `until`: each next page steps to the oldest
 * item's millisecond, inclusive, so items sharing it are not lost (the repeats are dropped by id).
 */
async function allPages<T extends { id: string }>(page: (until: number | undefined) => Promise<T[]>, timeOf: (item: T) => number): Promise<T[]> {
  const byId = new Map<string, T>();
  let until: number | undefined;
  for (let guard = 0; guard < 1000; guard++) {
    const items = await page(until);
    let fresh = 0;
    for (const it of items) if (!byId.has(it.id)) (byId.set(it.id, it), fresh++);
    if (items.length < 1000 || fresh === 0) break;
    until = timeOf(items[items.length - 1]) + 1;
  }
  return [...byId.values()];
}

function allAlertsOf(store: Store, residentId: string): Promise<Alert[]> {
  return allPages((until) => store.listAlerts({ residentId, limit: 1000, ...(until !== undefined ? { until } : {}) }), (a) => a.detectedAt);
}

function allAuditAbout(store: Store, subjectId: string) {
  return allPages((until) => store.listAudit({ subjectId, limit: 1000, ...(until !== undefined ? { until } : {}) }), (e) => e.at);
}
