import express, { type Response, type Router } from 'express';
import type { Logger } from 'pino';
import type { Accounts } from '../auth/accounts';
import { authorize, authorizeResident, authorizeSite } from '../auth/scope';
import type { AlertService } from '../alerts/alert-service';
import { ConfigError, type SiteConfig } from '../sites/site-config';
import { NewResidentSchema } from '../sites/site-edits';
import { allowed, parseBody, pathId, requireUser, user } from './common';
import { residentView } from './resident-view';

export interface ConfigApiDeps {
  accounts: Accounts;
  sites: SiteConfig;
  alerts: AlertService;
  log?: Logger;
}

/** A whole site (POST /api/v1/sites) is larger than the other bodies. */
export const SITE_BODY_LIMIT = '4mb';

/**
 * Site administration over REST (admin): residents with their tags, zones, wards, whole sites.
 * Every change goes through SiteConfig (store first, audited); this file only maps HTTP onto it.
 */
export function configRoutes(deps: ConfigApiDeps): Router {
  const { sites, alerts, log } = deps;
  const { registry } = sites;
  const r = express.Router();
  const auth = requireUser(deps.accounts);

  /** Run a change; its ConfigError becomes the 4xx it names, a store failure a 503. */
  const change = async <T>(res: Response, fn: () => Promise<T>, ok: (v: T) => void) => {
    let v: T;
    try {
      v = await fn();
    } catch (e) {
      if (e instanceof ConfigError) return void res.status(e.status).json({ error: e.message, ...('problems' in e ? { problems: e.problems } : {}) });
      log?.error({ err: e }, 'configuration change not stored');
      return void res.status(503).json({ error: 'the change could not be stored, so nothing was changed; try again' });
    }
    ok(v);
  };

  // SPEC §10: the resident with its tag in one call; the tag can ingest at once with the site's gateway key
  r.post('/api/v1/residents', auth, async (req, res) => {
    const u = user(req);
    if (!allowed(authorize(u, 'resident.create'), res)) return;
    const body = parseBody(NewResidentSchema, req.body, res);
    if (!body || !allowed(authorizeSite(u, 'resident.create', body.siteId), res)) return;
    await change(res, () => sites.createResident(u.username, body), (resident) => res.status(201).json(residentView(resident)));
  });

  /** The resident of `:id` when the user may configure it; otherwise answered and null. */
  const residentId = (req: express.Request, res: Response): string | null => {
    const id = pathId(req, res);
    if (!id) return null;
    const resident = registry.residents.get(id);
    if (resident) return allowed(authorizeResident(user(req), 'site.manage', resident), res) ? id : null;
    if (allowed(authorize(user(req), 'site.manage'), res)) res.status(404).json({ error: 'no such resident' });
    return null;
  };

  r.patch('/api/v1/residents/:id', auth, async (req, res) => {
    const id = residentId(req, res);
    if (!id) return;
    await change(res, () => sites.updateResident(user(req).username, id, req.body), (resident) => res.json(residentView(resident)));
  });

  r.delete('/api/v1/residents/:id', auth, async (req, res) => {
    const id = residentId(req, res);
    if (!id) return;
    await change(res, () => sites.deleteResident(user(req).username, id, alerts.activeFor(id).length), () => res.status(204).end());
  });

  r.patch('/api/v1/zones/:id', auth, async (req, res) => {
    const u = user(req);
    if (!allowed(authorize(u, 'site.manage'), res)) return;
    const id = pathId(req, res);
    if (!id) return;
    const zone = registry.zones.get(id);
    if (!zone || !u.siteIds.includes(registry.floor(zone.floorId)?.site.id ?? '')) return void res.status(404).json({ error: 'no such zone' });
    await change(res, () => sites.updateZone(u.username, id, req.body), (z) => res.json(z));
  });

  r.put('/api/v1/sites/:siteId/wards/:wardId', auth, async (req, res) => {
    const u = user(req);
    const siteId = pathId(req, res, 'siteId');
    const wardId = siteId && pathId(req, res, 'wardId');
    if (!siteId || !wardId || !allowed(authorizeSite(u, 'site.manage', siteId), res)) return;
    await change(res, () => sites.putWard(u.username, siteId, wardId, req.body), ({ ward, created }) => res.status(created ? 201 : 200).json(ward));
  });

  r.delete('/api/v1/sites/:siteId/wards/:wardId', auth, async (req, res) => {
    const u = user(req);
    const siteId = pathId(req, res, 'siteId');
    const wardId = siteId && pathId(req, res, 'wardId');
    if (!siteId || !wardId || !allowed(authorizeSite(u, 'site.manage', siteId), res)) return;
    await change(res, () => sites.deleteWard(u.username, siteId, wardId), () => res.status(204).end());
  });

  // a whole site as its files hold it: {site, zones (GeoJSON FeatureCollection), residents?, tags?}
  r.post('/api/v1/sites', auth, async (req, res) => {
    const u = user(req);
    if (!allowed(authorize(u, 'site.manage'), res)) return;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const unknown = Object.keys(body).filter((k) => !['site', 'zones', 'residents', 'tags'].includes(k));
    if (unknown.length) return void res.status(400).json({ error: `body: unknown field ${unknown[0]} (expected site, zones, residents, tags)` });
    await change(
      res,
      async () => {
        const b = await sites.addSiteFiles(u.username, { site: body.site, zones: body.zones, residents: body.residents ?? [], tags: body.tags ?? [] });
        // the admin who added it works on it from now on (as after an IMDF import)
        await deps.accounts.grantSite(u.username, b.site.id);
        return b;
      },
      (b) => res.status(201).json({ siteId: b.site.id, floors: b.site.floors.length, zones: b.zones.length, residents: b.residents.length, tags: b.tags.length }),
    );
  });

  return r;
}
