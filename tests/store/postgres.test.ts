/**
 * The contract against the real PostgreSQL server (DATABASE_URL, default the local test database).
 * Each test gets its own schema, named per run so parallel runs never collide, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createStore } from '../../server/store/index';
import { PostgresStore } from '../../server/store/postgres/index';
import { MIGRATIONS } from '../../server/store/postgres/schema';
import type { Store } from '../../server/store/types';
import { runStoreContract } from './contract';

const URL_BASE = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const RUN = `cw_test_${process.pid}_${randomBytes(3).toString('hex')}`;
let n = 0;

const admin = new pg.Pool({ connectionString: URL_BASE, max: 2 });
afterAll(async () => {
  await admin.end();
});

const urlFor = (schema: string) => {
  const u = new URL(URL_BASE);
  u.searchParams.set('schema', schema);
  return u.toString();
};

async function dropSchema(schema: string) {
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

runStoreContract('postgres', async () => {
  const schema = `${RUN}_${++n}`;
  let store: Store = await createStore(urlFor(schema));
  return {
    store,
    async reopen() {
      await store.close();
      return (store = await createStore(urlFor(schema)));
    },
    async dispose() {
      await store.close();
      await dropSchema(schema);
    },
  };
});

describe('postgres store', () => {
  it('tells every node sharing the database which account, key or session another node changed (LISTEN/NOTIFY)', async () => {
    const schema = `${RUN}_notify`;
    const a = await createStore(urlFor(schema));
    const b = await createStore(urlFor(schema));
    const other = await createStore(urlFor(`${RUN}_notify_other`));
    try {
      const heard: unknown[] = [];
      b.auth.watch((c) => heard.push(c));
      other.auth.watch((c) => c.kind !== 'resync' && heard.push({ wrongSchema: c }));
      for (let i = 0; i < 200 && !(b.auth.coherent && other.auth.coherent); i++) await new Promise((r) => setTimeout(r, 25));
      expect(b.auth.coherent).toBe(true);
      expect(heard).toEqual([{ kind: 'resync' }]);
      await a.auth.putSession({ id: 's1', username: 'nurse', createdAt: 1, expiresAt: Date.now() + 60_000 });
      await a.auth.putAccount({ username: 'nurse' });
      await a.auth.putIngestKey({ id: 'key_1' });
      await a.auth.deleteSessions(['s1']);
      for (let i = 0; i < 200 && heard.length < 4; i++) await new Promise((r) => setTimeout(r, 25));
      expect(heard).toEqual([{ kind: 'resync' }, { kind: 'account', id: 'nurse' }, { kind: 'key', id: 'key_1' }, { kind: 'session', id: 's1' }]);
      // once B's listening connection is gone, B says it may have missed news
      await b.close();
      expect(b.auth.coherent).toBe(false);
    } finally {
      await Promise.all([a.close(), other.close()]);
      await dropSchema(schema);
      await dropSchema(`${RUN}_notify_other`);
    }
  });

  it('creates its schema once: opening again, or several nodes at once, migrates nothing twice', async () => {
    const schema = `${RUN}_mig`;
    try {
      const stores = await Promise.all([1, 2, 3].map(() => PostgresStore.open(urlFor(schema))));
      expect(stores.every((s) => s.kind === 'postgres')).toBe(true);
      await Promise.all(stores.map((s) => s.close()));
      const again = await PostgresStore.open(urlFor(schema));
      await again.close();
      const { rows } = await admin.query(`SELECT version FROM "${schema}".store_migrations ORDER BY version`);
      expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    } finally {
      await dropSchema(schema);
    }
  });

  it('inserts a batch larger than one statement chunk atomically and reads it back in order', async () => {
    const schema = `${RUN}_big`;
    try {
      const store = await createStore(urlFor(schema));
      const T0 = Date.UTC(2026, 0, 5, 21);
      const rows = Array.from({ length: 12_000 }, (_, i) => ({
        siteId: 's', residentId: `r${i % 50}`, tagId: `t${i % 50}`, ts: T0 + i, floorId: `f${i % 3}`, x: i, y: 0, kind: 'fix' as const,
      }));
      await store.appendFixes(rows);
      // A batch the database refuses in its second chunk leaves nothing of its first behind.
      // (PostgreSQL text cannot hold NUL: the database itself refuses the last row.)
      const clash = [...rows.slice(0, 6000).map((r) => ({ ...r, ts: r.ts + 100_000 })), { ...rows[0], detail: 'a\u0000b' }];
      await expect(store.appendFixes(clash)).rejects.toThrow();
      const page = await store.queryTrack({ since: T0, until: T0 + 200_000, limit: 10_000 });
      expect(page.rows).toHaveLength(10_000);
      const rest = await store.queryTrack({ since: T0, until: T0 + 200_000, limit: 10_000, after: page.next });
      expect(rest.rows).toHaveLength(2000);
      expect(rest.next).toBeUndefined();
      await store.close();
    } finally {
      await dropSchema(schema);
    }
  });

  it('keeps nothing of a configuration write the database refuses part-way: records, deletes and change lines go together', async () => {
    const schema = `${RUN}_cfg`;
    try {
      const store = await createStore(urlFor(schema));
      const rec = (id: string, body: unknown) => ({ kind: 'zone', id, siteId: 's', body });
      await store.writeConfig({ put: [rec('a', { n: 1 }), rec('b', { n: 2 })], changes: [] });
      // PostgreSQL jsonb cannot hold NUL: the database refuses the put after the delete has run
      await expect(store.writeConfig({ delete: [{ kind: 'zone', id: 'a' }], put: [rec('c', { name: 'x\u0000y' })], changes: [{ at: 1, actor: 'admin', entity: 'zone', entityId: 'a', before: null, after: null }] })).rejects.toThrow();
      expect((await store.listConfig()).map((r) => r.id)).toEqual(['a', 'b']);
      expect(await store.listConfigChanges()).toEqual([]);
      await store.close();
    } finally {
      await dropSchema(schema);
    }
  });
});
