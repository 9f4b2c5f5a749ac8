import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SessionUser } from '../contract';
import { hashKey, hashPassword, newToken, verifyPassword } from './password';
import { DEMO_PASSWORDS, passwordProblem } from './password-policy';
import { matchTotp, newTotpSecret, totpUri } from './totp';

export type Role = SessionUser['role'];
export const ROLES: readonly Role[] = ['nurse', 'charge_nurse', 'manager', 'admin', 'family', 'regulator'];

/** The well-known demo gateway key (SPEC §10): accepted in demo mode only. */
export const DEMO_GATEWAY_KEY = 'demo-gateway-key';

interface AccountRecord extends SessionUser {
  passwordHash: string;
  createdAt: number;
  passwordChangedAt: number;
  /** Pending (`enabled: false`) from enrolment until the first code is verified. */
  totp?: { secret: string; enabled: boolean; lastStep: number };
  /** Seeded by demo mode: never written to disk. */
  demo?: boolean;
}

/** What an admin sees of an account: never a hash or a TOTP secret. */
export interface AccountView extends SessionUser {
  totp: boolean;
  createdAt: number;
  passwordChangedAt: number;
  demo: boolean;
}

export interface Session {
  /** sha256 of the token: what is kept in memory and what sockets remember. The token itself is only in the client's hands. */
  id: string;
  user: SessionUser;
  createdAt: number;
  expiresAt: number;
}

/** Who may ingest: a gateway (every tag of a site) or a device (one tag). */
export interface IngestKey {
  id: string;
  siteId: string;
  /** null: a gateway key for the whole site */
  tagId: string | null;
  keyHash: string;
}

interface KeyRecord {
  id: string;
  siteId: string;
  tagId: string | null;
  label: string;
  /** The current hash (validUntil null) and, right after a rotation, the previous one for its grace period. */
  hashes: { hash: string; validUntil: number | null }[];
  createdAt: number;
  createdBy: string;
  rotatedAt: number | null;
  demo?: boolean;
}

/** What an admin sees of an ingest key: never the key, nor its hash. */
export interface IngestKeyView {
  id: string;
  siteId: string;
  tagId: string | null;
  kind: 'gateway' | 'device';
  label: string;
  createdAt: number;
  createdBy: string;
  rotatedAt: number | null;
  lastUsedAt: number | null;
  /** After a rotation with a grace period: when the previous key stops working. */
  previousValidUntil: number | null;
  demo: boolean;
}

export type LoginOutcome =
  | { ok: true; token: string; session: Session }
  | { ok: false; reason: 'credentials' | 'totp_required' | 'totp_invalid' };

export interface AccountsOptions {
  sessionTtlMs?: number;
  /** Demo mode: demo accounts and the demo gateway key are accepted; nothing is written to disk. */
  demo?: boolean;
  /** Where accounts and ingest keys persist outside demo mode (JSON, mode 0600). null: memory only. */
  file?: string | null;
  now?: () => number;
}

export class AccountError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

interface Snapshot {
  version: 1;
  accounts: AccountRecord[];
  keys: KeyRecord[];
}

/** A user collects at most this many live sessions; the oldest is revoked beyond it. */
const MAX_SESSIONS_PER_USER = 50;

/**
 * Accounts, sessions (opaque random tokens with expiry, revocable one by one or all of a user's at
 * once), TOTP and ingest keys. Passwords are scrypt-hashed, ingest keys and session tokens
 * sha256-hashed: the plain secret is only ever in the caller's hands. Outside demo mode accounts and
 * keys persist to one JSON file; sessions never do (a restart means logging in again).
 */
