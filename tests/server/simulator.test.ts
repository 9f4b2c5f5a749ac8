import { beforeAll, describe, expect, it } from 'vitest';
import { SiteFrame } from '../../geo/frame';
import type { Zone } from '../../geo/model';
import { loadSiteDir, SAMPLE_SITE_DIR, type LoadedSite } from '../../server/site-loader';
import { FloorNav } from '../../server/simulator/floor-nav';
import {
  Simulator,
  syntheticTags,
  withSyntheticTags,
  type IndoorRawFix,
  type OutdoorRawFix,
  type RawFix,
  type SimulatorOptions,
} from '../../server/simulator/index';

// Monday 10 March 2025, in Huainan (UTC+8)
const AFTERNOON = Date.parse('2025-03-10T14:00:00+08:00');
const NIGHT = Date.parse('2025-03-10T03:00:00+08:00');
const MIN = 60_000;
const HOUR = 60 * MIN;

// --- brute-force geometry, independent of the code under test ---------------------------------------------

function inRing(x: number, y: number, ring: [number, number][]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

const boxes = new WeakMap<Zone, [number, number, number, number]>();
function inZone(x: number, y: number, z: Zone): boolean {
  let b = boxes.get(z);
  if (!b) {
    const xs = z.polygon[0].map((p) => p[0]);
    const ys = z.polygon[0].map((p) => p[1]);
    boxes.set(z, (b = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)]));
  }
  if (x < b[0] || y < b[1] || x > b[2] || y > b[3]) return false;
  return inRing(x, y, z.polygon[0]) && !z.polygon.slice(1).some((h) => inRing(x, y, h));
}

function distanceToZone(x: number, y: number, z: Zone): number {
  if (inZone(x, y, z)) return 0;
  const ring = z.polygon[0];
  let best = Infinity;
  for (let i = 0; i + 1 < ring.length; i++) {
    const [ax, ay] = ring[i];
    const [bx, by] = ring[i + 1];
    const [dx, dy] = [bx - ax, by - ay];
    const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
    best = Math.min(best, Math.hypot(x - ax - t * dx, y - ay - t * dy));
  }
  return best;
}

const isIndoor = (f: RawFix): f is IndoorRawFix => 'floorId' in f;

function run(sim: Simulator, from: number, to: number, stepMs: number): RawFix[] {
  const out: RawFix[] = [];
  for (let now = from; now <= to; now += stepMs) out.push(...sim.step(now));
  return out;
}

