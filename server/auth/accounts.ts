import type { SessionUser } from '../contract';
import type { AuthChange, AuthRecords } from '../store';
import { IngestKeys } from './ingest-keys';
import { hashPassword, verifyPassword } from './password';
import { DEMO_PASSWORDS, passwordProblem } from './password-policy';
import { AccountError, copyUser, type AccountRecord, type AccountView, type IngestKey, type IngestKeyView, type Session } from './records';
import { Sessions } from './sessions';
import { matchTotp, newTotpSecret, totpUri } from './totp';

export * from './records';

export type LoginOutcome =
  | { ok: true; token: string; session: Session }
  | { ok: false; reason: 'credentials' | 'totp_required' | 'totp_invalid' };

export interface AccountsOptions {
  /** Where accounts, sessions and ingest keys are kept (the Store's auth records). */
  store: AuthRecords;
  sessionTtlMs?: number;
  /** Demo mode: demo accounts and the demo gateway key are accepted; accounts and keys are not stored (sessions are). */
  demo?: boolean;
  now?: () => number;
}

/**
 * Accounts (scrypt-hashed passwords, TOTP), with their sessions (sessions.ts) and the ingest keys
 * (ingest-keys.ts) behind one face. Everything is kept in the Store (accounts, key hashes, token
 * hashes: the plain secret is only ever in the caller's hands) and held in memory for the checks
 * on every request; changes made by other nodes arrive through the store's `watch`.
 */
export class Accounts {
  readonly demo: boolean;
  private readonly accounts = new Map<string, AccountRecord>();
  private readonly store: AuthRecords;
  private readonly sessions: Sessions;
  private readonly keys: IngestKeys;
  private readonly now: () => number;

  constructor(opts: AccountsOptions) {
    this.demo = opts.demo ?? false;
    this.store = opts.store;
    this.now = opts.now ?? Date.now;
    this.sessions = new Sessions(this.store, (u) => this.accounts.get(u) ?? null, opts.sessionTtlMs ?? 12 * 3600_000, this.now);
    this.keys = new IngestKeys(this.store, this.demo, this.now);
  }

  // ---- persistence ------------------------------------------------------------------------

  /**
   * Read what the store holds: accounts and keys (outside demo mode), then the live sessions of the
   * accounts that exist (in demo mode, call after seeding). From then on, hear other nodes' changes.
   */
  async load(): Promise<void> {
    if (!this.demo) {
      for (const a of (await this.store.listAccounts()) as unknown as AccountRecord[]) if (!a.demo) this.accounts.set(a.username, a);
      await this.keys.load();
    }
    await this.sessions.load();
    this.store.watch((c) => void this.changed(c).catch(() => undefined));
  }

  private async changed(c: AuthChange): Promise<void> {
    if (c.kind === 'session') await this.sessions.refresh(c.id);
    else if (c.kind === 'key') await this.keys.reload(c.id);
    else if (c.kind === 'account') await this.reloadAccount(c.id);
    else {
      if (!this.demo) {
        const stored = new Set<string>();
        for (const a of (await this.store.listAccounts()) as unknown as AccountRecord[]) {
          stored.add(a.username);
          this.accounts.set(a.username, a);
        }
        for (const [u, a] of this.accounts) if (!a.demo && !stored.has(u)) await this.reloadAccount(u);
        await this.keys.load();
      }
      await this.sessions.resync();
    }
  }

  private async reloadAccount(username: string): Promise<void> {
    if (this.demo) return;
    const a = (await this.store.getAccount(username)) as unknown as AccountRecord | null;
    if (a) {
      this.accounts.set(username, a);
      return;
    }
    if (this.accounts.delete(username)) await this.sessions.revokeAll(username);
  }

  /** Outside demo mode an account lives in the store; demo accounts only in memory. */
  private persist(acc: AccountRecord): Promise<void> {
    return this.demo || acc.demo ? Promise.resolve() : this.store.putAccount(acc);
  }

  /** An account another node created is looked up in the store on first sight. */
  private async find(username: string): Promise<AccountRecord | undefined> {
    const known = this.accounts.get(username);
    if (known || this.demo || username.length > 64) return known;
    const stored = (await this.store.getAccount(username)) as unknown as AccountRecord | null;
    if (stored && !stored.demo) this.accounts.set(username, stored);
    return stored ?? undefined;
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
    const acc: AccountRecord = { ...copyUser(user), passwordHash: await hashPassword(password), createdAt: now, passwordChangedAt: now, demo: opts.demo };
    await this.persist(acc);
    this.accounts.set(user.username, acc);
  }

