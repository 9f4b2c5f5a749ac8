import { afterEach, describe, expect, it } from 'vitest';
import type { AlertCandidate, Fix, Resident } from '../../geo/model';
import { F, FIX_STRIDE, Partition } from '../../geo/partition';
import type { WorldData } from '../../geo/world';
import { GeoPool, type TagCandidate as GeoAlert } from '../../server/pipeline/geo-pool';
import type { ZoneChange } from '../../server/sinks';
import { mulberry32, type RandomSource } from '../../geo/rng';
import { SMALL_RESIDENTS, smallWorld } from '../fixtures/small-floor';

const T0 = Date.UTC(2026, 0, 5, 1, 0, 0);
const TAGS = 30;
const SECONDS = 240;

/** Thirty residents, every third without wander risk, every fifth a community resident at home. */
function manyResidents(): { world: WorldData; residents: Resident[] } {
  const world = smallWorld();
  const [wanderer, calm, zhao] = SMALL_RESIDENTS;
  const residents = Array.from({ length: TAGS }, (_, i): Resident => {
    const base = i % 5 === 4 ? zhao : i % 3 === 2 ? calm : wanderer;
    return { ...structuredClone(base), id: `res-${i}`, tagId: `tag-${i}`, name: `Resident ${i}` };
  });
  world.residents = residents;
  return { world, residents };
}

/**
 * A seeded wander for one tag, a fix a second: ward residents roam the ground floor (towards the
 * doors, into the utility room), now and then go upstairs or out onto the campus and garden; community
 * residents stroll around their home and sometimes off down the lane.
 */
function* wander(rnd: RandomSource, tagId: string, community: boolean): Generator<Fix> {
  let floorId = community ? 'out' : 'f1';
  let x = community ? 517 : 2 + 36 * rnd(), y = community ? 516 : 1 + 18 * rnd();
  let heading = 2 * Math.PI * rnd();
  for (let s = 0; s < SECONDS; s++) {
    if (!community && rnd() < 0.01) {
      floorId = pickFloor(rnd, floorId);
      if (floorId === 'out') [x, y] = rnd() < 0.5 ? [60, 15] : [20, -20];
      else [x, y] = [20, 5];
    }
    heading += (rnd() - 0.5) * 0.8;
    x += 1.2 * Math.cos(heading);
    y += 1.2 * Math.sin(heading);
    const [x0, y0, x1, y1] = floorId === 'out' ? (community ? [440, 440, 560, 560] : [-70, -70, 140, 100]) : [-3, -1, 44, 21];
    if (x < x0 || x > x1) (heading = Math.PI - heading), (x = Math.min(x1, Math.max(x0, x)));
    if (y < y0 || y > y1) (heading = -heading), (y = Math.min(y1, Math.max(y0, y)));
    const accuracy = floorId === 'out' ? 5 : 0.3;
    const noise = floorId === 'out' ? 3 : 0.2;
    yield { tagId, ts: T0 + s * 1000, floorId, x: x + noise * (rnd() - 0.5), y: y + noise * (rnd() - 0.5), accuracy };
  }
}

function pickFloor(rnd: RandomSource, current: string): string {
  const others = ['f1', 'f2', 'out'].filter((f) => f !== current);
  return others[Math.floor(rnd() * others.length)];
}

/** Every tag's fixes, interleaved by time as they would arrive. */
function fixesFor(residents: Resident[]): Fix[] {
  const streams = residents.map((r, i) => [...wander(mulberry32(100 + i), r.tagId, r.community)]);
  const out: Fix[] = [];
  for (let s = 0; s < SECONDS; s++) for (const st of streams) out.push(st[s]);
  return out;
}

/** The reference: one Partition, driven directly, all fixes in one batch. */
function direct(world: WorldData, residents: Resident[], fixes: Fix[]): Map<string, AlertCandidate[]> {
  const floorIds = world.sites.flatMap((s) => s.floors.map((f) => f.id));
  const partition = new Partition(world, floorIds);
  residents.forEach((r, i) => partition.addTag(i, r.tagId, r.id));
  const index = new Map(residents.map((r, i) => [r.tagId, i]));
  const data = new Float64Array(fixes.length * FIX_STRIDE);
  fixes.forEach((f, k) => {
    const o = k * FIX_STRIDE;
    data[o + F.tag] = index.get(f.tagId)!;
    data[o + F.floor] = floorIds.indexOf(f.floorId);
    data[o + F.x] = f.x;
    data[o + F.y] = f.y;
    data[o + F.z] = NaN;
    data[o + F.accuracy] = f.accuracy;
    data[o + F.ts] = f.ts;
    data[o + F.battery] = NaN;
    data[o + F.event] = 0;
    data[o + F.accel] = -1;
  });
  const result = partition.processBatch(data, []);
  expect(result.failures).toEqual([]);
  const byTag = new Map<string, AlertCandidate[]>();
  for (const a of result.alerts) {
    const tagId = residents[a.tag].tagId;
    byTag.set(tagId, [...(byTag.get(tagId) ?? []), a.candidate]);
  }
  return byTag;
}

