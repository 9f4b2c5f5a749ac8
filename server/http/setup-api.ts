/**
 * What the setup screen changes on a running site: a zone's kind, name and exit linkage (door controller,
 * cameras), zones drawn by hand, and wards. Each change is validated whole, then made through SiteConfig: stored
 * (surviving a restart), applied to the registry and the geo workers together, and recorded (audit trail and
 * config-change log with before/after).
 */
import express, { type Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ZONE_KINDS, type Zone } from '../../geo/model';
import type { Accounts } from '../auth/accounts';
import { authorize, authorizeSite } from '../auth/scope';
import { ConfigError, type SiteConfig } from '../sites/site-config';
import { allowed, jsonBodiesOnly, noStore, parseBody, pathId, requireUser, user } from './common';

export interface SetupApiDeps {
  accounts: Accounts;
  sites: SiteConfig;
  log?: Logger;
}

const Name = z.string().trim().min(1, 'must not be empty').max(100, 'at most 100 characters');
const Url = z.string().max(500).regex(/^(https?|rtsp):\/\//, 'must be an http(s) or rtsp URL');
const Controller = z.object({ id: z.string().min(1).max(64), kind: z.enum(['door', 'elevator']), name: z.string().max(100).optional() }).strict();
const Camera = z.object({ id: z.string().min(1).max(64), name: z.string().max(100).optional(), snapshotUrl: Url, streamUrl: Url }).strict();
const ZonePatch = z
  .object({
    name: Name.optional(),
    nameZh: z.string().max(100).optional(),
    kind: z.enum(ZONE_KINDS).optional(),
    exitType: z.enum(['door', 'gate', 'lift', 'stairwell']).optional(),
    wardId: z.string().max(64).nullable().optional(),
    controller: Controller.nullable().optional(),
    cameras: z.array(Camera).max(8).optional(),
  })
  .strict();
const Coord = z.number().finite().min(-100_000).max(100_000);
const NewZone = z
  .object({
    name: Name,
    kind: z.enum(ZONE_KINDS),
    floorId: z.string().min(1).max(64),
    /** One outer ring, local metres, closed. */
    ring: z.array(z.tuple([Coord, Coord])).min(4).max(200),
  })
  .strict();
const NewWard = z.object({ name: Name, nameZh: z.string().max(100).optional(), floorIds: z.array(z.string().max(64)).max(50) }).strict();

type LinkedZone = Zone & { controller?: z.infer<typeof Controller>; cameras?: z.infer<typeof Camera>[] };

function ringArea(ring: [number, number][]): number {
  let a = 0;
  for (let i = 0; i + 1 < ring.length; i++) a += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return a / 2;
}

export function setupRoutes(deps: SetupApiDeps): Router {
  const { accounts, sites, log } = deps;
  const { registry } = sites;
  const r = express.Router();
  const auth = requireUser(accounts);
  // a drawn zone carries up to 200 vertices: more than the JSON API's 64 kB default would allow for a few
  r.use('/api/v1/sites/:siteId', noStore, jsonBodiesOnly, express.json({ limit: '256kb' }));

  const siteFor = (req: express.Request, res: express.Response) => {
    const u = user(req);
    if (!allowed(authorize(u, 'site.manage'), res)) return null;
    const siteId = pathId(req, res, 'siteId');
    if (!siteId || !allowed(authorizeSite(u, 'site.manage', siteId), res)) return null;
    const site = registry.sites.get(siteId);
    if (!site) return void res.status(404).json({ error: `unknown site ${siteId}` }), null;
    return { u, site };
  };

  /** A change made through SiteConfig; its refusal is the 4xx it names, a store failure a 503. */
  const made = async <T>(res: express.Response, change: () => Promise<T>, status = 200) => {
    try {
      res.status(status).json(await change());
    } catch (e) {
      if (e instanceof ConfigError) return void res.status(e.status).json({ error: e.message });
      log?.error({ err: e }, 'setup change not stored');
      res.status(503).json({ error: 'the change could not be stored, so nothing was changed; try again' });
    }
  };

  r.put('/api/v1/sites/:siteId/zones/:zoneId', auth, async (req, res) => {
    const c = siteFor(req, res);
    if (!c) return;
    const zoneId = pathId(req, res, 'zoneId');
    if (!zoneId) return;
    const before = registry.siteZones(c.site.id).find((z) => z.id === zoneId) as LinkedZone | undefined;
    if (!before) return void res.status(404).json({ error: `no zone ${zoneId} in site ${c.site.id}` });
    const patch = parseBody(ZonePatch, req.body, res);
    if (!patch) return;
    const next: LinkedZone = { ...before };
    if (patch.name !== undefined) next.name = patch.name;
    if (patch.nameZh !== undefined) next.nameZh = patch.nameZh || undefined;
    if (patch.kind !== undefined) next.kind = patch.kind;
    if (patch.wardId !== undefined) {
      if (patch.wardId !== null && !c.site.wards.some((w) => w.id === patch.wardId)) return void res.status(400).json({ error: `wardId: unknown ward ${patch.wardId}` });
      next.wardId = patch.wardId ?? undefined;
    }
    if (next.kind === 'exit') {
      next.exitType = patch.exitType ?? next.exitType ?? 'door';
      if (patch.controller !== undefined) next.controller = patch.controller ?? undefined;
      if (patch.cameras !== undefined) next.cameras = patch.cameras;
    } else {
      if (patch.exitType || patch.controller || patch.cameras?.length) return void res.status(400).json({ error: 'exitType, controller and cameras belong to exit zones only' });
      delete next.exitType;
      delete next.controller;
    }
    if (patch.cameras !== undefined && next.kind !== 'exit') next.cameras = patch.cameras;
    await made(res, () => sites.putZone(c.u.username, c.site.id, next));
  });

  r.post('/api/v1/sites/:siteId/zones', auth, async (req, res) => {
    const c = siteFor(req, res);
    if (!c) return;
    const body = parseBody(NewZone, req.body, res);
    if (!body) return;
    if (!c.site.floors.some((f) => f.id === body.floorId)) return void res.status(400).json({ error: `floorId: ${body.floorId} is not a floor of ${c.site.id}` });
    const ring = body.ring.map(([x, y]) => [Math.round(x * 100) / 100, Math.round(y * 100) / 100] as [number, number]);
    const [first, last] = [ring[0], ring[ring.length - 1]];
    if (first[0] !== last[0] || first[1] !== last[1]) ring.push([first[0], first[1]]);
    if (Math.abs(ringArea(ring)) < 0.25) return void res.status(400).json({ error: 'ring: the zone must cover at least 0.25 m²' });
    let id = `${c.site.id}-z${registry.siteZones(c.site.id).length + 1}`;
    while (registry.zones.has(id)) id += 'x';
    const zone: Zone = { id, kind: body.kind, name: body.name, floorId: body.floorId, polygon: [ring], ...(body.kind === 'exit' ? { exitType: 'door' as const } : {}) };
    await made(res, () => sites.putZone(c.u.username, c.site.id, zone), 201);
  });

  r.post('/api/v1/sites/:siteId/wards', auth, async (req, res) => {
    const c = siteFor(req, res);
    if (!c) return;
    const body = parseBody(NewWard, req.body, res);
    if (!body) return;
    for (const f of body.floorIds) if (!c.site.floors.some((x) => x.id === f)) return void res.status(400).json({ error: `floorIds: ${f} is not a floor of ${c.site.id}` });
    let id = `${c.site.id}-ward-${c.site.wards.length + 1}`;
    while (c.site.wards.some((w) => w.id === id)) id += 'x';
    await made(res, async () => (await sites.putWard(c.u.username, c.site.id, id, body)).ward, 201);
  });

  return r;
}