export class Accounts {
  readonly demo: boolean;
  private readonly accounts = new Map<string, AccountRecord>();
  private readonly sessions = new Map<string, Session>();
  private readonly sessionsByUser = new Map<string, Set<string>>();
  private readonly keys = new Map<string, KeyRecord>();
  private readonly keyByHash = new Map<string, { record: KeyRecord; view: IngestKey }>();
  private readonly lastUsed = new Map<string, number>();
  private readonly revokeListeners: ((sessionIds: string[]) => void)[] = [];
  private readonly sessionTtlMs: number;
  private readonly file: string | null;
  private readonly now: () => number;
  private saving: Promise<void> = Promise.resolve();
  private logins = 0;

  constructor(opts: AccountsOptions = {}) {
    this.sessionTtlMs = opts.sessionTtlMs ?? 12 * 3600_000;
    this.demo = opts.demo ?? false;
    this.file = this.demo ? null : (opts.file ?? null);
    this.now = opts.now ?? Date.now;
  }

  // ---- persistence ------------------------------------------------------------------------

  /** Read the accounts file (outside demo mode); a corrupt file stops the start rather than losing every account. */
  async load(): Promise<void> {
    if (!this.file) return;
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    let snap: Snapshot;
    try {
      snap = JSON.parse(text) as Snapshot;
      if (snap.version !== 1 || !Array.isArray(snap.accounts) || !Array.isArray(snap.keys)) throw new Error('unexpected shape');
    } catch (e) {
      throw new Error(`accounts file ${this.file} is unreadable (${(e as Error).message}); restore it from a backup or move it away`);
    }
    for (const a of snap.accounts) if (!a.demo) this.accounts.set(a.username, a);
    for (const k of snap.keys) if (!k.demo) this.putKey(k);
  }

  private persist(): Promise<void> {
    const file = this.file;
    if (!file) return Promise.resolve();
    const snap: Snapshot = {
      version: 1,
      accounts: [...this.accounts.values()].filter((a) => !a.demo),
      keys: [...this.keys.values()].filter((k) => !k.demo),
    };
    const text = JSON.stringify(snap);
    // one write at a time, each a whole snapshot, replaced atomically
    const next = this.saving.then(async () => {
      await mkdir(dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, text, { mode: 0o600 });
      await rename(tmp, file);
    });
    this.saving = next.catch(() => undefined);
    return next;
  }

  // ---- accounts ---------------------------------------------------------------------------

  /** Seeding (demo mode, bootstrap admin). Outside demo mode the password must pass the policy. */
  async addAccount(user: SessionUser, password: string, opts: { demo?: boolean } = {}): Promise<void> {
    if (opts.demo && !this.demo) throw new Error('demo accounts are refused outside demo mode');
    if (!this.demo) {
      const problem = passwordProblem(password, user.username);
      if (problem) throw new AccountError(`password ${problem}`, 400);
    }
    const now = this.now();
    this.accounts.set(user.username, { ...copyUser(user), passwordHash: await hashPassword(password), createdAt: now, passwordChangedAt: now, demo: opts.demo });
    await this.persist();
  }

  /** A new account from the admin API: the username must be free and the password pass the policy. */
  async createAccount(user: SessionUser, password: string): Promise<AccountView> {
    if (this.accounts.has(user.username)) throw new AccountError(`account ${user.username} already exists`, 409);
    const problem = passwordProblem(password, user.username);
    if (problem) throw new AccountError(`password ${problem}`, 400);
    await this.addAccount(user, password);
    return this.view(this.accounts.get(user.username)!);
  }

  async removeAccount(username: string): Promise<boolean> {
    if (!this.accounts.delete(username)) return false;
    this.revokeAll(username);
    await this.persist();
    return true;
  }

  /**
   * A site the user now works on (an admin who imported it). Live sessions see it at once: sockets hold the
   * session's user object, so its site list is extended in place.
   */
  async grantSite(username: string, siteId: string): Promise<void> {
    const acc = this.accounts.get(username);
    if (!acc || acc.siteIds.includes(siteId)) return;
    acc.siteIds.push(siteId);
    for (const id of this.sessionsByUser.get(username) ?? []) {
      const user = this.sessions.get(id)?.user;
      if (user && !user.siteIds.includes(siteId)) user.siteIds.push(siteId);
    }
    await this.persist();
  }

