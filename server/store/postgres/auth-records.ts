/**
 * Auth records in PostgreSQL, shared by every node on the database. Each write sends a NOTIFY in
 * its own transaction (so it is heard only if it committed); every node LISTENs on one connection
 * and tells its auth layer which record changed. While that connection is down `coherent` is
 * false (callers read through), and when it comes back a `resync` says news may have been missed.
 * Why LISTEN/NOTIFY and not a read per request, or a TTL cache: docs/security.md.
 */
import pg from 'pg';
import type { AccountDoc, AuthChange, AuthRecords, KeyDoc, SessionDoc } from '../auth-records';

/** One channel for every schema on the database; the payload starts with the schema, so stores sharing a database (tests, tenants) ignore each other. */
const CHANNEL = 'carewatch_auth';

/** Appended to MIGRATIONS (schema.ts). */
export const AUTH_MIGRATION = `
  CREATE TABLE auth_accounts (username text PRIMARY KEY, body jsonb NOT NULL);
  CREATE TABLE auth_keys (id text PRIMARY KEY, body jsonb NOT NULL);
  CREATE TABLE auth_sessions (
    id         text   PRIMARY KEY,
    username   text   NOT NULL,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL
  );
  CREATE INDEX auth_sessions_username ON auth_sessions (username);
  CREATE INDEX auth_sessions_expires ON auth_sessions (expires_at);`;

interface SessionRow {
  id: string;
  username: string;
  created_at: string;
  expires_at: string;
}
const session = (r: SessionRow): SessionDoc => ({ id: r.id, username: r.username, createdAt: Number(r.created_at), expiresAt: Number(r.expires_at) });

/** A table of JSON documents under a text key; each write notifies the other nodes of the key it changed. */
class DocTable<T> {
  constructor(
    private readonly records: { readonly pool: pg.Pool; readonly s: string; note(kind: string, idSql: string): string },
    private readonly table: string,
    private readonly key: string,
    private readonly kind: string,
  ) {}

  async list(): Promise<T[]> {
    const { pool, s } = this.records;
    return (await pool.query<{ body: T }>(`SELECT body FROM ${s}.${this.table} ORDER BY ${this.key}`)).rows.map((r) => r.body);
  }

  async get(id: string): Promise<T | null> {
    const { pool, s } = this.records;
    return (await pool.query<{ body: T }>(`SELECT body FROM ${s}.${this.table} WHERE ${this.key} = $1`, [id])).rows[0]?.body ?? null;
  }

  async put(id: string, doc: T): Promise<void> {
    const { pool, s } = this.records;
    const { table, key } = this;
    await pool.query(
      `WITH w AS (INSERT INTO ${s}.${table} (${key}, body) VALUES ($1, $2) ON CONFLICT (${key}) DO UPDATE SET body = $2 RETURNING ${key})
       SELECT ${this.records.note(this.kind, key)} FROM w`,
      [id, JSON.stringify(doc)],
    );
  }

  async delete(id: string): Promise<void> {
    const { pool, s } = this.records;
    const { table, key } = this;
    await pool.query(`WITH d AS (DELETE FROM ${s}.${table} WHERE ${key} = $1 RETURNING ${key}) SELECT ${this.records.note(this.kind, key)} FROM d`, [id]);
  }
}

