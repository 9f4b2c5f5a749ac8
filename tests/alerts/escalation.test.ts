/** Escalation timelines on a fake clock: the store and the outbox are real, time is not. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../geo/model';
import { AlertService } from '../../server/alerts/alert-service';
import { Escalation, EscalationRules } from '../../server/alerts/escalation';
import { OutboxDispatcher } from '../../server/alerts/outbox-dispatcher';
import { Registry } from '../../server/registry';
import { createStore } from '../../server/store/index';
import type { Store } from '../../server/store/types';
import { tinySite } from '../fixtures/tiny-site';

const T0 = Date.UTC(2026, 0, 5, 14, 0, 0);
const SEC = 1000;

interface Node {
  store: Store;
  alerts: AlertService;
  escalation: Escalation;
  dispatcher: OutboxDispatcher;
  rules: EscalationRules;
  changes: Array<{ id: string; change: string; level?: number }>;
}

let clock = T0;
const dirs: string[] = [];
const open: Node[] = [];
afterEach(async () => {
  for (const n of open.splice(0)) await n.store.close().catch(() => undefined);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  clock = T0;
});

/** One server's alarm chain over the store in `dir`, as after a (re)start. */
async function node(dir: string, steps = [{ afterSeconds: 60, to: 'charge_nurse' }, { afterSeconds: 180, to: 'manager' }]): Promise<Node> {
  const store = await createStore(undefined, dir);
  const changes: Node['changes'] = [];
  const rules = new EscalationRules(store);
  await rules.load();
  if (!rules.get('tiny')) await rules.set({ siteId: 'tiny', steps, updatedAt: clock, updatedBy: 'admin' });
  let escalation: Escalation | null = null;
  const alerts = new AlertService(
    new Registry([tinySite()]),
    {
      name: 'test',
      onAlert(a, change) {
        changes.push({ id: a.id, change, level: a.escalationLevel });
        escalation?.onAlert(a, change);
      },
    },
    store,
  );
  alerts.restore(await store.listAlerts({ state: 'open' }));
  const dispatcher = new OutboxDispatcher(store, { pollMs: 1000, leaseMs: 30 * SEC, now: () => clock });
  escalation = new Escalation(store, alerts, rules, () => undefined, undefined, () => clock);
  dispatcher.register(escalation);
  const n = { store, alerts, escalation, dispatcher, rules, changes };
  open.push(n);
  return n;
}

const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'carewatch-esc-'));
  dirs.push(d);
  return d;
};

async function at(n: Node, t: number): Promise<void> {
  clock = t;
  await n.escalation.settled();
  await n.dispatcher.runDue();
  await n.dispatcher.idle();
  await n.alerts.flushed();
  await n.escalation.settled();
}

function raise(n: Node): Alert {
  return n.alerts.fold('R1', 'T1', { kind: 'exit_approach', severity: 'high', zoneId: 'stairs', floorId: 'f1', position: { x: 29, y: 1.5 }, fixTs: clock }, clock)!;
}

