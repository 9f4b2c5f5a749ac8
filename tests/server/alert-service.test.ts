import { describe, expect, it } from 'vitest';
import type { Alert, AlertCandidate } from '../../geo/model';
import { AlertService, AlertTransitionError } from '../../server/alerts/alert-service';
import { Registry } from '../../server/registry';
import { AlertSinks, type AlertChange } from '../../server/sinks';
import { tinySite } from '../fixtures/tiny-site';

const T0 = Date.UTC(2026, 2, 1, 2, 0, 0);

const candidate = (over: Partial<AlertCandidate> = {}): AlertCandidate => ({
  kind: 'exit_approach',
  severity: 'medium',
  zoneId: 'stairs',
  floorId: 'f1',
  position: { x: 29, y: 1 },
  fixTs: T0,
  detail: 'near the stairwell',
  ...over,
});

function setup(persistence?: { saveAlert(a: Alert): Promise<void> }, onPersistError?: (err: unknown) => void) {
  const changes: [string, AlertChange, string][] = [];
  const sink = { name: 'test', onAlert: (a: Alert, c: AlertChange) => changes.push([a.id, c, a.state]) };
  const service = new AlertService(new Registry([tinySite()]), sink, persistence, onPersistError);
  return { service, changes };
}

describe('AlertService folding', () => {
  it('raises one open alert from a candidate, with who, where and when, and tells the sink', () => {
    const { service, changes } = setup();
    const a = service.fold('R1', 'T1', candidate(), T0 + 40)!;
    expect(a).toMatchObject({ kind: 'exit_approach', severity: 'medium', state: 'open', residentId: 'R1', residentName: 'Wang Wei', tagId: 'T1' });
    expect(a).toMatchObject({ siteId: 'tiny', wardId: 'w1', floorId: 'f1', zoneId: 'stairs', fixTs: T0, detectedAt: T0 + 40, repeats: 0 });
    expect(a.position.x).toBe(29);
    expect(Number.isFinite(a.position.lon) && Number.isFinite(a.position.lat)).toBe(true);
    expect(a.history).toEqual([{ state: 'open', by: 'system', at: T0 + 40, note: 'near the stairwell' }]);
    expect(changes).toEqual([[a.id, 'raised', 'open']]);
  });

  it('folds later detections of the same kind into the open alert as repeats, following the resident', () => {
    const { service, changes } = setup();
    const a = service.fold('R1', 'T1', candidate(), T0)!;
    const again = service.fold('R1', 'T1', candidate({ position: { x: 30.5, y: 2 }, fixTs: T0 + 1000 }), T0 + 1000)!;
    expect(again.id).toBe(a.id);
    expect(again.repeats).toBe(1);
    expect(again.position.x).toBe(30.5);
    expect(again.updatedAt).toBe(T0 + 1000);
    expect(service.list()).toHaveLength(1);
    // a repeat at the same severity is not news: the sink hears of the raise only
    expect(changes.map((c) => c[1])).toEqual(['raised']);
  });

  it('sends an SOS pressed again, and a second fall, again with repeats counted up', () => {
    const { service, changes } = setup();
    const a = service.fold('R1', 'T1', candidate({ kind: 'sos', severity: 'critical' }), T0)!;
    service.fold('R1', 'T1', candidate({ kind: 'sos', severity: 'critical' }), T0 + 5000);
    const f = service.fold('R1', 'T1', candidate({ kind: 'fall', severity: 'critical' }), T0 + 6000)!;
    service.fold('R1', 'T1', candidate({ kind: 'fall', severity: 'critical' }), T0 + 9000);
    expect(changes.map((c) => [c[0], c[1]])).toEqual([
      [a.id, 'raised'],
      [a.id, 'updated'],
      [f.id, 'raised'],
      [f.id, 'updated'],
    ]);
    expect([service.get(a.id)!.repeats, service.get(f.id)!.repeats]).toEqual([1, 1]);
  });

  it('raises the severity of the open alert when a repeat is more severe, and says so', () => {
    const { service, changes } = setup();
    service.fold('R1', 'T1', candidate(), T0);
    const up = service.fold('R1', 'T1', candidate({ severity: 'critical' }), T0 + 500)!;
    expect(up.severity).toBe('critical');
    service.fold('R1', 'T1', candidate({ severity: 'low' }), T0 + 900);
    expect(up.severity).toBe('critical');
    expect(changes.map((c) => c[1])).toEqual(['raised', 'updated']);
  });

  it('keeps alerts of other kinds and other residents apart', () => {
    const { service } = setup();
    service.fold('R1', 'T1', candidate(), T0);
    service.fold('R1', 'T1', candidate({ kind: 'sos', severity: 'critical' }), T0);
    service.fold('R2', 'T2', candidate(), T0);
    expect(service.list()).toHaveLength(3);
    expect(service.activeFor('R1').map((a) => a.kind).sort()).toEqual(['exit_approach', 'sos']);
    expect([...service.activeResidentIds()].sort()).toEqual(['R1', 'R2']);
  });

  it('resolves the open alert when the condition clears by itself, and ignores a clear with nothing open', () => {
    const { service, changes } = setup();
    expect(service.fold('R1', 'T1', candidate({ kind: 'tag_silent', clear: true }), T0)).toBeNull();
    const a = service.fold('R1', 'T1', candidate({ kind: 'tag_silent' }), T0)!;
    const cleared = service.fold('R1', 'T1', candidate({ kind: 'tag_silent', clear: true, detail: 'tag heard again' }), T0 + 60_000)!;
    expect(cleared.id).toBe(a.id);
    expect(cleared.state).toBe('resolved');
    expect(cleared.history.at(-1)).toEqual({ state: 'resolved', by: 'system', at: T0 + 60_000, note: 'tag heard again' });
    expect(changes.map((c) => c[1])).toEqual(['raised', 'resolved']);
    expect(service.activeFor('R1')).toEqual([]);
  });

  it('raises a new alert once the previous one of that kind is resolved', () => {
    const { service } = setup();
    const first = service.fold('R1', 'T1', candidate(), T0)!;
    service.resolve(first.id, 'nurse', 'walked her back');
    const second = service.fold('R1', 'T1', candidate(), T0 + 5000)!;
    expect(second.id).not.toBe(first.id);
    expect(second.repeats).toBe(0);
  });

  it('drops a candidate for a resident it does not know', () => {
    const { service, changes } = setup();
    expect(service.fold('R404', 'T404', candidate(), T0)).toBeNull();
    expect(changes).toEqual([]);
  });
});

