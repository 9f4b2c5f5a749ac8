/**
 * The office's reading: the alert list of a period with filters and a cursor, its CSV export, device health
 * (managers and admins), and the four-level regional rollup (regulators too: counts and durations only).
 */
import express, { type Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ALERT_KINDS, type Alert } from '../../geo/model';
import type { Accounts } from '../auth/accounts';
import { authorize, authorizeAlert, authorizeSite, may } from '../auth/scope';
import type { AlertService } from '../alerts/alert-service';
import type { DeviceHealth } from '../device-health';
import type { Registry } from '../registry';
import type { SessionUser } from '../contract';
import type { Store } from '../store';
import { allowed, auditOrRefuse, Id, noStore, parseQuery, QueryTime, requireUser, user } from './common';
import { alertsForOverview, responseMs } from './overview';
import { regionRollup } from './region-rollup';

export interface OverviewApiDeps {
  accounts: Accounts;
  registry: Registry;
  alerts: AlertService;
  store: Store;
  devices: DeviceHealth;
  log?: Logger;
}

const Period = { since: QueryTime.optional(), until: QueryTime.optional() };
const AlertListQuery = z
  .object({
    ...Period,
    siteId: Id.optional(),
    wardId: Id.optional(),
    residentId: Id.optional(),
    kind: z.enum(ALERT_KINDS as unknown as [string, ...string[]]).optional(),
    state: z.enum(['open', 'acknowledged', 'resolved']).optional(),
    cursor: z.string().max(200).regex(/^\d{1,16}_[^\s]{1,128}$/, 'must be the `next` value of a previous page').optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
  })
  .strict();
const RegionsQuery = z.object({ ...Period }).strict();
const DevicesQuery = z.object({ siteId: Id.optional() }).strict();

const DAY = 86_400_000;

/** Newest first; equal times by id, so a cursor names one place in the order. */
const newestFirst = (a: Alert, b: Alert) => b.detectedAt - a.detectedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const cursorOf = (a: Alert) => `${a.detectedAt}_${a.id}`;

/** Managers and admins: they read alerts and the overview. A regulator reads only the rollup. */
const operational = (u: SessionUser) => may(u, 'overview.read') && may(u, 'alert.list');

