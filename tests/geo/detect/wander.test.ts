import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AlertCandidate, Fix } from '../../../geo/model';
import { DETECTORS } from '../../../geo/detect';
import { initialTagState, processFix } from '../../../geo/tag-step';
import { World } from '../../../geo/world';
import { Rng } from '../../../geo/rng';
import { smallWorld } from '../../fixtures/small-floor';

/** The wander detectors, in the order the pipeline runs them. */
const WANDER = ['exit-approach', 'left-area', 'forbidden-zone', 'left-safe-zone'];
const detectors = DETECTORS.filter((d) => WANDER.includes(d.name));

interface Timeline {
  about: string;
  fixes: { t: number; floor: string; x: number; y: number; acc: number; note?: string }[];
  runs: { title: string; resident: string; escorted?: boolean; expect: { t: number; kind: string; zone: string }[] }[];
}

const T0 = Date.UTC(2026, 0, 5, 1, 0, 0); // 09:00 in the site's time zone
const dir = new URL('../../fixtures/timelines/', import.meta.url);
const timelines = readdirSync(dir)
  .filter((f) => /^wander-.*\.json$/.test(f))
  .sort()
  .map((file) => ({ file, timeline: JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as Timeline }));

/** Every fix through the real World and processFix, membership and detectors: the alerts, with the fix time in seconds. */
function replay(world: World, residentId: string, fixes: Fix[], escorted = false): (AlertCandidate & { t: number })[] {
  const ctx = world.context(residentId);
  if (!ctx) throw new Error(`no resident ${residentId}`);
  let state = initialTagState();
  const alerts: (AlertCandidate & { t: number })[] = [];
  for (const fix of fixes) {
    const r = processFix(state, fix, ctx, detectors, { escorted });
    expect(r.failures).toEqual([]);
    state = r.state;
    for (const a of r.alerts) alerts.push({ ...a, t: (a.fixTs - T0) / 1000 });
  }
  return alerts;
}

describe('wander detectors on timelines', () => {
  it('the pipeline runs all four wander detectors', () => {
    expect(detectors.map((d) => d.name).sort()).toEqual([...WANDER].sort());
  });

  it('the timeline fixtures are there', () => {
    expect(timelines.length).toBeGreaterThanOrEqual(9);
  });

  for (const { file, timeline } of timelines) {
    describe(`${file}: ${timeline.about}`, () => {
      for (const run of timeline.runs) {
        it(run.title, () => {
          const world = new World(smallWorld());
          const resident = smallWorld().residents.find((r) => r.id === run.resident)!;
          const fixes: Fix[] = timeline.fixes.map((f) => ({
            tagId: resident.tagId,
            ts: T0 + f.t * 1000,
            floorId: f.floor,
            x: f.x,
            y: f.y,
            accuracy: f.acc,
          }));
          const alerts = replay(world, run.resident, fixes, run.escorted);
          expect(alerts.map((a) => ({ t: a.t, kind: a.kind, zone: a.zoneId }))).toEqual(run.expect);
          // An exit approach is raised before the exit is reached.
          for (const a of alerts.filter((a) => a.kind === 'exit_approach')) {
            expect(world.zones.signedDistance(a.zoneId!, a.position.x, a.position.y)).toBeGreaterThan(0);
          }
        });
      }
    });
  }

  it('a wander-risk resident lingering at the gate with 5 m GPS noise is alerted once per approach', () => {
    // Along y 13 towards the gate (x 118..122): to 1 m from it, two minutes there, 40 m back, and again.
    const rnd = new Rng(81);
    const path: [number, number][] = [];
    let t = 0;
    const go = (x0: number, x1: number) => {
      const dir = Math.sign(x1 - x0);
      for (let x = x0; dir * (x1 - x) >= 0; x += dir * 2) path.push([(t += 2), x]); // 1 m/s, a fix every 2 s
    };
    go(90, 117);
    for (let k = 0; k < 60; k++) path.push([(t += 2), 117]);
    go(117, 77);
    go(77, 117);
    const world = new World(smallWorld());
    const fixes: Fix[] = path.map(([s, x]) => ({
      tagId: 'T-wanderer',
      ts: T0 + s * 1000,
      floorId: 'out',
      x: x + rnd.gaussian(5),
      y: 13 + rnd.gaussian(5),
      accuracy: 5,
    }));
    const alerts = replay(world, 'wanderer', fixes);
    expect(alerts.map((a) => `${a.kind} ${a.zoneId}`)).toEqual(['exit_approach gate', 'exit_approach gate']);
    const secondApproachStarts = path.findIndex(([, x], i) => i > 0 && x > path[i - 1][1] && path[i - 1][1] === 77);
    expect(alerts[1].t).toBeGreaterThan(path[secondApproachStarts][0]);
  });

  it('a detector that throws is reported and the other wander detectors still raise their alerts', () => {
    const world = new World(smallWorld());
    const ctx = world.context('wanderer')!;
    const broken = { name: 'broken', init: () => null, step: () => { throw new Error('boom'); } };
    let state = initialTagState();
    const kinds: string[] = [];
    for (let s = 0; s < 8; s++) {
      const r = processFix(state, { tagId: 'T-wanderer', ts: T0 + s * 1000, floorId: 'f1', x: 30 + s, y: 9.5, accuracy: 0.3 }, ctx, [
        broken,
        ...detectors,
      ]);
      state = r.state;
      expect(r.failures).toEqual([{ detector: 'broken', error: 'boom' }]);
      kinds.push(...r.alerts.map((a) => a.kind));
    }
    expect(kinds).toEqual(['exit_approach']);
  });
});