describe('escalation', () => {
  it('an alert nobody acknowledges goes to level 1 after step 1 and level 2 after step 2, with history entries', async () => {
    const n = await node(tmp());
    const a = raise(n);
    await at(n, T0 + 59 * SEC);
    expect(n.alerts.get(a.id)!.escalationLevel).toBeUndefined();
    await at(n, T0 + 60 * SEC);
    expect(n.alerts.get(a.id)!.escalationLevel).toBe(1);
    await at(n, T0 + 179 * SEC);
    expect(n.alerts.get(a.id)!.escalationLevel).toBe(1);
    await at(n, T0 + 181 * SEC);
    const now = n.alerts.get(a.id)!;
    expect(now.escalationLevel).toBe(2);
    expect(now.state).toBe('open');
    expect(now.history.filter((h) => h.state === 'escalated')).toEqual([
      { state: 'escalated', level: 1, to: 'charge_nurse', by: 'system', at: T0 + 60 * SEC },
      { state: 'escalated', level: 2, to: 'manager', by: 'system', at: T0 + 181 * SEC },
    ]);
    expect(n.changes.filter((c) => c.change === 'escalated').map((c) => c.level)).toEqual([1, 2]);
    // and it is stored that way
    expect((await n.store.getAlert(a.id))!.escalationLevel).toBe(2);
    // no third step: nothing more, ever
    await at(n, T0 + 3600 * SEC);
    expect(n.changes.filter((c) => c.change === 'escalated')).toHaveLength(2);
  });

  it('an alert acknowledged before step 1 never escalates', async () => {
    const n = await node(tmp());
    const a = raise(n);
    await at(n, T0 + 30 * SEC);
    n.alerts.acknowledge(a.id, 'nurse', undefined, clock);
    await at(n, T0 + 3600 * SEC);
    expect(n.alerts.get(a.id)!.escalationLevel).toBeUndefined();
    expect(n.changes.map((c) => c.change)).toEqual(['raised', 'acknowledged']);
  });

  it('acknowledging between the steps stops the remaining ones', async () => {
    const n = await node(tmp());
    const a = raise(n);
    await at(n, T0 + 61 * SEC);
    n.alerts.acknowledge(a.id, 'charge', undefined, clock);
    await at(n, T0 + 3600 * SEC);
    expect(n.alerts.get(a.id)!.escalationLevel).toBe(1);
    expect(n.changes.filter((c) => c.change === 'escalated')).toHaveLength(1);
  });

  it('a restart between the steps: the second step still happens, once', async () => {
    const dir = tmp();
    const first = await node(dir);
    const a = raise(first);
    await at(first, T0 + 61 * SEC);
    expect(first.alerts.get(a.id)!.escalationLevel).toBe(1);
    await first.store.close();

    // down for a while; back after step 2 was due
    clock = T0 + 240 * SEC;
    const second = await node(dir);
    expect(second.alerts.get(a.id)!.escalationLevel).toBe(1);
    await at(second, clock);
    await at(second, clock + 3600 * SEC);
    expect(second.alerts.get(a.id)!.escalationLevel).toBe(2);
    expect(second.changes.filter((c) => c.change === 'escalated').map((c) => c.level)).toEqual([2]);
    expect((await second.store.getAlert(a.id))!.history.filter((h) => h.state === 'escalated').map((h) => h.level)).toEqual([1, 2]);
  });

  it('a step whose alert was stored escalated but whose outbox item was not completed (crash in between) is not run again', async () => {
    const dir = tmp();
    const first = await node(dir);
    const a = raise(first);
    await first.escalation.settled();
    // the step fires and the alert is stored, then the process dies before the item is completed
    clock = T0 + 61 * SEC;
    const claimed = await first.store.claimOutbox(10, clock, 30 * SEC);
    expect(claimed.map((c) => c.id)).toEqual([`esc:${a.id}:1`]);
    first.alerts.escalate(a.id, 1, 'charge_nurse', clock);
    await first.alerts.flushed();
    await first.store.close();

    clock = T0 + 100 * SEC; // after the lease
    const second = await node(dir);
    await at(second, clock);
    expect(second.changes.filter((c) => c.change === 'escalated')).toEqual([]);
    expect((await second.store.getAlert(a.id))!.history.filter((h) => h.state === 'escalated')).toHaveLength(1);
  });

  it('alerts open before escalation was set up are scheduled on resume', async () => {
    const n = await node(tmp(), []);
    const a = raise(n);
    await at(n, T0 + 3600 * SEC);
    expect(n.alerts.get(a.id)!.escalationLevel).toBeUndefined();
    // no steps at first; then a rule: resume picks the alert up, its time counted from the raise
    await n.rules.set({ siteId: 'tiny', steps: [{ afterSeconds: 60, to: 'nurse' }], updatedAt: clock, updatedBy: 'admin' });
    await n.escalation.resume(n.alerts.list({ state: 'open' }));
    await at(n, clock);
    expect(n.alerts.get(a.id)!.history.at(-1)).toEqual({ state: 'escalated', level: 1, to: 'nurse', by: 'system', at: T0 + 3600 * SEC });
  });
});