  /** A new account from the admin API: the username must be free and the password pass the policy. */
  async createAccount(user: SessionUser, password: string): Promise<AccountView> {
    if (await this.find(user.username)) throw new AccountError(`account ${user.username} already exists`, 409);
    const problem = passwordProblem(password, user.username);
    if (problem) throw new AccountError(`password ${problem}`, 400);
    await this.addAccount(user, password);
    return this.view(this.accounts.get(user.username)!);
  }

  async removeAccount(username: string): Promise<boolean> {
    const acc = this.accounts.get(username);
    if (!acc) return false;
    if (!this.demo && !acc.demo) await this.store.deleteAccount(username);
    this.accounts.delete(username);
    await this.sessions.revokeAll(username);
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
    for (const user of this.sessions.usersOf(username)) if (!user.siteIds.includes(siteId)) user.siteIds.push(siteId);
    await this.persist(acc);
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

  // ---- login and sessions -----------------------------------------------------------------

  async login(username: string, password: string, totpCode?: string): Promise<LoginOutcome> {
    const acc = await this.find(username);
    // hash anyway for unknown users so timing does not reveal which usernames exist
    const ok = await verifyPassword(password, acc?.passwordHash ?? DUMMY_HASH);
    if (!acc || !ok) return { ok: false, reason: 'credentials' };
    // belt and braces: demo credentials never open a session outside demo mode
    if (!this.demo && (acc.demo || DEMO_PASSWORDS.includes(password))) return { ok: false, reason: 'credentials' };
    if (acc.totp?.enabled) {
      if (totpCode === undefined || totpCode === '') return { ok: false, reason: 'totp_required' };
      const step = matchTotp(acc.totp.secret, totpCode, this.now());
      // a code (step) already used cannot log in again: an observed code is not replayable
      if (step === null || step <= acc.totp.lastStep) return { ok: false, reason: 'totp_invalid' };
      acc.totp.lastStep = step;
      await this.persist(acc);
    }
    return { ok: true, ...(await this.sessions.open(acc)) };
  }

  /** From memory: the live session of a token, or null (unknown, expired or revoked). */
  session(token: string): Session | null {
    return this.sessions.session(token);
  }

  /** The live session of a token, read from the store when this node may not know (another node's login) or may have missed a revocation. */
  resolveSession(token: string): Promise<Session | null> {
    return this.sessions.resolve(token);
  }

  sessionById(id: string): Session | null {
    return this.sessions.byIdNow(id);
  }

  revokeSession(id: string): Promise<void> {
    return this.sessions.revoke([id]);
  }

  /** Logout everywhere: every session of the user ends, open sockets included. */
  revokeAll(username: string): Promise<number> {
    return this.sessions.revokeAll(username);
  }

  /** Sockets (and anything else holding a session) hear of revocations here. */
  onRevoke(listener: (sessionIds: string[]) => void): void {
    this.sessions.onRevoke(listener);
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
    await this.persist(acc);
    await this.sessions.revokeAll(username);
    return this.sessions.open(acc);
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
    await this.persist(acc);
    return { secret: acc.totp.secret, uri: totpUri(acc.totp.secret, username) };
  }

  async confirmTotp(username: string, code: string): Promise<boolean> {
    const acc = this.requireAccount(username);
    if (!acc.totp) throw new AccountError('start enrolment first (POST /api/v1/auth/totp/enrol)', 409);
    if (acc.totp.enabled) throw new AccountError('TOTP is already enabled', 409);
    const step = matchTotp(acc.totp.secret, code, this.now());
    if (step === null) return false;
    acc.totp = { ...acc.totp, enabled: true, lastStep: step };
    await this.persist(acc);
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
    await this.persist(acc);
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

  // ---- ingest keys (ingest-keys.ts) -------------------------------------------------------

  /** Seed a key whose plain value is known (demo mode). */
  addIngestKey(id: string, siteId: string, tagId: string | null, key: string, opts: { demo?: boolean; label?: string } = {}): void {
    this.keys.addKnown(id, siteId, tagId, key, opts);
  }

  createIngestKey(spec: { siteId: string; tagId: string | null; label?: string; createdBy: string }): Promise<{ key: string; info: IngestKeyView }> {
    return this.keys.create(spec);
  }

  rotateIngestKey(id: string, graceMs: number): Promise<{ key: string; info: IngestKeyView } | null> {
    return this.keys.rotate(id, graceMs);
  }

  revokeIngestKey(id: string): Promise<boolean> {
    return this.keys.revoke(id);
  }

  ingestKeyInfo(id: string): IngestKeyView | null {
    return this.keys.info(id);
  }

  listIngestKeys(): IngestKeyView[] {
    return this.keys.list();
  }

  /** The key's identity when it may ingest now; null for unknown, revoked or expired keys. */
  ingestKey(key: string): IngestKey | null {
    return this.keys.identify(key);
  }
}

const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
