/**
 * The configuration records part of the Store contract (run from contract.ts for every backend).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { ConfigRecord, Store } from '../../server/store';
import type { StoreFixture } from './contract';

const T0 = Date.UTC(2026, 0, 5, 21, 0, 0);
const rec = (kind: string, id: string, body: unknown = { id }, siteId: string | null = 'site-1'): ConfigRecord => ({ kind, id, siteId, body });
const change = (entityId: string, after: unknown = null, entity = 'zone') => ({ at: T0, actor: 'admin', entity, entityId, before: null, after });

/** Runs inside the contract's describe: `fixture()` is the store opened for the current test. */
export function runConfigRecordsContract(fixture: () => StoreFixture): void {
  describe('configuration records', () => {
    let store: Store;
    const f = { reopen: () => fixture().reopen() };
    beforeEach(() => {
      store = fixture().store;
    });

    it('stores records with the change-log lines of the write, and lists them in the order first written', async () => {
      const zone = rec('zone', 'z2', { id: 'z2', kind: 'exit', polygon: [[[0, 0], [1, 0], [1, 1], [0, 0]]], cameras: ['cam-1'] });
      expect(await store.writeConfig({ put: [rec('site', 'site-1', { name: '淮南' }, null), zone, rec('zone', 'z1')], changes: [change('site-1', { seeded: true }, 'site')] })).toBe(true);
      expect(await store.listConfig()).toEqual([rec('site', 'site-1', { name: '淮南' }, null), zone, rec('zone', 'z1')]);
      expect((await store.listConfigChanges()).map((c) => [c.entity, c.entityId, c.after])).toEqual([['site', 'site-1', { seeded: true }]]);
    });

    it('replaces a record in place on update and forgets a deleted one', async () => {
      await store.writeConfig({ put: [rec('zone', 'a'), rec('zone', 'b'), rec('zone', 'c')], changes: [] });
      await store.writeConfig({ put: [rec('zone', 'a', { id: 'a', name: 'renamed' })], delete: [{ kind: 'zone', id: 'b' }], changes: [change('a'), change('b')] });
      expect(await store.listConfig()).toEqual([rec('zone', 'a', { id: 'a', name: 'renamed' }), rec('zone', 'c')]);
      expect((await store.listConfigChanges({ entityId: 'b' })).length).toBe(1);
    });

    it('filters by kind and by site; the same id under two kinds is two records', async () => {
      await store.writeConfig({ put: [rec('zone', 'x', 1, 's1'), rec('tag', 'x', 2, 's1'), rec('zone', 'y', 3, 's2'), rec('meta', 'seed', 4, null)], changes: [] });
      expect((await store.listConfig({ kind: 'zone' })).map((r) => r.body)).toEqual([1, 3]);
      expect((await store.listConfig({ siteId: 's1' })).map((r) => r.body)).toEqual([1, 2]);
      expect((await store.listConfig({ kind: 'zone', siteId: 's2' })).map((r) => r.body)).toEqual([3]);
    });

    it('writes nothing, not even the change log, when ifAbsent names a record that exists', async () => {
      expect(await store.writeConfig({ put: [rec('meta', 'seed', 1, null)], changes: [change('s')], ifAbsent: { kind: 'meta', id: 'seed' } })).toBe(true);
      expect(await store.writeConfig({ put: [rec('meta', 'seed', 2, null), rec('zone', 'z')], changes: [change('s')], ifAbsent: { kind: 'meta', id: 'seed' } })).toBe(false);
      expect(await store.listConfig()).toEqual([rec('meta', 'seed', 1, null)]);
      expect(await store.listConfigChanges()).toHaveLength(1);
    });

    it('lets exactly one of several concurrent seeders win', async () => {
      const wins = await Promise.all(
        [1, 2, 3, 4].map((n) => store.writeConfig({ put: [rec('meta', 'seed', n, null), rec('zone', `from-${n}`)], changes: [], ifAbsent: { kind: 'meta', id: 'seed' } })),
      );
      expect(wins.filter(Boolean)).toHaveLength(1);
      expect((await store.listConfig({ kind: 'zone' })).map((r) => r.id)).toEqual([`from-${wins.indexOf(true) + 1}`]);
    });

    it('refuses a malformed write whole, saying what is wrong', async () => {
      await expect(store.writeConfig({ put: [rec('zone', 'a'), rec('zone', 'a')], changes: [] })).rejects.toThrow(/zone a appears twice/);
      await expect(store.writeConfig({ put: [rec('zone', 'b'), { kind: 'zone', id: 'c', siteId: null, body: undefined }], changes: [] })).rejects.toThrow(/body is missing/);
      await expect(store.writeConfig({ put: [rec('', 'd')], changes: [] })).rejects.toThrow(/kind must be a non-empty string/);
      expect(await store.listConfig()).toEqual([]);
    });

    it('keeps its own copy: changing an object after writing or reading it changes nothing stored', async () => {
      const body = { id: 'z', cameras: ['c1'] };
      await store.writeConfig({ put: [rec('zone', 'z', body)], changes: [] });
      body.cameras.push('c2');
      (((await store.listConfig())[0].body as typeof body).cameras).push('c3');
      expect((await store.listConfig())[0].body).toEqual({ id: 'z', cameras: ['c1'] });
    });

    it('keeps records, their order and the change log across close and reopen', async () => {
      await store.writeConfig({ put: [rec('zone', 'b'), rec('zone', 'a'), rec('resident', 'r', { id: 'r', name: '王芳', rules: { inactivity: { minutes: 90 } } })], changes: [change('b')] });
      await store.writeConfig({ put: [rec('zone', 'b', { id: 'b', kind: 'forbidden' })], delete: [{ kind: 'zone', id: 'a' }], changes: [change('a')] });
      const before = await store.listConfig();
      const log = await store.listConfigChanges();
      store = await f.reopen();
      expect(await store.listConfig()).toEqual(before);
      expect(await store.listConfigChanges()).toEqual(log);
      await store.writeConfig({ put: [rec('zone', 'a')], changes: [change('a')] });
      expect((await store.listConfig()).map((r) => r.id)).toEqual(['b', 'r', 'a']);
    });
  });
}
