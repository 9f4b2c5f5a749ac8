import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { AccountError, ROLES, type Accounts, type AccountView } from '../auth/accounts';
import { answeringAccountErrors } from './account-errors';
import { authorize, authorizeSite, canReadAuditEntry } from '../auth/scope';
import type { AlertService } from '../alerts/alert-service';
import type { Registry } from '../registry';
import type { SessionUser } from '../contract';
import type { Store } from '../store';
import { allowed, auditAfter, Id, parseBody, parseQuery, pathId, QueryLimit, QueryTime, requireUser, user } from './common';
import { alertsForOverview, buildOverview } from './overview';

export interface AdminApiDeps {
  accounts: Accounts;
  registry: Registry;
  alerts: AlertService;
  store: Store;
  log?: Logger;
}

const Username = z.string().regex(/^[a-z0-9][a-z0-9._-]{1,63}$/, 'must be 2-64 characters of a-z, 0-9, . _ - (lower case)');
const NewUser = z
  .object({
    username: Username,
    password: z.string().min(1, 'must not be empty').max(256, 'at most 256 characters'),
    role: z.enum(ROLES as unknown as [string, ...string[]]),
    displayName: z.string().min(1).max(100, 'at most 100 characters').optional(),
    siteIds: z.array(Id).min(1).max(50).optional(),
    wardIds: z.array(Id).max(100).optional(),
    residentIds: z.array(Id).max(20).optional(),
  })
  .strict();
const NewKey = z
  .object({
    siteId: Id,
    /** null or absent: a gateway key for every tag of the site */
    tagId: Id.nullable().optional(),
    label: z.string().max(100, 'at most 100 characters').optional(),
  })
  .strict();
const Rotate = z.object({ graceSeconds: z.number().int('must be a whole number').min(0).max(7 * 86400, 'at most 7 days').optional() }).strict();
const AuditQuery = z
  .object({
    subjectId: Id.optional(),
    actor: Id.optional(),
    since: QueryTime.optional(),
    until: QueryTime.optional(),
    limit: QueryLimit(1000).optional(),
  })
  .strict();
const OverviewQuery = z.object({ since: QueryTime.optional(), until: QueryTime.optional(), siteId: Id.optional() }).strict();

/** An account is an admin's to see or change when it shares one of their sites. */
const sharesSite = (admin: SessionUser, a: Pick<AccountView, 'siteIds'>) => a.siteIds.some((s) => admin.siteIds.includes(s));

/**
 * What admins configure (accounts, ingest keys), what auditors read (the audit trail) and the
 * aggregate overview for managers and regulators.
 */