  account(username: string): AccountView | null {
    const a = this.accounts.get(username);
    return a ? this.view(a) : null;
  }

  listAccounts(): AccountView[] {
    return [...this.accounts.values()].map((a) => this.view(a)).sort((a, b) => a.username.localeCompare(b.username));
  }

  hasAdmin(): boolean {
    return [...this.accounts.values()].some((a) => a.role === 'admin' && !a.demo);
  }

  private view(a: AccountRecord): AccountView {
    return { ...copyUser(a), totp: a.totp?.enabled === true, createdAt: a.createdAt, passwordChangedAt: a.passwordChangedAt, demo: a.demo === true };
  }

  // ---- sessions ---------------------------------------------------------------------------

  async login(username: string, password: string, totpCode?: string): Promise<LoginOutcome> {
    const acc = this.accounts.get(username);
    // hash anyway for unknown users so timing does not reveal which usernames exist
    const ok = await verifyPassword(password, acc?.passwordHash ?? DUMMY_HASH);
    if (!acc || !ok) return { ok: false, reason: 'credentials' };
    // belt and braces: demo credentials never open a session outside demo mode
    if (!this.demo && (acc.demo || DEMO_PASSWORDS.includes(password))) return { ok: false, reason: 'credentials' };
    const now = this.now();
    if (acc.totp?.enabled) {
      if (totpCode === undefined || totpCode === '') return { ok: false, reason: 'totp_required' };
      const step = matchTotp(acc.totp.secret, totpCode, now);
      // a code (step) already used cannot log in again: an observed code is not replayable
      if (step === null || step <= acc.totp.lastStep) return { ok: false, reason: 'totp_invalid' };
      acc.totp.lastStep = step;
      await this.persist();
    }
    return { ok: true, ...this.openSession(acc, now) };
  }

  private openSession(acc: AccountRecord, now: number): { token: string; session: Session } {
    const token = newToken();
    const session: Session = { id: hashKey(token), user: copyUser(acc), createdAt: now, expiresAt: now + this.sessionTtlMs };
    this.sessions.set(session.id, session);
    let mine = this.sessionsByUser.get(acc.username);
    if (!mine) this.sessionsByUser.set(acc.username, (mine = new Set()));
    mine.add(session.id);
    if (mine.size > MAX_SESSIONS_PER_USER) this.revokeIds([mine.values().next().value!]);
    if (++this.logins % 256 === 0) this.purgeExpired(now);
    return { token, session };
  }

  /** The live session of a token, or null (unknown, expired or revoked). */
  session(token: string): Session | null {
    if (typeof token !== 'string' || token.length === 0 || token.length > 512) return null;
    return this.sessionById(hashKey(token));
  }

  sessionById(id: string): Session | null {
    const s = this.sessions.get(id);
    if (!s) return null;
    if (s.expiresAt <= this.now()) {
      this.revokeIds([id]);
      return null;
    }
    return s;
  }

  revoke(token: string): void {
    this.revokeIds([hashKey(token)]);
  }

  revokeSession(id: string): void {
    this.revokeIds([id]);
  }

  /** Logout everywhere: every session of the user ends, open sockets included. */
  revokeAll(username: string): number {
    const ids = [...(this.sessionsByUser.get(username) ?? [])];
    this.revokeIds(ids);
    return ids.length;
  }

  /** Sockets (and anything else holding a session) hear of revocations here. */
  onRevoke(listener: (sessionIds: string[]) => void): void {
    this.revokeListeners.push(listener);
  }

  private revokeIds(ids: string[]): void {
    const gone: string[] = [];
    for (const id of ids) {
      const s = this.sessions.get(id);
      if (!s) continue;
      this.sessions.delete(id);
      this.sessionsByUser.get(s.user.username)?.delete(id);
      gone.push(id);
    }
    if (gone.length) for (const l of this.revokeListeners) l(gone);
  }

