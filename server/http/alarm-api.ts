/**
 * The alarm chain's REST API (SPEC §10.1): outgoing webhooks and their delivery log (admin),
 * escalation steps and duty rosters per site (manager, admin), Web Push subscriptions and
 * notification choices (each account its own), and the VAPID public key the browser subscribes with.
 */
import express, { type Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ALERT_KINDS } from '../../geo/model';
import type { Accounts } from '../auth/accounts';
import { ROLES } from '../auth/accounts';
import { authorize, authorizeSite, FAMILY_KINDS } from '../auth/scope';
import type { Alarm } from '../alerts/alarm';
import { WEBHOOK_EVENTS, type WebhookConfig } from '../alerts/webhooks';
import type { Registry } from '../registry';
import type { Store } from '../store';
import { allowed, auditAfter, Id, jsonBodiesOnly, noStore, parseBody, parseQuery, pathId, QueryLimit, requireUser, user } from './common';

export interface AlarmApiDeps {
  accounts: Accounts;
  registry: Registry;
  store: Store;
  alarm: Alarm;
  log?: Logger;
}

const loopback = (host: string) => host === '127.0.0.1' || host === 'localhost' || host === '[::1]';

const HttpUrl = z
  .string()
  .max(2000, 'at most 2000 characters')
  .refine((s) => {
    try {
      return ['http:', 'https:'].includes(new URL(s).protocol);
    } catch {
      return false;
    }
  }, 'must be an absolute http:// or https:// URL');

/** `whsec_` + base64 of 24..64 bytes, as the standardwebhooks libraries generate and accept. */
const Secret = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, 'must be whsec_ followed by base64')
  .refine((s) => {
    const n = Buffer.from(s.slice(6), 'base64').length;
    return n >= 24 && n <= 64;
  }, 'must encode 24 to 64 random bytes');

const NewWebhook = z
  .object({
    url: HttpUrl,
    events: z.array(z.enum(WEBHOOK_EVENTS, { error: `must be one of ${WEBHOOK_EVENTS.join(', ')}` })).min(1, 'name at least one event, or leave events out for all').max(20).optional(),
    siteId: Id.optional(),
    secret: Secret.optional(),
  })
  .strict();

const HhMm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (00:00 to 23:59)');
const Username = z.string().min(1).max(64);

const EscalationBody = z
  .object({
    steps: z
      .array(
        z
          .object({
            afterSeconds: z.number().int('must be a whole number of seconds').min(1, 'must be at least 1').max(7 * 86400, 'at most 7 days'),
            to: z.string().min(1, 'must name a role or a user').max(64),
          })
          .strict(),
      )
      .max(10, 'at most 10 steps'),
  })
  .strict()
  .refine((b) => b.steps.every((s, i) => i === 0 || s.afterSeconds > b.steps[i - 1].afterSeconds), { message: 'steps.afterSeconds must increase from one step to the next', path: ['steps'] });

const RosterBody = z
  .object({
    shifts: z
      .array(
        z
          .object({
            staff: z.array(Username).min(1, 'a shift needs someone on it').max(50),
            wardIds: z.array(Id).max(50).optional(),
            days: z.array(z.number().int().min(0, 'days are 0 (Sunday) to 6').max(6, 'days are 0 (Sunday) to 6')).max(7).optional(),
            start: HhMm,
            end: HhMm,
          })
          .strict(),
      )
      .max(200, 'at most 200 shifts'),
  })
  .strict();

const b64url = (min: number, max: number, what: string) =>
  z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, `${what} must be base64url`)
    .refine((s) => {
      const n = Buffer.from(s, 'base64url').length;
      return n >= min && n <= max;
    }, `${what} has the wrong length`);

const SubscriptionBody = z
  .object({
    endpoint: HttpUrl.refine((s) => {
      const u = new URL(s);
      return u.protocol === 'https:' || loopback(u.hostname);
    }, 'a push service endpoint must be https://'),
    expirationTime: z.number().nullable().optional(),
    keys: z.object({ p256dh: b64url(65, 65, 'keys.p256dh'), auth: b64url(16, 16, 'keys.auth') }).strict(),
    quiet: z.boolean().optional(),
  })
  .strict();

const PrefsBody = z
  .object({
    push: z.boolean(),
    gateway: z.boolean(),
    kinds: z.array(z.enum(ALERT_KINDS)).max(ALERT_KINDS.length),
  })
  .strict();

const DeliveriesQuery = z.object({ limit: QueryLimit(500).optional() }).strict();

/** What GET shows of a webhook: never the secret (shown once, at creation). */
const view = ({ secret: _secret, ...w }: WebhookConfig) => w;