export function adminRoutes(deps: AdminApiDeps): Router {
  const { accounts, registry, store, log } = deps;
  const r = express.Router();
  const auth = requireUser(accounts);

  // ---- accounts ----
  r.get('/api/v1/users', auth, (req, res) => {
    const u = user(req);
    if (!allowed(authorize(u, 'account.manage'), res)) return;
    res.json(accounts.listAccounts().filter((a) => sharesSite(u, a)));
  });

  r.post('/api/v1/users', auth, async (req, res) => {
    const u = user(req);
    if (!allowed(authorize(u, 'account.manage'), res)) return;
    const body = parseBody(NewUser, req.body, res);
    if (!body) return;
    const role = body.role as SessionUser['role'];
    const siteIds = body.siteIds ?? u.siteIds;
    for (const s of siteIds) if (!allowed(authorizeSite(u, 'account.manage', s), res)) return;
    const sites = siteIds.map((s) => registry.sites.get(s)).filter((s) => s !== undefined);
    if (sites.length !== siteIds.length) return void res.status(404).json({ error: 'siteIds: unknown site' });
    const wardIds = body.wardIds ?? [];
    for (const w of wardIds) if (!sites.some((s) => s.wards.some((x) => x.id === w))) return void res.status(400).json({ error: `wardIds: unknown ward ${w}` });
    const residentIds = body.residentIds ?? [];
    for (const id of residentIds)
      if (!siteIds.includes(registry.residents.get(id)?.siteId ?? '')) return void res.status(400).json({ error: `residentIds: unknown resident ${id}` });
    if (role === 'family' && (residentIds.length === 0 || wardIds.length > 0))
      return void res.status(400).json({ error: 'residentIds: a family account is linked to at least one resident and to no ward' });
    if (role !== 'family' && residentIds.length > 0) return void res.status(400).json({ error: 'residentIds: only family accounts are linked to residents' });
    if (role === 'nurse' && wardIds.length === 0) return void res.status(400).json({ error: 'wardIds: a nurse covers at least one ward' });
    await answeringAccountErrors(res, async () => {
      const created = await accounts.createAccount(
        { username: body.username, role, displayName: body.displayName ?? body.username, siteIds, wardIds, residentIds },
        body.password,
      );
      await auditAfter(store, { actor: u.username, action: 'account.create', subjectType: 'account', subjectId: created.username, detail: { role, siteIds, wardIds, residentIds } }, log);
      res.status(201).json(created);
    });
  });

  const targetAccount = (admin: SessionUser, username: string) => {
    const a = accounts.account(username);
    return a && sharesSite(admin, a) ? a : null;
  };

  /**
   * The admin and the account a /users/:username route acts on; null once the refusal is sent (403 without
   * the right, 400 for a bad name, 409 for oneself where `notSelf`, 404 for an account outside the admin's sites).
   */
  const managedAccount = (req: Request, res: Response, notSelf = false): { u: SessionUser; name: string } | null => {
    const u = user(req);
    if (!allowed(authorize(u, 'account.manage'), res)) return null;
    const name = pathId(req, res, 'username');
    if (!name) return null;
    if (notSelf && name === u.username) return (res.status(409).json({ error: 'an admin cannot delete their own account' }), null);
    if (!targetAccount(u, name)) return (res.status(404).json({ error: 'no such account' }), null);
    return { u, name };
  };

  r.delete('/api/v1/users/:username', auth, async (req, res) => {
    const target = managedAccount(req, res, true);
    if (!target) return;
    const { u, name } = target;
    await accounts.removeAccount(name);
    await auditAfter(store, { actor: u.username, action: 'account.delete', subjectType: 'account', subjectId: name }, log);
    res.status(204).end();
  });

  r.post('/api/v1/users/:username/revoke-sessions', auth, async (req, res) => {
    const target = managedAccount(req, res);
    if (!target) return;
    const { u, name } = target;
    const revoked = await accounts.revokeAll(name);
    await auditAfter(store, { actor: u.username, action: 'account.revoke_sessions', subjectType: 'account', subjectId: name, detail: { revoked } }, log);
    res.json({ revoked });
  });

  /** A lost phone: the admin removes the user's TOTP; their sessions end too. */
  r.post('/api/v1/users/:username/reset-totp', auth, async (req, res) => {
    const target = managedAccount(req, res);
    if (!target) return;
    const { u, name } = target;
    try {
      await accounts.disableTotp(name, null);
    } catch (e) {
      if (e instanceof AccountError) return void res.status(e.status).json({ error: e.message });
      throw e;
    }
    await accounts.revokeAll(name);
    await auditAfter(store, { actor: u.username, action: 'account.reset_totp', subjectType: 'account', subjectId: name }, log);
    res.status(204).end();
  });

  // ---- ingest keys: shown once, stored hashed ----
  r.get('/api/v1/keys', auth, (req, res) => {
    const u = user(req);
    if (!allowed(authorize(u, 'key.manage'), res)) return;
    res.json(accounts.listIngestKeys().filter((k) => u.siteIds.includes(k.siteId)));
  });

  r.post('/api/v1/keys', auth, async (req, res) => {
    const u = user(req);
    if (!allowed(authorize(u, 'key.manage'), res)) return;
    const body = parseBody(NewKey, req.body, res);
    if (!body) return;
    if (!allowed(authorizeSite(u, 'key.manage', body.siteId), res)) return;
    if (!registry.sites.has(body.siteId)) return void res.status(404).json({ error: `unknown site ${body.siteId}` });
    const tagId = body.tagId ?? null;
    if (tagId !== null && registry.tags.get(tagId)?.siteId !== body.siteId) return void res.status(404).json({ error: `tagId: unknown tag ${tagId} for site ${body.siteId}` });
    const { key, info } = await accounts.createIngestKey({ siteId: body.siteId, tagId, label: body.label, createdBy: u.username });
    await auditAfter(store, { actor: u.username, action: 'key.create', subjectType: 'ingest_key', subjectId: info.id, siteId: info.siteId, detail: { tagId } }, log);
    res.status(201).json({ ...info, key, note: 'the key is shown only now; store it in the device or gateway' });
  });

  const ownKey = (u: SessionUser, id: string) => {
    const k = accounts.ingestKeyInfo(id);
    return k && u.siteIds.includes(k.siteId) ? k : null;
  };

  r.post('/api/v1/keys/:id/rotate', auth, async (req, res) => {
    const u = user(req);
    if (!allowed(authorize(u, 'key.manage'), res)) return;
    const id = pathId(req, res);
    if (!id) return;
    const body = parseBody(Rotate, req.body, res);
    if (!body) return;
    if (!ownKey(u, id)) return void res.status(404).json({ error: 'no such key' });
    const out = (await accounts.rotateIngestKey(id, (body.graceSeconds ?? 0) * 1000))!;
    await auditAfter(store, { actor: u.username, action: 'key.rotate', subjectType: 'ingest_key', subjectId: id, siteId: out.info.siteId, detail: { graceSeconds: body.graceSeconds ?? 0 } }, log);
    res.json({ ...out.info, key: out.key, note: 'the key is shown only now; the previous key stops working at previousValidUntil (or at once)' });
  });

  r.delete('/api/v1/keys/:id', auth, async (req, res) => {
    const u = user(req);
    if (!allowed(authorize(u, 'key.manage'), res)) return;
    const id = pathId(req, res);
    if (!id) return;
    const k = ownKey(u, id);
    if (!k) return void res.status(404).json({ error: 'no such key' });
    await accounts.revokeIngestKey(id);
    await auditAfter(store, { actor: u.username, action: 'key.revoke', subjectType: 'ingest_key', subjectId: id, siteId: k.siteId }, log);
    res.status(204).end();
  });

  // ---- audit trail (admin, manager) ----
  r.get('/api/v1/audit', auth, async (req, res) => {
    const u = user(req);
    if (!allowed(authorize(u, 'audit.read'), res)) return;
    const q = parseQuery(AuditQuery, req.query, res);
    if (!q) return;
    const entries = await store.listAudit({ subjectId: q.subjectId, actor: q.actor, since: q.since, until: q.until, limit: q.limit ?? 200 });
    res.json(entries.filter((e) => canReadAuditEntry(u, e)));
  });

  // ---- overview: counts and response times, never names or positions ----
  r.get('/api/v1/overview', auth, async (req, res) => {
    const u = user(req);
    if (!allowed(authorize(u, 'overview.read'), res)) return;
    const q = parseQuery(OverviewQuery, req.query, res);
    if (!q) return;
    const until = q.until ?? Date.now() + 1;
    const since = q.since ?? until - 30 * 86400_000;
    if (since >= until) return void res.status(400).json({ error: 'since: must be before until' });
    if (q.siteId && !allowed(authorizeSite(u, 'overview.read', q.siteId), res)) return;
    const siteIds = (q.siteId ? [q.siteId] : u.siteIds).filter((s) => registry.sites.has(s));
    const list = await alertsForOverview(store, deps.alerts, siteIds, since, until);
    res.json(buildOverview(list, siteIds.map((s) => registry.sites.get(s)!), since, until));
  });

  return r;
}
