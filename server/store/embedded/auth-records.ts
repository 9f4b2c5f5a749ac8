/**
 * Auth records of the embedded store, in the data directory:
 *
 *   <dir>/accounts.json   accounts and ingest keys: one JSON snapshot (mode 0600), replaced atomically
 *                         on each change (they change rarely); the format the server has always written
 *   <dir>/sessions.log    sessions (token hashes only): a journal, one line per login or revocation
 *
 * Everything is held in memory; this node is the only one, so `coherent` is always true.
 */
import { chmod, mkdir, open, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AccountDoc, AuthChange, AuthRecords, KeyDoc, SessionDoc } from '../auth-records';
import { Journal, type JournalState } from './journal';

type SessionEntry = { t: 'session'; v: SessionDoc } | { t: 'session-end'; ids: string[] };

interface Snapshot {
  version: 1;
  accounts: AccountDoc[];
  keys: KeyDoc[];
}

class SessionTable implements JournalState<SessionEntry> {
  readonly byId = new Map<string, SessionDoc>();
  apply(e: SessionEntry): void {
    if (e.t === 'session') this.byId.set(e.v.id, e.v);
    else for (const id of e.ids) this.byId.delete(id);
  }
  snapshot(): SessionEntry[] {
    return [...this.byId.values()].map((v) => ({ t: 'session' as const, v }));
  }
}

const copy = <T>(x: T): T => structuredClone(x);
const listDocs = async <T>(docs: Map<string, T>): Promise<T[]> => [...docs.values()].map(copy);
const getDoc = async <T>(docs: Map<string, T>, id: string): Promise<T | null> => {
  const d = docs.get(id);
  return d ? copy(d) : null;
};

export class EmbeddedAuthRecords implements AuthRecords {
  readonly coherent = true;
  readonly shared = false;
  private saving: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private readonly accounts: Map<string, AccountDoc>,
    private readonly keys: Map<string, KeyDoc>,
    private readonly sessions: SessionTable,
    private readonly journal: Journal<SessionEntry>,
  ) {}

  static async open(dir: string): Promise<EmbeddedAuthRecords> {
    await mkdir(dir, { recursive: true });
    const file = join(dir, 'accounts.json');
    const snap = await readSnapshot(file);
    const sessionsPath = join(dir, 'sessions.log');
    await (await open(sessionsPath, 'a', 0o600)).close();
    const table = new SessionTable();
    const journal = await Journal.open(sessionsPath, table, () => table.byId.size);
    return new EmbeddedAuthRecords(
      file,
      new Map(snap.accounts.map((a) => [a.username, a])),
      new Map(snap.keys.map((k) => [k.id, k])),
      table,
      journal,
    );
  }

  // ---- accounts and keys: the snapshot file ----

  listAccounts(): Promise<AccountDoc[]> {
    return listDocs(this.accounts);
  }

  getAccount(username: string): Promise<AccountDoc | null> {
    return getDoc(this.accounts, username);
  }

  putAccount(doc: AccountDoc): Promise<void> {
    return this.putDoc(this.accounts, doc.username, doc);
  }

  deleteAccount(username: string): Promise<void> {
    return this.deleteDoc(this.accounts, username);
  }

  listIngestKeys(): Promise<KeyDoc[]> {
    return listDocs(this.keys);
  }

  getIngestKey(id: string): Promise<KeyDoc | null> {
    return getDoc(this.keys, id);
  }

  putIngestKey(doc: KeyDoc): Promise<void> {
    return this.putDoc(this.keys, doc.id, doc);
  }

  deleteIngestKey(id: string): Promise<void> {
    return this.deleteDoc(this.keys, id);
  }

  private putDoc<T>(docs: Map<string, T>, id: string, doc: T): Promise<void> {
    docs.set(id, copy(doc));
    return this.persist();
  }

  private deleteDoc<T>(docs: Map<string, T>, id: string): Promise<void> {
    return docs.delete(id) ? this.persist() : Promise.resolve();
  }

  /** One write at a time, each a whole snapshot, replaced atomically by rename. */
  private persist(): Promise<void> {
    const snap: Snapshot = { version: 1, accounts: [...this.accounts.values()], keys: [...this.keys.values()] };
    const text = JSON.stringify(snap);
    const file = this.file;
    const next = this.saving.then(async () => {
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, text, { mode: 0o600 });
      await chmod(tmp, 0o600);
      await rename(tmp, file);
    });
    this.saving = next.catch(() => undefined);
    return next;
  }

  // ---- sessions: the journal ----

  async putSession(doc: SessionDoc): Promise<void> {
    await this.journal.write([{ t: 'session', v: copy(doc) }]);
  }

  async getSession(id: string, now: number): Promise<SessionDoc | null> {
    const s = this.sessions.byId.get(id);
    return s && s.expiresAt > now ? copy(s) : null;
  }

  async listSessions(now: number): Promise<SessionDoc[]> {
    return [...this.sessions.byId.values()].filter((s) => s.expiresAt > now).map(copy);
  }

  async deleteSessions(ids: readonly string[]): Promise<void> {
    const known = ids.filter((id) => this.sessions.byId.has(id));
    if (known.length) await this.journal.write([{ t: 'session-end', ids: known }]);
  }

  async deleteExpiredSessions(now: number): Promise<number> {
    const gone = [...this.sessions.byId.values()].filter((s) => s.expiresAt <= now).map((s) => s.id);
    await this.deleteSessions(gone);
    return gone.length;
  }

  watch(_listener: (change: AuthChange) => void): void {
    // one node: nothing changes behind its back
  }

  async close(): Promise<void> {
    await this.saving;
    await this.journal.close();
  }
}

/** A corrupt file stops the start rather than losing every account. */
async function readSnapshot(file: string): Promise<Snapshot> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, accounts: [], keys: [] };
    throw e;
  }
  try {
    const snap = JSON.parse(text) as Snapshot;
    if (snap.version !== 1 || !Array.isArray(snap.accounts) || !Array.isArray(snap.keys)) throw new Error('unexpected shape');
    return snap;
  } catch (e) {
    throw new Error(`accounts file ${file} is unreadable (${(e as Error).message}); restore it from a backup or move it away`);
  }
}