export function alarmRoutes(deps: AlarmApiDeps): Router {
  const { accounts, registry, store, alarm, log } = deps;
  const r = express.Router();
  const auth = requireUser(accounts);
  r.use('/api/v1/webhooks', noStore, jsonBodiesOnly);
  r.use('/api/v1/push', noStore, jsonBodiesOnly);

  const mayManage = (u: ReturnType<typeof user>, w: WebhookConfig) => (w.siteId === null ? [...registry.sites.keys()].every((s) => u.siteIds.includes(s)) : u.siteIds.includes(w.siteId));

  // ---- webhooks ----
  r.post('/api/v1/webhooks', auth, async (req, res) => {
    const u = user(req);
    if (!allowed(authorize(u, 'webhook.manage'), res)) return;
    const body = parseBody(NewWebhook, req.body, res);
    if (!body) return;
    if (body.siteId !== undefined && !allowed(authorizeSite(u, 'webhook.manage', body.siteId), res)) return;
    if (body.siteId !== undefined && !registry.sites.has(body.siteId)) return void res.status(404).json({ error: `unknown site ${body.siteId}` });
    if (body.siteId === undefined && ![...registry.sites.keys()].every((s) => u.siteIds.includes(s)))
      return void res.status(400).json({ error: 'siteId: required (a webhook for every site needs an admin of every site)' });
    const hook = await alarm.webhooks.create({ url: body.url, events: body.events, siteId: body.siteId ?? null, secret: body.secret }, u.username);
    await auditAfter(store, { actor: u.username, action: 'webhook.create', subjectType: 'webhook', subjectId: hook.id, siteId: hook.siteId ?? undefined, detail: { url: hook.url, events: hook.events } }, log);
    res.status(201).json(hook);
  });

  r.get('/api/v1/webhooks', auth, (req, res) => {
    const u = user(req);
    if (!allowed(authorize(u, 'webhook.manage'), res)) return;
    res.json(alarm.webhooks.list().filter((w) => mayManage(u, w)).map(view));
  });

  const hookFor = (req: express.Request, res: express.Response): WebhookConfig | null => {
    const u = user(req);
    if (!allowed(authorize(u, 'webhook.manage'), res)) return null;
    const id = pathId(req, res);
    if (!id) return null;
    const w = alarm.webhooks.get(id);
    if (!w || !mayManage(u, w)) {
      res.status(404).json({ error: 'no such webhook' });
      return null;
    }
    return w;
  };

  r.get('/api/v1/webhooks/:id', auth, (req, res) => {
    const w = hookFor(req, res);
    if (w) res.json(view(w));
  });

  r.delete('/api/v1/webhooks/:id', auth, async (req, res) => {
    const w = hookFor(req, res);
    if (!w) return;
    await alarm.webhooks.remove(w.id);
    await auditAfter(store, { actor: user(req).username, action: 'webhook.delete', subjectType: 'webhook', subjectId: w.id, siteId: w.siteId ?? undefined }, log);
    res.status(204).end();
  });

  r.get('/api/v1/webhooks/:id/deliveries', auth, async (req, res) => {
    const w = hookFor(req, res);
    if (!w) return;
    const q = parseQuery(DeliveriesQuery, req.query, res);
    if (!q) return;
    res.json(await store.listDeliveries(w.id, q.limit ?? 100));
  });

  // ---- escalation and rosters ----
  const siteFor = (req: express.Request, res: express.Response, write: boolean): string | null => {
    const u = user(req);
    if (!allowed(authorize(u, write ? 'alarm.configure' : 'site.read'), res)) return null;
    const id = pathId(req, res);
    if (!id) return null;
    if (!registry.sites.has(id) || !u.siteIds.includes(id)) {
      res.status(404).json({ error: `unknown site ${id}` });
      return null;
    }
    return id;
  };

  r.get('/api/v1/sites/:id/escalation', auth, noStore, (req, res) => {
    const siteId = siteFor(req, res, false);
    if (siteId) res.json({ siteId, steps: alarm.rules.steps(siteId), custom: !!alarm.rules.get(siteId) });
  });

  r.put('/api/v1/sites/:id/escalation', auth, noStore, jsonBodiesOnly, async (req, res) => {
    const siteId = siteFor(req, res, true);
    if (!siteId) return;
    const body = parseBody(EscalationBody, req.body, res);
    if (!body) return;
    const known = new Set<string>([...ROLES.filter((r) => r !== 'family' && r !== 'regulator'), ...accounts.listAccounts().filter((a) => a.siteIds.includes(siteId) && a.role !== 'family' && a.role !== 'regulator').map((a) => a.username)]);
    const unknown = body.steps.findIndex((s) => !known.has(s.to));
    if (unknown >= 0) return void res.status(400).json({ error: `steps.${unknown}.to: "${body.steps[unknown].to}" is neither a staff role (nurse, charge_nurse, manager, admin) nor a user of this site` });
    const u = user(req);
    const before = alarm.rules.get(siteId) ?? null;
    const rule = { siteId, steps: body.steps, updatedAt: Date.now(), updatedBy: u.username };
    await alarm.rules.set(rule);
    await store.appendConfigChange({ at: rule.updatedAt, actor: u.username, entity: 'site.escalation', entityId: siteId, before, after: rule }).catch(() => undefined);
    await auditAfter(store, { actor: u.username, action: 'escalation.set', subjectType: 'site', subjectId: siteId, siteId, detail: { steps: body.steps } }, log);
    res.json(rule);
  });

  r.get('/api/v1/sites/:id/roster', auth, noStore, (req, res) => {
    const siteId = siteFor(req, res, false);
    if (siteId) res.json(alarm.rosters.get(siteId) ?? { siteId, shifts: [] });
  });

  r.put('/api/v1/sites/:id/roster', auth, noStore, jsonBodiesOnly, async (req, res) => {
    const siteId = siteFor(req, res, true);
    if (!siteId) return;
    const body = parseBody(RosterBody, req.body, res);
    if (!body) return;
    const site = registry.sites.get(siteId)!;
    const wards = new Set(site.wards.map((w) => w.id));
    const staff = new Set(accounts.listAccounts().filter((a) => a.siteIds.includes(siteId) && a.role !== 'family' && a.role !== 'regulator').map((a) => a.username));
    for (const [i, s] of body.shifts.entries()) {
      const w = s.wardIds?.find((x) => !wards.has(x));
      if (w) return void res.status(400).json({ error: `shifts.${i}.wardIds: no ward ${w} at site ${siteId}` });
      const who = s.staff.find((x) => !staff.has(x));
      if (who) return void res.status(400).json({ error: `shifts.${i}.staff: ${who} is not staff of site ${siteId}` });
    }
    const u = user(req);
    const before = alarm.rosters.get(siteId) ?? null;
    const roster = { siteId, shifts: body.shifts, updatedAt: Date.now(), updatedBy: u.username };
    await alarm.rosters.set(roster);
    await store.appendConfigChange({ at: roster.updatedAt, actor: u.username, entity: 'site.roster', entityId: siteId, before, after: roster }).catch(() => undefined);
    await auditAfter(store, { actor: u.username, action: 'roster.set', subjectType: 'site', subjectId: siteId, siteId }, log);
    res.json(roster);
  });

  // ---- Web Push ----
  r.get('/api/v1/push/vapid-public-key', (_req, res) => void res.json({ publicKey: alarm.vapid.publicKey }));

  r.get('/api/v1/push/subscriptions', auth, (req, res) => {
    const u = user(req);
    if (!allowed(authorize(u, 'push.subscribe'), res)) return;
    res.json(alarm.subscriptions.of(u.username).map(({ keys: _k, ...s }) => s));
  });

  r.post('/api/v1/push/subscriptions', auth, async (req, res) => {
    const u = user(req);
    if (!allowed(authorize(u, 'push.subscribe'), res)) return;
    const body = parseBody(SubscriptionBody, req.body, res);
    if (!body) return;
    const sub = await alarm.subscriptions.put({ username: u.username, endpoint: body.endpoint, keys: body.keys, quiet: body.quiet ?? false, createdAt: Date.now() });
    await auditAfter(store, { actor: u.username, action: 'push.subscribe', subjectType: 'account', subjectId: u.username, detail: { subscription: sub.id, quiet: sub.quiet } }, log);
    res.status(201).json({ id: sub.id, quiet: sub.quiet, createdAt: sub.createdAt });
  });

  r.delete('/api/v1/push/subscriptions/:id', auth, async (req, res) => {
    const u = user(req);
    if (!allowed(authorize(u, 'push.subscribe'), res)) return;
    const id = pathId(req, res);
    if (!id) return;
    const sub = alarm.subscriptions.get(id);
    if (!sub || sub.username !== u.username) return void res.status(404).json({ error: 'no such subscription' });
    await alarm.subscriptions.remove(id);
    await auditAfter(store, { actor: u.username, action: 'push.unsubscribe', subjectType: 'account', subjectId: u.username, detail: { subscription: id } }, log);
    res.status(204).end();
  });

  r.get('/api/v1/push/preferences', auth, (req, res) => {
    const u = user(req);
    if (!allowed(authorize(u, 'push.subscribe'), res)) return;
    res.json(alarm.prefsOf(u.username));
  });

  r.put('/api/v1/push/preferences', auth, async (req, res) => {
    const u = user(req);
    if (!allowed(authorize(u, 'push.subscribe'), res)) return;
    const body = parseBody(PrefsBody, req.body, res);
    if (!body) return;
    const outside = u.role === 'family' ? body.kinds.find((k) => !FAMILY_KINDS.has(k)) : undefined;
    if (outside) return void res.status(400).json({ error: `kinds: family members are told about wandering, fall and SOS alerts only, not ${outside}` });
    await alarm.setPrefs(u.username, { ...body, kinds: [...new Set(body.kinds)] });
    await auditAfter(store, { actor: u.username, action: 'push.preferences', subjectType: 'account', subjectId: u.username, detail: body }, log);
    res.json(alarm.prefsOf(u.username));
  });

  return r;
}