export function overviewRoutes(deps: OverviewApiDeps): Router {
  const { accounts, registry, store, log } = deps;
  const r = express.Router();
  const auth = requireUser(accounts);
  r.use('/api/v1/overview', noStore);

  const period = (q: { since?: number; until?: number }) => {
    const until = q.until ?? Date.now() + 1;
    return { since: q.since ?? until - 30 * DAY, until };
  };

  /** The filtered alerts of the period, newest first, that the user may read. */
  async function filtered(u: SessionUser, q: z.infer<typeof AlertListQuery>, since: number, until: number): Promise<Alert[]> {
    const siteIds = (q.siteId ? [q.siteId] : u.siteIds).filter((s) => registry.sites.has(s));
    const list = await alertsForOverview(store, deps.alerts, siteIds, since, until);
    return list
      .filter(
        (a) =>
          (!q.kind || a.kind === q.kind) &&
          (!q.residentId || a.residentId === q.residentId) &&
          (!q.wardId || a.wardId === q.wardId) &&
          (!q.state || a.state === q.state) &&
          authorizeAlert(u, 'alert.read', a).ok,
      )
      .sort(newestFirst);
  }

  const checkRequest = (req: express.Request, res: express.Response) => {
    const u = user(req);
    if (!allowed(authorize(u, 'overview.read'), res)) return null;
    if (!operational(u)) return void res.status(403).json({ error: `the ${u.role} role reads aggregates only` }), null;
    const q = parseQuery(AlertListQuery, req.query, res);
    if (!q) return null;
    const { since, until } = period(q);
    if (since >= until) return void res.status(400).json({ error: 'since: must be before until' }), null;
    if (q.siteId && !allowed(authorizeSite(u, 'overview.read', q.siteId), res)) return null;
    return { u, q, since, until };
  };

  r.get('/api/v1/overview/alerts', auth, async (req, res) => {
    const c = checkRequest(req, res);
    if (!c) return;
    const limit = c.q.limit ?? 50;
    let list = await filtered(c.u, c.q, c.since, c.until);
    if (c.q.cursor) {
      const [ts, id] = [Number(c.q.cursor.slice(0, c.q.cursor.indexOf('_'))), c.q.cursor.slice(c.q.cursor.indexOf('_') + 1)];
      list = list.filter((a) => a.detectedAt < ts || (a.detectedAt === ts && a.id > id));
    }
    const page = list.slice(0, limit);
    res.json({
      since: c.since,
      until: c.until,
      total: list.length,
      alerts: page.map((a) => ({ ...a, responseMs: responseMs(a) })),
      ...(list.length > limit ? { next: cursorOf(page[page.length - 1]) } : {}),
    });
  });

  r.get('/api/v1/overview/alerts.csv', auth, async (req, res) => {
    const c = checkRequest(req, res);
    if (!c) return;
    const list = (await filtered(c.u, c.q, c.since, c.until)).slice(0, 50_000);
    const audit = { actor: c.u.username, action: 'alerts.export', subjectType: 'alerts', subjectId: c.q.siteId ?? c.u.siteIds.join(','), siteId: c.q.siteId ?? (c.u.siteIds.length === 1 ? c.u.siteIds[0] : undefined), detail: { rows: list.length, since: c.since, until: c.until, kind: c.q.kind, residentId: c.q.residentId } };
    if (!(await auditOrRefuse(store, audit, res, log))) return;
    res.set('Content-Type', 'text/csv; charset=utf-8');
    res.set('Content-Disposition', `attachment; filename="alerts-${new Date(c.since).toISOString().slice(0, 10)}-${new Date(c.until).toISOString().slice(0, 10)}.csv"`);
    res.send(alertsCsv(list, registry));
  });

  r.get('/api/v1/overview/devices', auth, (req, res) => {
    const u = user(req);
    if (!allowed(authorize(u, 'overview.read'), res)) return;
    if (!operational(u)) return void res.status(403).json({ error: `the ${u.role} role reads aggregates only` });
    const q = parseQuery(DevicesQuery, req.query, res);
    if (!q) return;
    if (q.siteId && !allowed(authorizeSite(u, 'overview.read', q.siteId), res)) return;
    const now = Date.now();
    const siteIds = (q.siteId ? [q.siteId] : u.siteIds).filter((s) => registry.sites.has(s));
    const tags = [...registry.tags.values()].filter((t) => t.residentId !== null && !t.staffId);
    res.json({
      at: now,
      sites: siteIds.map((siteId) => {
        const site = registry.sites.get(siteId)!;
        const mine = tags.filter((t) => t.siteId === siteId);
        const wardOf = (t: (typeof tags)[number]) => registry.residents.get(t.residentId!)?.wardId ?? null;
        const attention = mine
          .map((t) => deps.devices.of(t, now))
          .filter((h) => h.state !== 'ok')
          .map((h) => ({ ...h, residentName: registry.residents.get(h.residentId ?? '')?.name ?? null }));
        return {
          siteId,
          ...deps.devices.summary(mine, now),
          wards: [...site.wards.map((w) => w.id), null].map((wardId) => ({
            wardId,
            ...deps.devices.summary(mine.filter((t) => wardOf(t) === wardId), now),
          })).filter((w) => w.tags > 0),
          attention,
        };
      }),
    });
  });

  r.get('/api/v1/overview/regions', auth, async (req, res) => {
    const u = user(req);
    if (!allowed(authorize(u, 'overview.read'), res)) return;
    const q = parseQuery(RegionsQuery, req.query, res);
    if (!q) return;
    const { since, until } = period(q);
    if (since >= until) return void res.status(400).json({ error: 'since: must be before until' });
    const sites = u.siteIds.map((s) => registry.sites.get(s)).filter((s) => s !== undefined);
    const list = await alertsForOverview(store, deps.alerts, sites.map((s) => s.id), since, until);
    const residentsOf = (siteId: string) => [...registry.residents.values()].filter((x) => x.siteId === siteId).length;
    res.json({ since, until, regions: regionRollup(list, sites, residentsOf) });
  });

  return r;
}

/** One row per alert; cells that a spreadsheet would run as a formula are quoted as text. */
export function alertsCsv(list: readonly Alert[], registry: Registry): string {
  const cell = (v: unknown) => {
    let s = v === null || v === undefined ? '' : String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const iso = (t: number | undefined) => (t === undefined ? '' : new Date(t).toISOString());
  const head = ['id', 'kind', 'severity', 'state', 'resident', 'ward', 'floor', 'zone', 'detected', 'fix_time', 'acknowledged_at', 'acknowledged_by', 'resolved_at', 'resolved_by', 'response_s', 'note'];
  const rows = list.map((a) => {
    const ack = a.history.find((h) => h.state === 'acknowledged');
    const res = a.history.find((h) => h.state === 'resolved');
    const site = registry.sites.get(a.siteId);
    const ms = responseMs(a);
    return [
      a.id,
      a.kind,
      a.severity,
      a.state,
      a.residentName,
      site?.wards.find((w) => w.id === a.wardId)?.name ?? a.wardId ?? '',
      site?.floors.find((f) => f.id === a.floorId)?.name ?? a.floorId,
      a.zoneId ? (registry.zones.get(a.zoneId)?.name ?? a.zoneId) : '',
      iso(a.detectedAt),
      iso(a.fixTs),
      iso(ack?.at),
      ack?.by ?? '',
      iso(res?.at),
      res?.by ?? '',
      ms === null ? '' : (ms / 1000).toFixed(1),
      [...a.history].reverse().find((h) => h.note)?.note ?? '',
    ].map(cell).join(',');
  });
  return `\uFEFF${[head.join(','), ...rows].join('\r\n')}\r\n`;
}
