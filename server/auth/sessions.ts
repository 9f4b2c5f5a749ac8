/**
 * Sessions: opaque random tokens with an expiry, revocable one by one or all of a user's at once.
 * The store keeps the sha256 of each token (never the token), so sessions survive a restart and,
 * on PostgreSQL, are shared by every node: a login on one node works on the next.
 *
 * Memory holds the sessions this node knows, for the synchronous checks (every socket event).
 * `resolve` (every REST request, every socket handshake) trusts memory alone only when this node is
 * the only writer (the embedded store); on a shared store it reads the session row each time, so a
 * revocation on any node holds on every node at once. The store also tells every node of it
 * (LISTEN/NOTIFY), which closes their open sockets (docs/security.md).
 */
import type { SessionUser } from '../contract';
import type { AuthRecords, SessionDoc } from '../store';
import { hashKey, newToken } from './password';
import { copyUser, type Session } from './records';

/** A user collects at most this many live sessions; the oldest is revoked beyond it. */
const MAX_SESSIONS_PER_USER = 50;

export class Sessions {
  private readonly byId = new Map<string, Session>();
  private readonly byUser = new Map<string, Set<string>>();
  private readonly listeners: ((sessionIds: string[]) => void)[] = [];
  private opened = 0;

  constructor(
    private readonly store: AuthRecords,
    /** The account's current user, or null when it no longer exists (its sessions end). */
    private readonly userOf: (username: string) => SessionUser | null,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  /** The live sessions of existing accounts; the others are removed from the store. */
  async load(): Promise<void> {
    const orphans: string[] = [];
    for (const doc of await this.store.listSessions(this.now())) {
      if (!this.remember(doc)) orphans.push(doc.id);
    }
    if (orphans.length) await this.store.deleteSessions(orphans);
  }

  async open(user: SessionUser): Promise<{ token: string; session: Session }> {
    const token = newToken();
    const now = this.now();
    const doc: SessionDoc = { id: hashKey(token), username: user.username, createdAt: now, expiresAt: now + this.ttlMs };
    await this.store.putSession(doc);
    const session: Session = { id: doc.id, user: copyUser(user), createdAt: doc.createdAt, expiresAt: doc.expiresAt };
    this.add(session);
    const mine = this.byUser.get(user.username)!;
    if (mine.size > MAX_SESSIONS_PER_USER) await this.revoke([mine.values().next().value!]);
    if (++this.opened % 256 === 0) await this.store.deleteExpiredSessions(now);
    return { token, session };
  }

  /** From memory: the live session of a token, or null. */
  session(token: string): Session | null {
    if (!wellFormed(token)) return null;
    return this.byIdNow(hashKey(token));
  }

  byIdNow(id: string): Session | null {
    const s = this.byId.get(id);
    if (!s) return null;
    if (s.expiresAt <= this.now()) {
      this.forget([id]);
      return null;
    }
    return s;
  }

  /** The live session of a token, from the store when memory may be stale or has not seen it. */
  async resolve(token: string): Promise<Session | null> {
    if (!wellFormed(token)) return null;
    const id = hashKey(token);
    const known = this.byIdNow(id);
    if (known && !this.store.shared && this.store.coherent) return known;
    return this.refresh(id);
  }

  /** Read one session from the store into memory (null, and forgotten here, when it has ended). */
  async refresh(id: string): Promise<Session | null> {
    const doc = await this.store.getSession(id, this.now());
    if (!doc) {
      this.forget([id]);
      return null;
    }
    return this.byId.get(id) ?? this.remember(doc);
  }

  /** Whatever may have been missed: drop what the store no longer has, keep the user objects of the rest. */
  async resync(): Promise<void> {
    const live = new Map((await this.store.listSessions(this.now())).map((d) => [d.id, d]));
    this.forget([...this.byId.keys()].filter((id) => !live.has(id)));
    for (const doc of live.values()) if (!this.byId.has(doc.id)) this.remember(doc);
  }

  async revoke(ids: readonly string[]): Promise<void> {
    if (!ids.length) return;
    // memory first: this node stops accepting them at once, even if the store write is slow
    this.forget(ids);
    await this.store.deleteSessions(ids);
  }

  /** Every session of the user, those opened on other nodes included; returns how many. */
  async revokeAll(username: string): Promise<number> {
    const stored = (await this.store.listSessions(this.now())).filter((d) => d.username === username).map((d) => d.id);
    const ids = [...new Set([...(this.byUser.get(username) ?? []), ...stored])];
    await this.revoke(ids);
    return ids.length;
  }

  /** The user's live sessions (sockets hold these objects: a change made here is seen at once). */
  usersOf(username: string): SessionUser[] {
    return [...(this.byUser.get(username) ?? [])].flatMap((id) => this.byId.get(id)?.user ?? []);
  }

  onRevoke(listener: (sessionIds: string[]) => void): void {
    this.listeners.push(listener);
  }

  private remember(doc: SessionDoc): Session | null {
    const user = this.userOf(doc.username);
    if (!user) return null;
    const session: Session = { id: doc.id, user: copyUser(user), createdAt: doc.createdAt, expiresAt: doc.expiresAt };
    this.add(session);
    return session;
  }

  private add(session: Session): void {
    this.byId.set(session.id, session);
    let mine = this.byUser.get(session.user.username);
    if (!mine) this.byUser.set(session.user.username, (mine = new Set()));
    mine.add(session.id);
  }

  /** Ends sessions in memory and tells the listeners (sockets close). */
  private forget(ids: readonly string[]): void {
    const gone: string[] = [];
    for (const id of ids) {
      const s = this.byId.get(id);
      if (!s) continue;
      this.byId.delete(id);
      this.byUser.get(s.user.username)?.delete(id);
      gone.push(id);
    }
    if (gone.length) for (const l of this.listeners) l(gone);
  }
}

const wellFormed = (token: string) => typeof token === 'string' && token.length > 0 && token.length <= 512;