  private purgeExpired(now: number): void {
    this.revokeIds([...this.sessions.values()].filter((s) => s.expiresAt <= now).map((s) => s.id));
  }

  /** Change one's own password: every session ends (a thief's too) and a fresh one is opened for the caller. */
  async changePassword(username: string, current: string, next: string): Promise<{ token: string; session: Session }> {
    const acc = this.accounts.get(username);
    if (!acc || !(await verifyPassword(current, acc.passwordHash))) throw new AccountError('the current password is wrong', 403);
    if (acc.demo) throw new AccountError('demo accounts keep their published passwords', 409);
    const problem = passwordProblem(next, username);
    if (problem) throw new AccountError(`newPassword ${problem}`, 400);
    if (await verifyPassword(next, acc.passwordHash)) throw new AccountError('newPassword must differ from the current one', 400);
    acc.passwordHash = await hashPassword(next);
    acc.passwordChangedAt = this.now();
    await this.persist();
    this.revokeAll(username);
    return this.openSession(acc, this.now());
  }

  async checkPassword(username: string, password: string): Promise<boolean> {
    const acc = this.accounts.get(username);
    return verifyPassword(password, acc?.passwordHash ?? DUMMY_HASH).then((ok) => ok && !!acc);
  }

  // ---- TOTP -------------------------------------------------------------------------------

  /** Start enrolment: a new secret, pending until `confirmTotp` sees a code made from it. */
  async beginTotp(username: string): Promise<{ secret: string; uri: string }> {
    const acc = this.requireAccount(username);
    if (acc.totp?.enabled) throw new AccountError('TOTP is already enabled; disable it first', 409);
    acc.totp = { secret: newTotpSecret(), enabled: false, lastStep: 0 };
    await this.persist();
    return { secret: acc.totp.secret, uri: totpUri(acc.totp.secret, username) };
  }

  async confirmTotp(username: string, code: string): Promise<boolean> {
    const acc = this.requireAccount(username);
    if (!acc.totp) throw new AccountError('start enrolment first (POST /api/v1/auth/totp/enrol)', 409);
    if (acc.totp.enabled) throw new AccountError('TOTP is already enabled', 409);
    const step = matchTotp(acc.totp.secret, code, this.now());
    if (step === null) return false;
    acc.totp = { ...acc.totp, enabled: true, lastStep: step };
    await this.persist();
    return true;
  }

  /** Needs a current code (or an admin's reset, `force`). */
  async disableTotp(username: string, code: string | null): Promise<boolean> {
    const acc = this.requireAccount(username);
    if (!acc.totp?.enabled) throw new AccountError('TOTP is not enabled', 409);
    if (code !== null) {
      const step = matchTotp(acc.totp.secret, code, this.now());
      if (step === null || step <= acc.totp.lastStep) return false;
    }
    delete acc.totp;
    await this.persist();
    return true;
  }

  totpEnabled(username: string): boolean {
    return this.accounts.get(username)?.totp?.enabled === true;
  }

  private requireAccount(username: string): AccountRecord {
    const acc = this.accounts.get(username);
    if (!acc) throw new AccountError(`no account ${username}`, 404);
    return acc;
  }

  // ---- ingest keys ------------------------------------------------------------------------

  /** Seed a key whose plain value is known (demo mode). */
  addIngestKey(id: string, siteId: string, tagId: string | null, key: string, opts: { demo?: boolean; label?: string } = {}): void {
    if ((opts.demo || key === DEMO_GATEWAY_KEY) && !this.demo) throw new Error('the demo gateway key is refused outside demo mode');
    this.putKey({
      id,
      siteId,
      tagId,
      label: opts.label ?? id,
      hashes: [{ hash: hashKey(key), validUntil: null }],
      createdAt: this.now(),
      createdBy: 'system',
      rotatedAt: null,
      demo: opts.demo,
    });
  }

