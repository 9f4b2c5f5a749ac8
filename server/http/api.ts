import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import type { Resident } from '../../geo/model';
import type { Accounts, Session } from '../auth/accounts';
import { canHandleAlert, canSeeAlert, visibleResidents } from '../auth/scope';
import { AlertTransitionError, type AlertService } from '../alerts/alert-service';
import type { Registry } from '../registry';
import type { Store } from '../store';
import type { SessionUser } from '../realtime/events';

export interface ApiDeps {
  accounts: Accounts;
  registry: Registry;
  alerts: AlertService;
  store: Store;
  /** A resident was created: the geo core and ingest must know its tag before its first fix. */
  onResidentCreated: (r: Resident, ingestKey: string | null) => void;
  loginPerMinute: number;
}

type AuthedRequest = Request & { session: Session };

const LoginBody = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) });
const NoteBody = z.object({ note: z.string().max(2000).optional() }).strict();
const NewResident = z
  .object({
    name: z.string().min(1).max(100),
    siteId: z.string().min(1).max(64),
    ward: z.string().max(64).optional(),
    wardId: z.string().max(64).optional(),
    roomZoneId: z.string().max(64).optional(),
    bedZoneId: z.string().max(64).optional(),
    bathroomZoneId: z.string().max(64).optional(),
    safeZoneIds: z.array(z.string().max(64)).max(50).optional(),
    forbiddenZoneIds: z.array(z.string().max(64)).max(50).optional(),
    homeZoneId: z.string().max(64).optional(),
    wanderRisk: z.boolean().optional(),
    fallRisk: z.boolean().optional(),
    tagId: z.string().min(1).max(64),
  })
  .strict();

function parseBody<T>(schema: z.ZodType<T>, body: unknown, res: Response): T | null {
  const r = schema.safeParse(body ?? {});
  if (r.success) return r.data;
  const i = r.error.issues[0];
  res.status(400).json({ error: `${i.path.join('.') || 'body'}: ${i.message}` });
  return null;
}

/** Public view of a resident (what REST returns; no overrides or contacts). */
export function residentView(r: Resident) {
  return {
    id: r.id,
    name: r.name,
    siteId: r.siteId,
    wardId: r.wardId,
    ward: r.wardId,
    tagId: r.tagId,
    wanderRisk: r.wanderRisk,
    fallRisk: r.fallRisk,
    bedZoneId: r.bedZoneId,
    bathroomZoneId: r.bathroomZoneId,
    roomZoneId: r.roomZoneId,
    homeZoneId: r.homeZoneId,
    community: r.community,
  };
}