describe('AlertService state machine', () => {
  it('goes open -> acknowledged -> resolved, recording who, when and the note of each step', () => {
    const { service, changes } = setup();
    const a = service.fold('R1', 'T1', candidate(), T0)!;
    service.acknowledge(a.id, 'nurse', 'on my way', T0 + 30_000);
    service.resolve(a.id, 'nurse', undefined, T0 + 90_000);
    expect(a.history.map((s) => [s.state, s.by, s.at, s.note])).toEqual([
      ['open', 'system', T0, 'near the stairwell'],
      ['acknowledged', 'nurse', T0 + 30_000, 'on my way'],
      ['resolved', 'nurse', T0 + 90_000, undefined],
    ]);
    expect('note' in a.history[2]).toBe(false);
    expect(changes.map((c) => c[1])).toEqual(['raised', 'acknowledged', 'resolved']);
  });

  it('resolves an open alert directly', () => {
    const { service } = setup();
    const a = service.fold('R1', 'T1', candidate(), T0)!;
    expect(service.resolve(a.id, 'nurse', 'false alarm').state).toBe('resolved');
  });

  it('refuses to acknowledge what is not open, to resolve twice, and to touch an unknown alert', () => {
    const { service } = setup();
    const a = service.fold('R1', 'T1', candidate(), T0)!;
    service.acknowledge(a.id, 'nurse', undefined);
    const refusal = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof AlertTransitionError ? [e.status, e.message] : e;
      }
      return 'no refusal';
    };
    expect(refusal(() => service.acknowledge(a.id, 'nurse', undefined))).toEqual([409, 'alert is acknowledged, only an open alert can be acknowledged']);
    service.resolve(a.id, 'nurse', undefined);
    expect(refusal(() => service.resolve(a.id, 'nurse', undefined))).toEqual([409, 'alert is already resolved']);
    expect(refusal(() => service.acknowledge('nope', 'nurse', undefined))).toEqual([404, 'no alert nope']);
  });

  it('lists newest first and by state or site', () => {
    const { service } = setup();
    const older = service.fold('R1', 'T1', candidate(), T0)!;
    const newer = service.fold('R2', 'T2', candidate(), T0 + 10)!;
    service.acknowledge(older.id, 'nurse', undefined);
    expect(service.list().map((a) => a.id)).toEqual([newer.id, older.id]);
    expect(service.list({ state: 'acknowledged' }).map((a) => a.id)).toEqual([older.id]);
    expect(service.list({ siteId: 'elsewhere' })).toEqual([]);
  });
});

