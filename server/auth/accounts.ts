import type { SessionUser } from '../realtime/events';
import { hashKey, hashPassword, newToken, verifyPassword } from './password';

export type Role = SessionUser['role'];

export interface Account extends SessionUser {
  passwordHash: string;
}

export interface Session {
  token: string;
  user: SessionUser;
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

/**
 * Accounts, sessions (opaque random tokens with expiry, revocable) and ingest keys, held in
 * memory. Keys are stored hashed; the plain key is only ever in the caller's hands.
 */
export class Accounts {
  private readonly accounts = new Map<string, Account>();
  private readonly sessions = new Map<string, Session>();
  private readonly keys = new Map<string, IngestKey>();

  constructor(private readonly sessionTtlMs = 12 * 3600_000) {}

  async addAccount(user: SessionUser, password: string): Promise<void> {
    this.accounts.set(user.username, { ...user, passwordHash: await hashPassword(password) });
  }

  async login(username: string, password: string, now = Date.now()): Promise<Session | null> {
    const acc = this.accounts.get(username);
    // hash anyway for unknown users so timing does not reveal which usernames exist
    const ok = await verifyPassword(password, acc?.passwordHash ?? DUMMY_HASH);
    if (!acc || !ok) return null;
    const { passwordHash: _drop, ...user } = acc;
    const session: Session = { token: newToken(), user, expiresAt: now + this.sessionTtlMs };
    this.sessions.set(session.token, session);
    return session;
  }

  session(token: string, now = Date.now()): Session | null {
    const s = this.sessions.get(token);
    if (!s) return null;
    if (s.expiresAt <= now) {
      this.sessions.delete(token);
      return null;
    }
    return s;
  }

  revoke(token: string): void {
    this.sessions.delete(token);
  }

  addIngestKey(id: string, siteId: string, tagId: string | null, key: string): void {
    this.keys.set(hashKey(key), { id, siteId, tagId, keyHash: hashKey(key) });
  }

  ingestKey(key: string): IngestKey | null {
    return this.keys.get(hashKey(key)) ?? null;
  }
}

const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