/** The staff/family REST API: login, sites, residents, alerts. Authorisation asks auth/scope. */
export function apiRoutes(deps: ApiDeps): Router {
  const { accounts, registry, alerts } = deps;
  const r = express.Router();
  r.use('/api/v1', express.json({ limit: '64kb' }));

  const loginLimiter = rateLimit({
    windowMs: 60_000,
    limit: deps.loginPerMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    message: { error: 'too many login attempts; wait a minute' },
  });
  r.post('/api/v1/auth/login', loginLimiter, async (req, res) => {
    const body = parseBody(LoginBody, req.body, res);
    if (!body) return;
    const session = await accounts.login(body.username, body.password);
    if (!session) return void res.status(401).json({ error: 'wrong username or password' });
    res.json({ token: session.token, user: session.user, expiresAt: session.expiresAt });
  });

  const requireUser = (req: Request, res: Response, next: NextFunction) => {
    const h = req.headers.authorization ?? '';
    const session = h.startsWith('Bearer ') ? accounts.session(h.slice(7).trim()) : null;
    if (!session) return void res.status(401).json({ error: 'log in first (Authorization: Bearer <token>)' });
    (req as AuthedRequest).session = session;
    next();
  };
  const user = (req: Request): SessionUser => (req as AuthedRequest).session.user;

  r.post('/api/v1/auth/logout', requireUser, (req, res) => {
    accounts.revoke((req as AuthedRequest).session.token);
    res.status(204).end();
  });
  r.get('/api/v1/me', requireUser, (req, res) => void res.json(user(req)));

  r.get('/api/v1/sites', requireUser, (req, res) => {
    const u = user(req);
    const sites = [...registry.sites.values()]
      .filter((s) => u.siteIds.includes(s.id))
      .map((s) => ({
        ...s,
        zones: {
          type: 'FeatureCollection',
          features: registry.siteZones(s.id).map((z) => ({
            type: 'Feature',
            id: z.id,
            geometry: { type: 'Polygon', coordinates: z.polygon },
            properties: {
              id: z.id,
              kind: z.kind,
              name: z.name,
              nameZh: z.nameZh,
              floorId: z.floorId,
              exitType: z.exitType,
              wardId: z.wardId,
              use: z.use,
            },
          })),
        },
      }));
    res.json(sites);
  });

  r.get('/api/v1/residents', requireUser, (req, res) => void res.json(visibleResidents(user(req), registry).map(residentView)));

  r.post('/api/v1/residents', requireUser, (req, res) => {
    const u = user(req);
    if (u.role !== 'admin') return void res.status(403).json({ error: 'only an admin may create residents' });
    const body = parseBody(NewResident, req.body, res);
    if (!body) return;
    const site = registry.sites.get(body.siteId);
    if (!site || !u.siteIds.includes(site.id)) return void res.status(404).json({ error: `unknown site ${body.siteId}` });
    if (registry.residentOfTag(body.tagId)) return void res.status(409).json({ error: `tag ${body.tagId} already belongs to a resident` });
    const existingTag = registry.tags.get(body.tagId);
    if (existingTag && existingTag.siteId !== site.id) return void res.status(409).json({ error: `tag ${body.tagId} belongs to another site` });
    const wardId = body.wardId ?? body.ward ?? null;
    if (wardId && !site.wards.some((w) => w.id === wardId)) return void res.status(400).json({ error: `ward: unknown ward ${wardId}` });
    const siteZones = new Set(registry.siteZones(site.id).map((z) => z.id));
    for (const zid of [body.roomZoneId, body.bedZoneId, body.bathroomZoneId, body.homeZoneId, ...(body.safeZoneIds ?? []), ...(body.forbiddenZoneIds ?? [])]) {
      if (zid && !siteZones.has(zid)) return void res.status(400).json({ error: `unknown zone ${zid} for site ${site.id}` });
    }
    let id = `${site.id}-r${registry.residents.size + 1}`;
    while (registry.residents.has(id)) id += 'x';
    const resident: Resident = {
      id,
      siteId: site.id,
      name: body.name,
      wardId,
      tagId: body.tagId,
      wanderRisk: body.wanderRisk ?? false,
      fallRisk: body.fallRisk ?? false,
      roomZoneId: body.roomZoneId ?? null,
      bedZoneId: body.bedZoneId ?? null,
      bathroomZoneId: body.bathroomZoneId ?? null,
      safeZoneIds: body.safeZoneIds ?? [],
      forbiddenZoneIds: body.forbiddenZoneIds ?? [],
      homeZoneId: body.homeZoneId ?? null,
      community: body.homeZoneId !== undefined,
    };
    registry.putResident(resident);
    deps.onResidentCreated(resident, null);
    res.status(201).json(residentView(resident));
  });

  r.get('/api/v1/alerts', requireUser, async (req, res) => {
    const state = req.query.state;
    if (state !== undefined && state !== 'open' && state !== 'acknowledged' && state !== 'resolved')
      return void res.status(400).json({ error: 'state must be open, acknowledged or resolved' });
    const u = user(req);
    const limit = Math.min(1000, Math.max(1, Number(req.query.limit) || 200));
    let list = alerts.list({ state });
    if (state === undefined || state === 'resolved') {
      // older resolved alerts are only in the store
      await alerts.flushed();
      const live = new Map(list.map((a) => [a.id, a]));
      for (const a of await deps.store.listAlerts({ state, limit })) if (!live.has(a.id)) live.set(a.id, a);
      list = [...live.values()].sort((a, b) => b.detectedAt - a.detectedAt);
    }
    res.json(list.filter((a) => canSeeAlert(u, a)).slice(0, limit));
  });

  r.get('/api/v1/alerts/:id', requireUser, async (req, res) => {
    const a = alerts.get(String(req.params.id)) ?? (await deps.store.getAlert(String(req.params.id)));
    if (!a || !canSeeAlert(user(req), a)) return void res.status(404).json({ error: 'no such alert' });
    res.json(a);
  });

  const step = (action: 'ack' | 'resolve') => (req: Request, res: Response) => {
    const body = parseBody(NoteBody, req.body, res);
    if (!body) return;
    const u = user(req);
    const a = alerts.get(String(req.params.id));
    if (!a || !canSeeAlert(u, a)) return void res.status(404).json({ error: 'no such alert' });
    if (!canHandleAlert(u, a)) return void res.status(403).json({ error: 'your role may not handle alerts' });
    try {
      res.json(action === 'ack' ? alerts.acknowledge(a.id, u.username, body.note) : alerts.resolve(a.id, u.username, body.note));
    } catch (e) {
      if (e instanceof AlertTransitionError) return void res.status(e.status).json({ error: e.message });
      throw e;
    }
  };
  r.post('/api/v1/alerts/:id/ack', requireUser, step('ack'));
  r.post('/api/v1/alerts/:id/resolve', requireUser, step('resolve'));
  return r;
}
