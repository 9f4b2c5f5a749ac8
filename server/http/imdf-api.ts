/**
 * Site setup: `POST /api/v1/sites/imdf` imports a floor plan from an IMDF archive (a zip, as IMDF is distributed).
 * The archive is read, bounded, converted and validated completely before anything is registered, so a refused
 * archive leaves nothing behind; a valid one is stored and live at once (SiteConfig: store, registry, geo
 * workers; then the admin's sessions).
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Accounts } from '../auth/accounts';
import { authorize } from '../auth/scope';
import { ConfigError, type SiteConfig } from '../sites/site-config';
import { IMDF_LIMITS, ImdfArchiveError, readImdfZip, type ImdfLimits } from '../imdf-archive';
import { imdfSite } from '../imdf-site';
import { allowed, noStore, parseQuery, requireUser, user } from './common';

export interface ImdfApiDeps {
  accounts: Accounts;
  /** Adds the site: validated, stored, live in the registry and the geo workers, audited. */
  sites: SiteConfig;
  /** Open sockets of the importing admin join the new site's alert rooms. */
  rejoin?: (username: string) => void;
  log?: Logger;
  limits?: ImdfLimits;
}

const ImportQuery = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(100, 'at most 100 characters').optional(),
    timezone: z.string().max(64, 'at most 64 characters').optional(),
    region: z.string().max(200, 'at most 200 characters').optional(),
    regionCode: z.string().max(6).optional(),
  })
  .strict();

export function imdfRoutes(deps: ImdfApiDeps): Router {
  const { accounts, sites } = deps;
  const { registry } = sites;
  const limits = deps.limits ?? IMDF_LIMITS;
  const r = express.Router();
  const auth = requireUser(accounts);
  const raw = express.raw({ type: () => true, limit: limits.maxArchiveBytes });

  r.post('/api/v1/sites/imdf', noStore, auth, (req: Request, res: Response, next: NextFunction) => {
    // role first: nobody else's upload is read at all
    if (!allowed(authorize(user(req), 'site.manage'), res)) return;
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (!['application/zip', 'application/x-zip-compressed', 'application/octet-stream'].includes(type)) {
      return void res.status(415).json({ error: 'send the IMDF archive as the body with Content-Type: application/zip' });
    }
    raw(req, res, (err?: unknown) => {
      const e = err as { type?: string } | undefined;
      if (e?.type === 'entity.too.large') return void res.status(413).json({ error: `the archive is larger than ${limits.maxArchiveBytes / (1024 * 1024)} MB` });
      if (err) return next(err);
      next();
    });
  }, async (req, res) => {
    const u = user(req);
    const q = parseQuery(ImportQuery, req.query, res);
    if (!q) return;
    const body = req.body as unknown;
    if (!Buffer.isBuffer(body) || body.length === 0) return void res.status(400).json({ error: 'the body is empty: send the IMDF zip' });
    try {
      const { archive, ignored } = readImdfZip(new Uint8Array(body.buffer, body.byteOffset, body.length), limits);
      const { bundle, warnings, skipped } = imdfSite(archive, {
        name: q.name,
        timeZone: q.timezone,
        region: q.region ? q.region.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
        regionCode: q.regionCode,
        taken: (id) => registry.sites.has(id) || registry.zones.has(id) || registry.floor(id) !== undefined,
      });
      if (ignored.length > 0) warnings.push(`ignored ${ignored.length} file${ignored.length === 1 ? '' : 's'} that ${ignored.length === 1 ? 'is' : 'are'} not IMDF: ${ignored.slice(0, 5).join(', ')}${ignored.length > 5 ? ', ...' : ''}`);
      await sites.addSite(u.username, bundle, { action: 'site.import', detail: { format: 'imdf', floors: bundle.site.floors.length, zones: bundle.zones.length, warnings: warnings.length } });
      await accounts.grantSite(u.username, bundle.site.id);
      deps.rejoin?.(u.username);
      const kinds: Record<string, number> = {};
      for (const z of bundle.zones) kinds[z.kind] = (kinds[z.kind] ?? 0) + 1;
      res.status(201).json({ siteId: bundle.site.id, name: bundle.site.name, floors: bundle.site.floors.length, zones: bundle.zones.length, kinds, warnings, skipped: skipped.length });
    } catch (e) {
      if (e instanceof ImdfArchiveError || e instanceof ConfigError) return void res.status(e.status).json({ error: e.message });
      deps.log?.error({ err: e }, 'imported site not stored');
      return void res.status(503).json({ error: 'the site could not be stored, so nothing was added; try again' });
    }
  });

  return r;
}