function byTag(alerts: GeoAlert[]): Map<string, AlertCandidate[]> {
  const m = new Map<string, AlertCandidate[]>();
  for (const a of alerts) m.set(a.tagId, [...(m.get(a.tagId) ?? []), a.candidate]);
  return m;
}

const sorted = (m: Map<string, AlertCandidate[]>) => new Map([...m].sort(([a], [b]) => a.localeCompare(b)));

describe.each([
  { workers: 0, label: 'inline (0 workers)' },
  { workers: 2, label: '2 worker threads' },
])('GeoPool, $label', ({ workers }) => {
  let pool: GeoPool | null = null;
  afterEach(async () => {
    await pool?.close();
    pool = null;
  });

  it('raises the same alerts, in the same order for each tag, as running a Partition directly', async () => {
    const { world, residents } = manyResidents();
    const fixes = fixesFor(residents);
    const expected = direct(structuredClone(world), residents, fixes);
    const alerts: GeoAlert[] = [];
    const failures: unknown[] = [];
    pool = new GeoPool(world, residents.map((r) => ({ tagId: r.tagId, residentId: r.id })), {
      workers,
      onAlerts: (a) => alerts.push(...a),
      onFailure: (f) => failures.push(f),
    });
    await pool.ready();
    // in slices of about two seconds of traffic, each leaving as its own batch
    for (let k = 0; k < fixes.length; k += 64) {
      for (const f of fixes.slice(k, k + 64)) pool.submit(f);
      await new Promise((r) => setImmediate(r));
    }
    await pool.drain();
    expect(failures).toEqual([]);
    expect(pool.stats.fixes).toBe(fixes.length);
    expect(pool.stats.batches).toBeGreaterThan(fixes.length / 64);
    const total = [...expected.values()].reduce((n, l) => n + l.length, 0);
    expect(total).toBeGreaterThan(40); // the wander does provoke alerts, of several kinds
    expect(new Set([...expected.values()].flat().map((c) => c.kind)).size).toBeGreaterThanOrEqual(3);
    expect(sorted(byTag(alerts))).toEqual(sorted(expected));
  });

  it('says when the fixes submitted so far are through, after handing on the zone changes the workers confirmed', async () => {
    const { world, residents } = manyResidents();
    const fixes = fixesFor(residents);
    const changes: ZoneChange[] = [];
    pool = new GeoPool(world, residents.map((r) => ({ tagId: r.tagId, residentId: r.id })), { workers, onAlerts: () => {}, onZoneChanges: (c) => changes.push(...c) });
    await pool.ready();
    await pool.processed(); // nothing submitted: at once
    for (const f of fixes) pool.submit(f);
    await pool.processed();
    expect(pool.stats.fixes).toBe(fixes.length);
    expect(changes.reduce((n, c) => n + c.entered.length + c.exited.length, 0)).toBe(pool.stats.transitions);
    expect(changes.length).toBeGreaterThan(residents.length);
    // each tag's changes in its own time order
    for (const r of residents) {
      const ts = changes.filter((c) => c.tagId === r.tagId).map((c) => c.ts);
      expect(ts).toEqual([...ts].sort((a, b) => a - b));
    }
  });

  it('processes the fixes of a tag registered after the pool started', async () => {
    const { world, residents } = manyResidents();
    const alerts: GeoAlert[] = [];
    pool = new GeoPool(world, residents.map((r) => ({ tagId: r.tagId, residentId: r.id })), { workers, onAlerts: (a) => alerts.push(...a) });
    await pool.ready();
    const newcomer: Resident = { ...structuredClone(SMALL_RESIDENTS[0]), id: 'newcomer', tagId: 'tag-new', name: 'Newcomer' };
    expect(pool.hasTag('tag-new')).toBe(false);
    pool.registerTag('tag-new', 'newcomer', newcomer);
    expect(pool.hasTag('tag-new')).toBe(true);
    for (let s = 0; s <= 8; s++) pool.submit({ tagId: 'tag-new', ts: T0 + s * 1000, floorId: 'f1', x: 30 + s, y: 9.5, accuracy: 0.3 });
    await pool.drain();
    expect(alerts.map((a) => [a.tagId, a.residentId, a.candidate.kind, a.candidate.zoneId, (a.candidate.fixTs - T0) / 1000])).toEqual([
      ['tag-new', 'newcomer', 'exit_approach', 'f1-door', 7],
    ]);
  });
});