export class PostgresAuthRecords implements AuthRecords {
  private listeners: ((c: AuthChange) => void)[] = [];
  private client: pg.Client | null = null;
  private listening = false;
  private closed = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    readonly pool: pg.Pool,
    /** Quoted schema, for SQL. */
    readonly s: string,
    /** Raw schema name, for payloads. */
    private readonly schema: string,
    private readonly url: string,
  ) {}

  readonly shared = true;

  get coherent(): boolean {
    return this.listening;
  }

  /** @internal (DocTable) */
  note(kind: string, idSql: string): string {
    return `pg_notify('${CHANNEL}', ${this.literal(`${this.schema}|${kind}|`)} || ${idSql})`;
  }

  private literal(text: string): string {
    return `'${text.replace(/'/g, "''")}'`;
  }

  // ---- accounts and ingest keys: a table of JSON documents each ----

  private readonly accountDocs = new DocTable<AccountDoc>(this, 'auth_accounts', 'username', 'account');
  private readonly keyDocs = new DocTable<KeyDoc>(this, 'auth_keys', 'id', 'key');

  listAccounts(): Promise<AccountDoc[]> {
    return this.accountDocs.list();
  }

  getAccount(username: string): Promise<AccountDoc | null> {
    return this.accountDocs.get(username);
  }

  putAccount(doc: AccountDoc): Promise<void> {
    return this.accountDocs.put(doc.username, doc);
  }

  deleteAccount(username: string): Promise<void> {
    return this.accountDocs.delete(username);
  }

  listIngestKeys(): Promise<KeyDoc[]> {
    return this.keyDocs.list();
  }

  getIngestKey(id: string): Promise<KeyDoc | null> {
    return this.keyDocs.get(id);
  }

  putIngestKey(doc: KeyDoc): Promise<void> {
    return this.keyDocs.put(doc.id, doc);
  }

  deleteIngestKey(id: string): Promise<void> {
    return this.keyDocs.delete(id);
  }

  // ---- sessions ----

  async putSession(doc: SessionDoc): Promise<void> {
    // no NOTIFY: a node that does not know a session reads it on first sight (getSession)
    await this.pool.query(
      `INSERT INTO ${this.s}.auth_sessions (id, username, created_at, expires_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET username = $2, created_at = $3, expires_at = $4`,
      [doc.id, doc.username, doc.createdAt, doc.expiresAt],
    );
  }

  async getSession(id: string, now: number): Promise<SessionDoc | null> {
    const r = await this.pool.query<SessionRow>(`SELECT id, username, created_at, expires_at FROM ${this.s}.auth_sessions WHERE id = $1 AND expires_at > $2`, [id, now]);
    return r.rows[0] ? session(r.rows[0]) : null;
  }

  async listSessions(now: number): Promise<SessionDoc[]> {
    const r = await this.pool.query<SessionRow>(`SELECT id, username, created_at, expires_at FROM ${this.s}.auth_sessions WHERE expires_at > $1 ORDER BY created_at, id`, [now]);
    return r.rows.map(session);
  }

  async deleteSessions(ids: readonly string[]): Promise<void> {
    if (!ids.length) return;
    // revocation is what every node must hear at once
    await this.pool.query(`WITH d AS (DELETE FROM ${this.s}.auth_sessions WHERE id = ANY($1::text[]) RETURNING id) SELECT ${this.note('session', 'id')} FROM d`, [[...ids]]);
  }

  async deleteExpiredSessions(now: number): Promise<number> {
    // expiry needs no news: every node checks expiresAt itself
    return (await this.pool.query(`DELETE FROM ${this.s}.auth_sessions WHERE expires_at <= $1`, [now])).rowCount ?? 0;
  }

  // ---- news from other nodes ----

  watch(listener: (change: AuthChange) => void): void {
    this.listeners.push(listener);
    if (!this.client && !this.retry) void this.listen();
  }

  private async listen(): Promise<void> {
    this.retry = null;
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.url });
    this.client = client;
    const lost = () => {
      if (this.client !== client) return;
      this.listening = false;
      this.client = null;
      client.end().catch(() => undefined);
      if (!this.closed) this.retry = setTimeout(() => void this.listen(), 1000);
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (m) => {
      if (m.channel !== CHANNEL || !m.payload) return;
      const [schema, kind, ...rest] = m.payload.split('|');
      if (schema !== this.schema || (kind !== 'account' && kind !== 'key' && kind !== 'session')) return;
      this.emit({ kind, id: rest.join('|') });
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch {
      lost();
      return;
    }
    if (this.client !== client) return;
    this.listening = true;
    // whatever happened while nobody listened is unknown: the auth layer reloads
    this.emit({ kind: 'resync' });
  }

  private emit(change: AuthChange): void {
    for (const l of this.listeners) l(change);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.listening = false;
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }
}
