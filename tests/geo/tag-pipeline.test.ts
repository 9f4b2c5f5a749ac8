import { describe, expect, it } from 'vitest';
import type { Detector } from '../../geo/detect/types';
import type { Fix } from '../../geo/model';
import { initialTagState, processFix } from '../../geo/tag-step';
import { World } from '../../geo/world';
import { smallWorld } from '../fixtures/small-floor';

const fix = (s: number): Fix => ({ tagId: 'T-wanderer', ts: Date.UTC(2026, 0, 5, 1) + s * 1000, floorId: 'f1', x: 30 + s, y: 9.5, accuracy: 0.3 });
const counter = (name: string): Detector<number> => ({ name, init: () => 0, step: (n) => ({ state: n + 1, alerts: [] }) });

describe('processFix', () => {
  const ctx = new World(smallWorld()).context('wanderer')!;

  it('keeps the states of detectors not in the list it runs as they were', () => {
    const a = counter('a'), b = counter('b');
    let state = processFix(initialTagState(), fix(0), ctx, [a, b]).state;
    state = processFix(state, fix(1), ctx, [b]).state;
    expect(state.detectors).toEqual({ a: 1, b: 2 });
    state = processFix(state, fix(2), ctx, [a, b]).state;
    expect(state.detectors).toEqual({ a: 2, b: 3 });
  });

  it('leaves the state it was given unchanged', () => {
    const before = processFix(initialTagState(), fix(0), ctx, [counter('a')]).state;
    const copy = structuredClone(before);
    processFix(before, fix(1), ctx, [counter('a')]);
    expect(before).toEqual(copy);
  });

  it('a detector that throws keeps the state it had, and one that never stepped gets none', () => {
    let fail = false;
    const flaky: Detector<number> = { name: 'flaky', init: () => 0, step: (n) => { if (fail) throw new Error('boom'); return { state: n + 1, alerts: [] }; } };
    const never: Detector<number> = { name: 'never', init: () => 0, step: () => { throw new Error('never'); } };
    let r = processFix(initialTagState(), fix(0), ctx, [flaky, never]);
    expect(r.state.detectors).toEqual({ flaky: 1 });
    fail = true;
    r = processFix(r.state, fix(1), ctx, [flaky, never]);
    expect(r.state.detectors).toEqual({ flaky: 1 });
    expect(r.failures.map((f) => f.detector)).toEqual(['flaky', 'never']);
  });

  it('hands every detector of a fix the same zone lookups, made once', () => {
    const seen: unknown[] = [];
    const look = (name: string): Detector<null> => ({ name, init: () => null, step: (s, input) => (seen.push(input.place), { state: s, alerts: [] }) });
    processFix(initialTagState(), fix(0), ctx, [look('a'), look('b')]);
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBeDefined();
    expect(seen[1]).toBe(seen[0]);
  });
});
