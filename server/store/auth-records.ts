/**
 * The auth records seam: accounts, sessions and ingest keys (server/auth/* owns their meaning).
 * The store keeps each record whole and indexes only what it must look up; secrets are already
 * hashed when they arrive (scrypt passwords, sha256 session tokens and keys).
 *
 * Several nodes on one PostgreSQL share them (`shared`): `watch` hears what the other nodes changed
 * (LISTEN/NOTIFY), and `coherent` is false while such news could be missed (the listening
 * connection is down); a `resync` follows when it is back.
 */

/** An account: its username and whatever else the auth layer keeps (password hash, role, TOTP...). */
export interface AccountDoc {
  username: string;
}

/** An ingest key: its id and the rest (hashes, site, tag...). */
export interface KeyDoc {
  id: string;
}

/** A session: the sha256 of its token, never the token. */
export interface SessionDoc {
  id: string;
  username: string;
  createdAt: number;
  expiresAt: number;
}

/** What another node changed; `resync`: news may have been missed, reload everything. */
export type AuthChange = { kind: 'account' | 'key' | 'session'; id: string } | { kind: 'resync' };

export interface AuthRecords {
  listAccounts(): Promise<AccountDoc[]>;
  getAccount(username: string): Promise<AccountDoc | null>;
  /** Insert or replace. */
  putAccount(doc: AccountDoc): Promise<void>;
  deleteAccount(username: string): Promise<void>;

  listIngestKeys(): Promise<KeyDoc[]>;
  getIngestKey(id: string): Promise<KeyDoc | null>;
  putIngestKey(doc: KeyDoc): Promise<void>;
  deleteIngestKey(id: string): Promise<void>;

  putSession(doc: SessionDoc): Promise<void>;
  /** The session, or null when unknown, revoked or expired at `now`. */
  getSession(id: string, now: number): Promise<SessionDoc | null>;
  /** Sessions not expired at `now`. */
  listSessions(now: number): Promise<SessionDoc[]>;
  deleteSessions(ids: readonly string[]): Promise<void>;
  /** Removes the sessions expired at `now`; returns how many. */
  deleteExpiredSessions(now: number): Promise<number>;

  /** Changes made by other nodes. The embedded store has no other node and never calls it. */
  watch(listener: (change: AuthChange) => void): void;
  /** False while news from other nodes could be missed (PostgreSQL: the listening connection is down). */
  readonly coherent: boolean;
  /** Other nodes write here too: a session is checked against the store on each request, not memory alone. */
  readonly shared: boolean;
}