describe('AlertService restore and persistence', () => {
  it('after a restart, folds new detections into the alerts that were still open or acknowledged', () => {
    const before = setup();
    const open = before.service.fold('R1', 'T1', candidate(), T0)!;
    const acked = before.service.fold('R2', 'T2', candidate({ kind: 'sos', severity: 'critical' }), T0)!;
    before.service.acknowledge(acked.id, 'nurse', undefined);
    const done = before.service.fold('R1', 'T1', candidate({ kind: 'low_battery', severity: 'low' }), T0)!;
    before.service.resolve(done.id, 'nurse', undefined);

    const after = setup();
    after.service.restore(structuredClone([open, acked, done]));
    expect(after.service.fold('R1', 'T1', candidate(), T0 + 1000)!.id).toBe(open.id);
    expect(after.service.fold('R2', 'T2', candidate({ kind: 'sos', severity: 'critical' }), T0 + 1000)!.id).toBe(acked.id);
    expect(after.service.fold('R1', 'T1', candidate({ kind: 'low_battery', severity: 'low' }), T0 + 1000)!.id).not.toBe(done.id);
    expect(after.service.get(done.id)?.state).toBe('resolved');
    // restoring is not news: only what happened after it reaches the sinks (an SOS pressed again is, SPEC §10.1)
    expect(after.changes.map((c) => c[1])).toEqual(['updated', 'raised']);
  });

  it('stores every change as a snapshot, one write at a time per alert, in order', async () => {
    const saved: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { service } = setup({
      saveAlert: async (a) => {
        if (saved.length === 0) await gate;
        saved.push(`${a.state}:${a.history.length}`);
      },
    });
    const a = service.fold('R1', 'T1', candidate(), T0)!;
    service.acknowledge(a.id, 'nurse', undefined);
    service.resolve(a.id, 'nurse', undefined);
    release();
    await service.flushed();
    expect(saved).toEqual(['open:1', 'acknowledged:2', 'resolved:3']);
  });

  it('reports a failed write through saved() and to its error handler, and keeps the alert in memory', async () => {
    const errors: unknown[] = [];
    const { service } = setup({ saveAlert: () => Promise.reject(new Error('disk full')) }, (err) => errors.push(err));
    const a = service.fold('R1', 'T1', candidate(), T0)!;
    await expect(service.saved(a.id)).rejects.toThrow('disk full');
    await service.flushed();
    expect(errors).toHaveLength(1);
    expect(service.get(a.id)?.state).toBe('open');
  });
});

describe('alert sinks', () => {
  it('run in the order added; one that throws is reported and the others still run', () => {
    const heard: string[] = [];
    const failures: string[] = [];
    const logged: object[] = [];
    const sinks = new AlertSinks({ error: (obj) => logged.push(obj) }, (name) => failures.push(name));
    sinks
      .add({ name: 'first', onAlert: (_a, c) => heard.push(`first:${c}`) })
      .add({
        name: 'broken',
        onAlert: () => {
          throw new Error('webhook down');
        },
      })
      .add(null)
      .add({ name: 'last', onAlert: (_a, c) => heard.push(`last:${c}`) });
    new AlertService(new Registry([tinySite()]), sinks).fold('R1', 'T1', candidate(), T0);
    expect(sinks.names()).toEqual(['first', 'broken', 'last']);
    expect(heard).toEqual(['first:raised', 'last:raised']);
    expect(failures).toEqual(['broken']);
    expect(logged[0]).toMatchObject({ sink: 'broken', change: 'raised' });
  });
});