  /** A new random key; the plain key is returned once and only its hash is kept. */
  async createIngestKey(spec: { siteId: string; tagId: string | null; label?: string; createdBy: string }): Promise<{ key: string; info: IngestKeyView }> {
    const key = newIngestKey();
    const record: KeyRecord = {
      id: `key_${randomBytes(6).toString('hex')}`,
      siteId: spec.siteId,
      tagId: spec.tagId,
      label: spec.label ?? '',
      hashes: [{ hash: hashKey(key), validUntil: null }],
      createdAt: this.now(),
      createdBy: spec.createdBy,
      rotatedAt: null,
    };
    this.putKey(record);
    await this.persist();
    return { key, info: this.keyView(record) };
  }

  /** A new key for the same device or gateway; the old one works `graceMs` longer (0: stops at once). */
  async rotateIngestKey(id: string, graceMs: number): Promise<{ key: string; info: IngestKeyView } | null> {
    const record = this.keys.get(id);
    if (!record) return null;
    const now = this.now();
    const key = newIngestKey();
    for (const h of record.hashes) this.keyByHash.delete(h.hash);
    const previous = record.hashes.find((h) => h.validUntil === null);
    record.hashes = [{ hash: hashKey(key), validUntil: null }];
    if (previous && graceMs > 0) record.hashes.push({ hash: previous.hash, validUntil: now + graceMs });
    record.rotatedAt = now;
    this.putKey(record);
    await this.persist();
    return { key, info: this.keyView(record) };
  }

  async revokeIngestKey(id: string): Promise<boolean> {
    const record = this.keys.get(id);
    if (!record) return false;
    this.keys.delete(id);
    for (const h of record.hashes) this.keyByHash.delete(h.hash);
    await this.persist();
    return true;
  }

  ingestKeyInfo(id: string): IngestKeyView | null {
    const r = this.keys.get(id);
    return r ? this.keyView(r) : null;
  }

  listIngestKeys(): IngestKeyView[] {
    return [...this.keys.values()].map((r) => this.keyView(r));
  }

  /** The key's identity when it may ingest now; null for unknown, revoked or expired keys. */
  ingestKey(key: string): IngestKey | null {
    if (typeof key !== 'string' || key.length === 0 || key.length > 512) return null;
    if (!this.demo && key === DEMO_GATEWAY_KEY) return null;
    const hash = hashKey(key);
    const hit = this.keyByHash.get(hash);
    if (!hit) return null;
    const h = hit.record.hashes.find((x) => x.hash === hash);
    const now = this.now();
    if (!h || (h.validUntil !== null && h.validUntil <= now)) return null;
    this.lastUsed.set(hit.record.id, now);
    return hit.view;
  }

  private putKey(record: KeyRecord): void {
    this.keys.set(record.id, record);
    for (const h of record.hashes) {
      this.keyByHash.set(h.hash, { record, view: { id: record.id, siteId: record.siteId, tagId: record.tagId, keyHash: h.hash } });
    }
  }

  private keyView(r: KeyRecord): IngestKeyView {
    const prev = r.hashes.find((h) => h.validUntil !== null);
    return {
      id: r.id,
      siteId: r.siteId,
      tagId: r.tagId,
      kind: r.tagId === null ? 'gateway' : 'device',
      label: r.label,
      createdAt: r.createdAt,
      createdBy: r.createdBy,
      rotatedAt: r.rotatedAt,
      lastUsedAt: this.lastUsed.get(r.id) ?? null,
      previousValidUntil: prev?.validUntil ?? null,
      demo: r.demo === true,
    };
  }
}

function copyUser(u: SessionUser): SessionUser {
  return {
    username: u.username,
    role: u.role,
    displayName: u.displayName,
    siteIds: [...u.siteIds],
    wardIds: [...u.wardIds],
    residentIds: [...u.residentIds],
  };
}

/** `cwk_` marks carewatch keys for secret scanners; 256 random bits. */
function newIngestKey(): string {
  return `cwk_${randomBytes(32).toString('base64url')}`;
}

const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