describe('the simulator', () => {
  let site: LoadedSite;
  let exitsByFloor: Map<string, Zone[]>;
  let zonesByFloor: Map<string, Zone[]>;
  beforeAll(async () => {
    site = await loadSiteDir(SAMPLE_SITE_DIR);
    zonesByFloor = new Map();
    for (const z of site.zones) zonesByFloor.set(z.floorId, [...(zonesByFloor.get(z.floorId) ?? []), z]);
    exitsByFloor = new Map([...zonesByFloor].map(([f, zs]) => [f, zs.filter((z) => z.kind === 'exit')]));
  });
  const exitDistance = (f: IndoorRawFix) => Math.min(...exitsByFloor.get(f.floorId)!.map((e) => distanceToZone(f.x, f.y, e)));
  const sim = (opts: SimulatorOptions = {}, s: LoadedSite = site) => new Simulator(s, { seed: 42, ...opts });

  it('moves every resident of the sample: indoor tags on floors, community tags by lat/lon', () => {
    const s = sim();
    const fixes = run(s, AFTERNOON, AFTERNOON + 10_000, 1000);
    expect(s.skipped).toEqual([]);
    expect(new Set(fixes.map((f) => f.tagId)).size).toBe(site.residents.length);
    const community = new Set(site.residents.filter((r) => r.community).map((r) => r.tagId));
    for (const f of fixes) expect(isIndoor(f)).toBe(!community.has(f.tagId));
  });

  it('is deterministic for a seed, whatever the step size', () => {
    const a = run(sim(), AFTERNOON, AFTERNOON + 5 * MIN, 1000);
    const b = run(sim(), AFTERNOON, AFTERNOON + 5 * MIN, 1000);
    expect(b).toEqual(a);
    // the same five minutes in uneven steps: the same fixes, in the same order
    const c: RawFix[] = [];
    const s = sim();
    for (let now = AFTERNOON, k = 0; now < AFTERNOON + 5 * MIN; now += 250 + ((k++ * 7919) % 6000)) c.push(...s.step(now));
    c.push(...s.step(AFTERNOON + 5 * MIN));
    expect(c).toEqual(a);
    const other = run(sim({ seed: 43 }), AFTERNOON, AFTERNOON + 5 * MIN, 1000);
    expect(other).not.toEqual(a);
  });

  it('returns only the fixes due since the previous step, in time order', () => {
    const s = sim();
    s.step(AFTERNOON);
    const batch = s.step(AFTERNOON + 3000);
    expect(batch.length).toBeGreaterThan(0);
    for (const f of batch) expect(f.ts > AFTERNOON && f.ts <= AFTERNOON + 3000).toBe(true);
    for (let i = 1; i < batch.length; i++) expect(batch[i].ts).toBeGreaterThanOrEqual(batch[i - 1].ts);
    expect(s.step(AFTERNOON + 3000)).toEqual([]);
    expect(s.step(AFTERNOON + 1000)).toEqual([]);
  });

  it('sends fixes at the rates asked for', () => {
    const s = sim({ rateHz: 2, outdoorIntervalMs: 5000 });
    const fixes = run(s, AFTERNOON, AFTERNOON + 60_000, 500);
    const byTag = new Map<string, number[]>();
    for (const f of fixes) byTag.set(f.tagId, [...(byTag.get(f.tagId) ?? []), f.ts]);
    const community = new Set(site.residents.filter((r) => r.community).map((r) => r.tagId));
    for (const [tag, ts] of byTag) {
      const period = community.has(tag) ? 5000 : 500;
      expect(ts.length).toBeGreaterThanOrEqual(60_000 / period);
      expect(ts.length).toBeLessThanOrEqual(60_000 / period + 1);
      for (let i = 1; i < ts.length; i++) expect(Math.abs(ts[i] - ts[i - 1] - period)).toBeLessThanOrEqual(1);
    }
  });

  it('reports like a real UWB locator when asked: each tag at its own uneven 5–9 Hz, heights noisy, sometimes below the floor or metres off', () => {
    const fixes = run(sim({ uwb: true }), AFTERNOON, AFTERNOON + 60_000, 1000).filter(isIndoor);
    const byTag = new Map<string, IndoorRawFix[]>();
    for (const f of fixes) byTag.set(f.tagId, [...(byTag.get(f.tagId) ?? []), f]);
    const rates = [...byTag.values()].map((fs) => fs.length / 60);
    expect(Math.min(...rates)).toBeGreaterThanOrEqual(3);
    expect(Math.max(...rates)).toBeLessThanOrEqual(9.5);
    expect(new Set(rates.map((r) => r.toFixed(1))).size).toBeGreaterThan(5);
    const gaps = [...byTag.values()].flatMap((fs) => fs.slice(1).map((f, i) => f.ts - fs[i].ts));
    expect(Math.max(...gaps) / Math.min(...gaps)).toBeGreaterThan(2);
    const z = fixes.map((f) => f.z!);
    expect(z.some((v) => v < 0)).toBe(true);
    expect(z.some((v) => v > 2.5 || v < -0.8)).toBe(true);
  });

  it('puts every indoor fix inside some zone of its floor and none in a forbidden one, with a plausible height and accuracy', () => {
    const check = (from: number) => {
      const fixes = run(sim({ rateHz: 0.5 }), from, from + HOUR, 10_000).filter(isIndoor);
      expect(fixes.length).toBeGreaterThan(100 * 1700);
      // plain checks rather than an expect() per fix: there are hundreds of thousands
      const bad = fixes.filter((f) => !zonesByFloor.get(f.floorId)!.some((z) => z.kind !== 'ward' && inZone(f.x, f.y, z)));
      expect(bad.slice(0, 3)).toEqual([]);
      expect(fixes.filter((f) => !(f.z! > 0.1 && f.z! < 1.4 && f.accuracy >= 0.3 && f.accuracy <= 1)).slice(0, 3)).toEqual([]);
      const forbidden = fixes.filter((f) => zonesByFloor.get(f.floorId)!.some((z) => z.kind === 'forbidden' && inZone(f.x, f.y, z)));
      expect(forbidden.slice(0, 3)).toEqual([]);
    };
    check(Date.parse('2025-03-10T07:00:00+08:00')); // breakfast rush
    check(Date.parse('2025-03-10T20:45:00+08:00')); // bedtime
  });

  it('keeps community residents at home, with GNSS-sized noise that their reported accuracy covers', () => {
    const frame = new SiteFrame(site.site.georef);
    const fixes = run(sim({ rateHz: 0.01 }), AFTERNOON, AFTERNOON + 2 * HOUR, 60_000).filter((f): f is OutdoorRawFix => !isIndoor(f));
    expect(fixes.length).toBe(6 * 720);
    const home = new Map(site.residents.filter((r) => r.community).map((r) => [r.tagId, site.zones.find((z) => z.id === r.homeZoneId)!]));
    for (const f of fixes) {
      const p = frame.toLocal(f.lon, f.lat);
      expect(f.accuracy).toBeGreaterThanOrEqual(5);
      expect(f.accuracy).toBeLessThanOrEqual(15);
      expect(distanceToZone(p.x, p.y, home.get(f.tagId)!)).toBeLessThanOrEqual(f.accuracy);
    }
  });

  it('has everyone in bed through the night, getting up only for short bathroom trips', () => {
    const from = Date.parse('2025-03-10T22:00:00+08:00');
    const fixes = run(sim({ rateHz: 0.1 }), from - 2 * HOUR, from + 8 * HOUR, 60_000).filter(isIndoor);
    const bedOf = new Map(site.residents.map((r) => [r.tagId, site.zones.find((z) => z.id === r.bedZoneId)]));
    const outSince = new Map<string, number>();
    let longest = 0;
    let trips = 0;
    for (const f of fixes) {
      if (f.ts < from) continue;
      const inBed = inZone(f.x, f.y, bedOf.get(f.tagId)!);
      const since = outSince.get(f.tagId);
      if (inBed && since !== undefined) {
        longest = Math.max(longest, f.ts - since);
        outSince.delete(f.tagId);
      } else if (!inBed && since === undefined) {
        outSince.set(f.tagId, f.ts);
        trips++;
      }
    }
    expect(outSince.size).toBeLessThan(10); // a few are up by 06:00
    expect(trips).toBeGreaterThan(20);
    expect(longest).toBeLessThanOrEqual(12 * MIN);
  });

  it('keeps wander-risk residents in their safe zones and 5 m from every exit all day, except the scripted wanderer', () => {
    // only the wander-risk residents: each resident's behaviour is its own, so the others change nothing
    const cast: LoadedSite = { ...site, residents: site.residents.filter((r) => r.wanderRisk && !r.community) };
    const s = sim({ rateHz: 0.5 }, cast);
    const start = Date.parse('2025-03-10T05:00:00+08:00');
    const fixes = run(s, start, start + 24 * HOUR, 60_000).filter(isIndoor);
    expect(fixes.length).toBeGreaterThanOrEqual(cast.residents.length * 43_200);
    expect(s.episodes.length).toBeGreaterThan(400);
    const safe = new Map(cast.residents.map((r) => [r.tagId, r.safeZoneIds.map((id) => site.zones.find((z) => z.id === id)!)]));
    const episodesOf = new Map<string, [number, number][]>();
    for (const e of s.episodes) episodesOf.set(e.tagId, [...(episodesOf.get(e.tagId) ?? []), [e.startTs, e.endTs ?? Infinity]]);
    let closest = Infinity;
    const outside: IndoorRawFix[] = [];
    for (const f of fixes) {
      if (!safe.get(f.tagId)!.some((z) => z.floorId === f.floorId && inZone(f.x, f.y, z))) outside.push(f);
      const scripted = (episodesOf.get(f.tagId) ?? []).some(([a, b]) => f.ts >= a && f.ts <= b);
      if (!scripted) closest = Math.min(closest, exitDistance(f));
    }
    expect(outside.slice(0, 3)).toEqual([]);
    expect(closest).toBeGreaterThanOrEqual(5);
  });

  for (const [when, start] of [
    ['by day', AFTERNOON],
    ['at night', NIGHT],
  ] as const) {
    it(`sends the scripted wanderer ${when} pacing, then within 3 m of an exit within 60 s of the start, never into it`, () => {
      const s = sim();
      const fixes = run(s, start, start + 4 * MIN, 1000).filter(isIndoor);
      const ep = s.episodes[0];
      expect(ep).toMatchObject({ kind: 'exit_approach', startTs: start + 15_000 });
      expect(site.residents.find((r) => r.id === ep.residentId)?.wanderRisk).toBe(true);
      const own = fixes.filter((f) => f.tagId === ep.tagId && f.ts >= ep.startTs);
      const near = own.find((f) => exitDistance(f) <= 3);
      expect(near).toBeDefined();
      expect(near!.ts - start).toBeLessThanOrEqual(60_000);
      expect(ep.peakTs! - start).toBeLessThanOrEqual(60_000);
      expect(ep.zoneId).toMatch(/-(stair-[we]|entrance)$/);
      for (const f of own) expect(exitDistance(f)).toBeGreaterThan(0.4);
      // standing by the exit for ~20 s
      const lingering = own.filter((f) => exitDistance(f) <= 2.5);
      expect(lingering.length).toBeGreaterThanOrEqual(15);
      // pacing before: at least two reversals of direction along the corridor before reaching the exit
      const corridor = site.zones.find((z) => z.id === `${ep.floorId}-corridor`)!;
      const xs = own.filter((f) => f.ts < near!.ts && inZone(f.x, f.y, corridor)).map((f) => f.x);
      let reversals = 0;
      let dir = 0;
      for (let i = 3; i < xs.length; i += 3) {
        const d = Math.sign(xs[i] - xs[i - 3]);
        if (d !== 0 && Math.abs(xs[i] - xs[i - 3]) > 1) {
          if (dir !== 0 && d !== dir) reversals++;
          dir = d;
        }
      }
      expect(reversals).toBeGreaterThanOrEqual(2);
      // then escorted away again
      expect(ep.endTs).not.toBeNull();
      const after = own.filter((f) => f.ts > ep.endTs!);
      for (const f of after) expect(exitDistance(f)).toBeGreaterThanOrEqual(5);
    });
  }

  it('paces and lingers longer when asked, for the pattern and lingering rules', () => {
    const s = sim({ wanderPaceMs: 60_000, wanderLingerMs: 70_000 });
    const fixes = run(s, AFTERNOON, AFTERNOON + 5 * MIN, 1000).filter(isIndoor);
    const ep = s.episodes[0];
    expect(ep.peakTs! - ep.startTs).toBeGreaterThan(60_000);
    const lingering = fixes.filter((f) => f.tagId === ep.tagId && exitDistance(f) <= 2.5);
    expect(lingering.length).toBeGreaterThanOrEqual(60);
    expect(ep.endTs).not.toBeNull();
  });

  it('has nobody sit still outside their bed for an hour by day', () => {
    const fixes = run(sim({ rateHz: 1 / 30, firstWanderAfterMs: -1 }), Date.parse('2025-03-10T06:30:00+08:00'), Date.parse('2025-03-10T20:00:00+08:00'), 10 * MIN).filter(isIndoor);
    const bedOf = new Map(site.residents.map((r) => [r.tagId, site.zones.find((z) => z.id === r.bedZoneId)]));
    const still = new Map<string, { x: number; y: number; since: number }>();
    let longest = 0;
    for (const f of fixes) {
      const s = still.get(f.tagId);
      if (inZone(f.x, f.y, bedOf.get(f.tagId)!) || !s || Math.hypot(f.x - s.x, f.y - s.y) > 1.5) {
        still.set(f.tagId, { x: f.x, y: f.y, since: f.ts });
      } else {
        longest = Math.max(longest, f.ts - s.since);
      }
    }
    expect(longest).toBeLessThan(55 * MIN);
  });

  it('rotates the scripted wanderer through the memory-care ward every wanderEveryMs', () => {
    const s = sim({ firstWanderAfterMs: 5000 });
    run(s, AFTERNOON, AFTERNOON + 50 * MIN, 5000);
    const starts = s.episodes.map((e) => e.startTs - AFTERNOON);
    expect(starts.slice(0, 3)).toEqual([5000, 185_000, 365_000]);
    // each one is over before the next begins
    for (let i = 1; i < s.episodes.length; i++) expect(s.episodes[i - 1].endTs!).toBeLessThan(s.episodes[i].startTs);
    const ids = s.episodes.map((e) => e.residentId);
    const memoryWard = site.site.wards.find((w) => w.nameZh === '记忆照护')!.id;
    const cast = site.residents.filter((r) => r.wanderRisk && r.wardId === memoryWard).map((r) => r.id);
    expect(new Set(ids.slice(0, cast.length)).size).toBe(Math.min(ids.length, cast.length));
    for (const id of ids) expect(cast).toContain(id);
  });

  it('lets indoor tags drain slowly, and puts community trackers on their chargers at night', () => {
    const s = sim({ rateHz: 1 / 60, outdoorIntervalMs: 60_000 });
    const fixes = run(s, AFTERNOON, AFTERNOON + 12 * HOUR, 10 * MIN);
    const series = new Map<string, RawFix[]>();
    for (const f of fixes) series.set(f.tagId, [...(series.get(f.tagId) ?? []), f]);
    const at = (list: RawFix[], iso: string) => list.find((f) => f.ts >= Date.parse(iso))!.battery!;
    for (const [tag, list] of series) {
      if (site.residents.find((r) => r.tagId === tag)!.community) {
        // draining by day, charging overnight
        expect(at(list, '2025-03-10T20:00:00+08:00')).toBeLessThan(at(list, '2025-03-10T14:00:00+08:00'));
        expect(at(list, '2025-03-11T01:55:00+08:00')).toBeGreaterThan(at(list, '2025-03-10T20:00:00+08:00'));
        continue;
      }
      for (let i = 1; i < list.length; i++) expect(list[i].battery!).toBeLessThanOrEqual(list[i - 1].battery!);
      const drop = list[0].battery! - list[list.length - 1].battery!;
      expect(drop).toBeGreaterThanOrEqual(1);
      expect(drop).toBeLessThanOrEqual(6);
    }
  });

  it('plays falls of fall-risk residents when asked: fall event, impact, floor height, stillness', () => {
    const s = sim({ fallEveryMs: 10 * MIN, firstFallAfterMs: 30_000, firstWanderAfterMs: -1 });
    const fixes = run(s, AFTERNOON, AFTERNOON + 5 * MIN, 1000).filter(isIndoor);
    expect(s.episodes.map((e) => e.kind)).toEqual(['fall']);
    const ep = s.episodes[0];
    expect(site.residents.find((r) => r.id === ep.residentId)?.fallRisk).toBe(true);
    const own = fixes.filter((f) => f.tagId === ep.tagId);
    const fall = own.find((f) => f.event === 'fall')!;
    expect(fall.ts - ep.peakTs!).toBeLessThanOrEqual(1000);
    const peak = Math.max(...fall.accel!.samples.map(([x, y, z]) => Math.hypot(x, y, z)));
    expect(peak).toBeGreaterThan(2.5);
    const after = own.filter((f) => f.ts >= fall.ts && f.ts < fall.ts + 60_000);
    for (const f of after) expect(f.z).toBeLessThan(0.35);
    expect(Math.max(...after.map((f) => f.x)) - Math.min(...after.map((f) => f.x))).toBeLessThan(0.6);
    expect(new Set(own.filter((f) => f.event).map((f) => f.event))).toEqual(new Set(['fall']));
  });

  it('adds synthetic tags for load tests, which exist in the site they are given', () => {
    const big = withSyntheticTags(site, 300);
    const s = sim({ extraTags: 300, rateHz: 1 }, big);
    const fixes = run(s, AFTERNOON, AFTERNOON + 10_000, 1000);
    const tags = new Set(big.tags.map((t) => t.id));
    expect(new Set(fixes.map((f) => f.tagId)).size).toBe(site.residents.length + 300);
    for (const f of fixes) expect(tags.has(f.tagId)).toBe(true);
    const extra = syntheticTags(300, site);
    expect(extra.residents.every((r) => !r.wanderRisk && !r.fallRisk)).toBe(true);
    expect(extra.tags.filter((t) => t.kind === 'outdoor')).toHaveLength(30);
    // given only the option, the simulator adds the same synthetic tags itself
    expect(run(sim({ extraTags: 300 }), AFTERNOON, AFTERNOON + 10_000, 1000)).toEqual(fixes);
  });

  it('runs on the real clock between start and stop', async () => {
    const s = sim({ rateHz: 10 });
    const batches: RawFix[][] = [];
    s.start((fixes) => batches.push(fixes), 20);
    await new Promise((r) => setTimeout(r, 400));
    s.stop();
    const count = batches.length;
    expect(count).toBeGreaterThan(3);
    const now = Date.now();
    for (const f of batches.flat()) expect(Math.abs(f.ts - now)).toBeLessThan(5000);
    await new Promise((r) => setTimeout(r, 100));
    expect(batches.length).toBe(count);
  });

  it('keeps the doors residents use at least 6 m from every exit', () => {
    for (const f of site.site.floors.filter((x) => !x.outdoor)) {
      const nav = new FloorNav(f.id, site.zones);
      const used = [...nav.rooms.values()].filter((r) => ['bedroom', 'lounge', 'dining', 'nurse_station'].includes(r.zone.use ?? ''));
      expect(used.length).toBeGreaterThan(10);
      for (const r of used) expect(nav.exitClearance(r.door)).toBeGreaterThanOrEqual(6);
    }
  });
});
