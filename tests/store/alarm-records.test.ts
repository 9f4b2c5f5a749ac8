/** The alarm records (webhooks, rosters, deliveries...) behave the same in both stores and survive a reopen. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createStore } from '../../server/store/index';
import type { DeliveryRecord } from '../../server/store/alarm-records';
import type { Store } from '../../server/store/types';

const PG = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const RUN = `cw_alarm_${process.pid}_${randomBytes(3).toString('hex')}`;
const admin = new pg.Pool({ connectionString: PG, max: 1 });
afterAll(() => admin.end());

interface Opened {
  open(): Promise<Store>;
  dispose(): Promise<void>;
}

const engines: Record<string, () => Opened> = {
  embedded: () => {
    const dir = mkdtempSync(join(tmpdir(), 'carewatch-alarm-'));
    return { open: () => createStore(undefined, dir), dispose: async () => rmSync(dir, { recursive: true, force: true }) };
  },
  postgres: () => {
    const schema = `${RUN}_${randomBytes(2).toString('hex')}`;
    const u = new URL(PG);
    u.searchParams.set('schema', schema);
    return { open: () => createStore(u.toString()), dispose: async () => void (await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)) };
  },
};

const delivery = (over: Partial<DeliveryRecord>): DeliveryRecord => ({
  id: 'msg_1',
  webhookId: 'wh1',
  type: 'alert.raised',
  createdAt: 1000,
  updatedAt: 1000,
  attempts: 0,
  status: 'pending',
  ...over,
});

for (const [name, engine] of Object.entries(engines)) {
  describe(`alarm records (${name})`, () => {
    it('keeps records by kind and site in first-written order, replaces on put, deletes once, and still has them after a reopen', async () => {
      const e = engine();
      let store = await e.open();
      try {
        await store.putAlarmRecord({ kind: 'webhook', id: 'w1', siteId: 's1', body: { url: 'http://a' }, updatedAt: 1 });
        await store.putAlarmRecord({ kind: 'webhook', id: 'w2', siteId: 's2', body: { url: 'http://b' }, updatedAt: 2 });
        await store.putAlarmRecord({ kind: 'roster', id: 's1', siteId: 's1', body: { shifts: [] }, updatedAt: 3 });
        await store.putAlarmRecord({ kind: 'webhook', id: 'w1', siteId: 's1', body: { url: 'http://a2' }, updatedAt: 4 });
        expect((await store.listAlarmRecords('webhook')).map((r) => [r.id, (r.body as { url: string }).url])).toEqual([
          ['w1', 'http://a2'],
          ['w2', 'http://b'],
        ]);
        expect((await store.listAlarmRecords('webhook', 's2')).map((r) => r.id)).toEqual(['w2']);
        expect(await store.deleteAlarmRecord('webhook', 'w2')).toBe(true);
        expect(await store.deleteAlarmRecord('webhook', 'w2')).toBe(false);
        await store.close();
        store = await e.open();
        expect((await store.listAlarmRecords('webhook')).map((r) => r.id)).toEqual(['w1']);
        expect((await store.listAlarmRecords('roster'))[0]).toEqual({ kind: 'roster', id: 's1', siteId: 's1', body: { shifts: [] }, updatedAt: 3 });
      } finally {
        await store.close();
        await e.dispose();
      }
    });

    it('keeps one delivery row per message, updated by every attempt, newest first per webhook', async () => {
      const e = engine();
      let store = await e.open();
      try {
        await store.saveDelivery(delivery({ id: 'm1', createdAt: 10 }));
        await store.saveDelivery(delivery({ id: 'm2', createdAt: 20 }));
        await store.saveDelivery(delivery({ id: 'm1', createdAt: 10, attempts: 2, status: 'delivered', lastStatus: 204 }));
        await store.saveDelivery(delivery({ id: 'm3', webhookId: 'other', createdAt: 30 }));
        await store.close();
        store = await e.open();
        const rows = await store.listDeliveries('wh1');
        expect(rows.map((r) => [r.id, r.attempts, r.status])).toEqual([
          ['m2', 0, 'pending'],
          ['m1', 2, 'delivered'],
        ]);
        expect(await store.listDeliveries('wh1', 1)).toHaveLength(1);
      } finally {
        await store.close();
        await e.dispose();
      }
    });
  });
}
