import express, { type Router } from 'express';
import type { Logger } from 'pino';
import type { Accounts } from '../auth/accounts';
import { authorize, authorizeResident } from '../auth/scope';
import type { PositionReader } from '../positions/latest-positions';
import type { Registry } from '../registry';
import type { Store } from '../store';
import { allowed, auditOrRefuse, requireUser, user } from './common';
import { relativeStatus } from './family-status';

export interface FamilyDeps {
  accounts: Accounts;
  registry: Registry;
  store: Store;
  positions: PositionReader;
  log?: Logger;
}

/**
 * `GET /api/v1/family/relatives`: a family member's relatives with their state in words and when their tag
 * was last heard, never a position (that comes only while an alert is open, from the position endpoint and
 * the socket). Other roles have their own screens: 403.
 */
export function familyRoutes(deps: FamilyDeps): Router {
  const { accounts, registry, store, positions, log } = deps;
  const r = express.Router();
  r.get('/api/v1/family/relatives', requireUser(accounts), async (req, res) => {
    const u = user(req);
    if (u.role !== 'family') return void res.status(403).json({ error: `the ${u.role} role has no relatives to follow`, code: 'forbidden' });
    if (!allowed(authorize(u, 'resident.read'), res)) return;
    const now = Date.now();
    const out = [];
    for (const id of u.residentIds) {
      const resident = registry.residents.get(id);
      if (!resident || !authorizeResident(u, 'resident.read', resident).ok) continue;
      const site = registry.sites.get(resident.siteId);
      if (!site) continue;
      if (!(await auditOrRefuse(store, { actor: u.username, action: 'resident.view', subjectType: 'resident', subjectId: id, siteId: site.id }, res, log))) return;
      const pos = positions.positionOf(id);
      const campus = registry.siteZones(site.id).filter((z) => z.kind === 'campus');
      out.push({
        id,
        name: resident.name,
        siteId: site.id,
        siteName: site.name,
        siteNameZh: site.nameZh,
        timeZone: site.timeZone,
        community: resident.community,
        status: relativeStatus({ resident, site, zones: registry.zones, campus, position: pos, now }),
        lastSeen: pos?.ts ?? null,
      });
    }
    res.json(out);
  });
  return r;
}
