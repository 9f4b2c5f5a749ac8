/**
 * Simulated residents of a site for the demo, the tests and the benchmarks (SPEC §3). Institution residents
 * live a care-home day on their floor (see routine.ts); community residents potter about at home; scripted
 * episodes (a wanderer heading for an exit, optionally falls) happen at known times and are logged in
 * `episodes`. Output is the native ingest JSON (`RawFix`).
 *
 * Deterministic: the same site, seed and sequence of `step(now)` calls give the same fixes; in fact the fixes
 * do not depend on how time is chopped into steps, only on the first `now` (the start) and the seed.
 */
import { SiteFrame } from '../../geo/frame';
import { localMinutes } from '../../geo/night-window';
import type { Resident, Ring } from '../../geo/model';
import type { LoadedSite } from '../site-loader';
import { CommunityAgent } from './community-agent';
import { exitApproachTasks, fallTasks, nearestExitPlan } from './episodes';
import { FloorNav, type Pt } from './floor-nav';
import { IndoorAgent } from './indoor-agent';
import { makeRoutine, TaskKit, type Habits } from './routine';
import { SYNTHETIC_ID_PREFIX, withSyntheticTags } from './synthetic';
import type { Episode, EpisodeKind, IndoorRawFix, OutdoorRawFix, RawFix, SimulatorOptions } from './types';

export type { Episode, EpisodeKind, IndoorRawFix, OutdoorRawFix, RawFix, SimulatorOptions } from './types';
export { syntheticTags, withSyntheticTags, SYNTHETIC_ID_PREFIX } from './synthetic';

const DEFAULTS = {
  seed: 1 as number | string,
  rateHz: 1,
  outdoorIntervalMs: 10_000,
  firstWanderAfterMs: 15_000,
  wanderEveryMs: 180_000,
  wanderPaceMs: 20_000,
  wanderLingerMs: 20_000,
  fallEveryMs: 0,
  firstFallAfterMs: 90_000,
  extraTags: 0,
  uwb: false,
  familyWanderer: null as string | null,
};

export class Simulator {
  /** Scripted episodes so far, in start order; an episode's endTs is null while it plays. */
  readonly episodes: Episode[] = [];
  /** Residents the simulator cannot move (no navigable room, no home zone), with the reason. */
  readonly skipped: { residentId: string; reason: string }[] = [];
  private readonly site: LoadedSite;
  private readonly opts: typeof DEFAULTS;
  private indoor: IndoorAgent[] = [];
  private community: CommunityAgent[] = [];
  /** Wander-risk residents of the dementia ward: the cast of the exit-approach episodes. */
  private wanderers: IndoorAgent[] = [];
  private fallers: IndoorAgent[] = [];
  private readonly played = new Map<string, number>();
  private habitsFor: ((a: IndoorAgent) => Habits) | null = null;
  private t0: number | null = null;
  private lastNow = -Infinity;
  private nextWanderAt = Infinity;
  private nextFallAt = Infinity;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(site: LoadedSite, opts: SimulatorOptions = {}) {
    this.opts = { ...DEFAULTS, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) };
    if (!(this.opts.rateHz > 0)) throw new Error('rateHz must be > 0');
    if (!(this.opts.outdoorIntervalMs > 0)) throw new Error('outdoorIntervalMs must be > 0');
    const n = this.opts.extraTags;
    const hasSynthetic = n > 0 && site.residents.some((r) => r.id === `${SYNTHETIC_ID_PREFIX}${String(n).padStart(5, '0')}`);
    this.site = n > 0 && !hasSynthetic ? withSyntheticTags(site, n) : site;
  }

  /** Tag ids this simulator reports for (after the first step). */
  get tagIds(): string[] {
    return [...this.indoor.map((a) => a.resident.tagId), ...this.community.map((a) => a.resident.tagId)];
  }

  /** The fixes due since the previous step (all fixes with ts in (previous now, now]), in time order. */
  step(now: number): RawFix[] {
    if (this.t0 === null) {
      this.init(now);
      this.lastNow = now - 1;
    }
    if (now <= this.lastNow) return [];
    const out: RawFix[] = [];
    for (;;) {
      const te = Math.min(this.nextWanderAt, this.nextFallAt);
      if (te > now) break;
      this.advanceAll(te, out);
      if (te === this.nextWanderAt) {
        this.startExitApproach(te);
        this.nextWanderAt = this.opts.wanderEveryMs > 0 ? te + this.opts.wanderEveryMs : Infinity;
      } else {
        this.startFall(te);
        this.nextFallAt = te + this.opts.fallEveryMs;
      }
    }
    this.advanceAll(now, out);
    this.lastNow = now;
    return out.sort((a, b) => a.ts - b.ts);
  }

  /** Step with the real clock every `intervalMs`, handing each non-empty batch to `sink`. */
  start(sink: (fixes: RawFix[]) => void, intervalMs = 250): void {
    if (this.timer) return;
    this.step(Date.now());
    this.timer = setInterval(() => {
      const fixes = this.step(Date.now());
      if (fixes.length > 0) sink(fixes);
    }, intervalMs);
    // the simulator alone should not keep a process alive
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private advanceAll(to: number, out: RawFix[]): void {
    for (const a of this.indoor) a.advanceTo(to, out as IndoorRawFix[]);
    for (const a of this.community) a.advanceTo(to, out as OutdoorRawFix[]);
  }

  private init(t0: number): void {
    this.t0 = t0;
    const { site, zones, residents, tags } = this.site;
    const seed = String(this.opts.seed);
    const tagKind = new Map(tags.map((t) => [t.id, t.kind]));
    const zoneById = new Map(zones.map((z) => [z.id, z]));
    const navs = new Map<string, FloorNav>();
    const navFor = (floorId: string) => {
      let nav = navs.get(floorId);
      if (!nav) navs.set(floorId, (nav = new FloorNav(floorId, zones)));
      return nav;
    };
    const { routine, habitsFor } = makeRoutine(site.timeZone);
    this.habitsFor = habitsFor;
    const frame = new SiteFrame(site.georef);

    for (const r of residents) {
      const kind = tagKind.get(r.tagId) ?? (r.community ? 'outdoor' : 'indoor');
      if (r.community || kind === 'outdoor') {
        const home = r.homeZoneId ? zoneById.get(r.homeZoneId) : undefined;
        if (!home) {
          this.skipped.push({ residentId: r.id, reason: 'community resident without a home zone' });
          continue;
        }
        const { centre, inradius } = ringCentre(home.polygon[0]);
        this.community.push(new CommunityAgent(r, centre, inradius, frame, site.timeZone, seed, t0, this.opts.outdoorIntervalMs));
        continue;
      }
      const room = r.roomZoneId ? zoneById.get(r.roomZoneId) : undefined;
      const nav = room ? navFor(room.floorId) : undefined;
      const roomNav = room && nav?.rooms.get(room.id);
      if (!nav || !roomNav) {
        this.skipped.push({ residentId: r.id, reason: 'no room that opens onto a corridor' });
        continue;
      }
      const bed = (r.bedZoneId && roomNav.beds.get(r.bedZoneId)) || roomNav.hub;
      const agent = new IndoorAgent(r, nav, roomNav, bed, routine, seed, t0, this.opts.rateHz, this.opts.uwb);
      this.place(agent, t0);
      this.indoor.push(agent);
    }

    const ward = dementiaWard(residents, site.wards);
    this.wanderers = this.indoor.filter((a) => a.resident.wanderRisk && a.resident.wardId === ward);
    this.fallers = this.indoor.filter((a) => a.resident.fallRisk);
    if (this.wanderers.length > 0 && this.opts.firstWanderAfterMs >= 0) this.nextWanderAt = t0 + this.opts.firstWanderAfterMs;
    if (this.fallers.length > 0 && this.opts.fallEveryMs > 0) this.nextFallAt = t0 + this.opts.firstFallAfterMs;
  }

  /** Where a resident is when the simulation starts, by the local time of day. */
  private place(agent: IndoorAgent, t0: number): void {
    const habits = this.habitsFor!(agent);
    const m = localMinutes(t0, this.site.site.timeZone);
    const r = agent.behaviour;
    const homePlace = { kind: 'room', id: agent.home.zone.id, bath: false } as const;
    if (m >= habits.bedAt || m < habits.wakeAt) {
      agent.placeAt(agent.bed, homePlace, 'lying', t0, 'sleep');
      return;
    }
    const lounge = new TaskKit(agent).room('lounge');
    if (lounge && r.chance(0.5)) {
      const seat = agent.nav.seat(lounge, () => r.next());
      agent.placeAt(seat, { kind: 'room', id: lounge.zone.id, bath: false }, 'seated', t0 + r.range(0, 30) * 60_000, 'lounge');
    } else {
      agent.placeAt(agent.bed, homePlace, 'seated', t0 + r.range(0, 20) * 60_000, 'rest');
    }
  }

  private episode(kind: EpisodeKind, agent: IndoorAgent, t: number): Episode {
    const ep: Episode = {
      kind,
      residentId: agent.resident.id,
      tagId: agent.resident.tagId,
      floorId: agent.floorId,
      startTs: t,
      peakTs: null,
      zoneId: null,
      endTs: null,
    };
    this.episodes.push(ep);
    this.played.set(`${kind}:${agent.resident.id}`, (this.played.get(`${kind}:${agent.resident.id}`) ?? 0) + 1);
    return ep;
  }

  /**
   * Rotate through the dementia ward's wander-risk residents: each round, everyone once, the one nearest an exit
   * first (so the first exit approach comes soon after start).
   */
  private startExitApproach(t: number): void {
    // one wanderer at a time; a resident busy with another episode (a fall) sits this round out
    if (this.indoor.some((a) => a.episode === 'exit_approach')) return;
    const count = (a: IndoorAgent) => this.played.get(`exit_approach:${a.resident.id}`) ?? 0;
    const fewest = Math.min(...this.wanderers.map(count));
    const cost = (a: IndoorAgent) => {
      const c = a.place.kind === 'room' ? (a.nav.rooms.get(a.place.id) ?? a.home) : null;
      const corridor = c ? c.corridor : (a.nav.corridors.find((x) => x.zone.id === a.place.id) ?? a.home.corridor);
      const from: Pt = c ? c.corridorPoint : a.pos;
      const walkOut = c ? Math.hypot(a.pos.x - c.door.x, a.pos.y - c.door.y) : 0;
      const plan = nearestExitPlan(a.nav, corridor, a.nav.corridorParam(corridor, from));
      return plan ? walkOut + Math.abs(plan.standS - a.nav.corridorParam(corridor, from)) : Infinity;
    };
    const cast = this.wanderers
      .filter((a) => count(a) === fewest && a.episode === null)
      .map((a) => ({ a, cost: cost(a) }))
      .sort((x, y) => x.cost - y.cost || (x.a.resident.id < y.a.resident.id ? -1 : 1));
    const family = this.familyTurn() ? this.wanderers.find((a) => a.resident.id === this.opts.familyWanderer && a.episode === null) : undefined;
    const pick = family ? { a: family, cost: cost(family) } : cast[0];
    const chosen = pick?.a;
    if (!chosen || !Number.isFinite(pick.cost)) return;
    const habits = this.habitsFor!(chosen);
    const m = localMinutes(t, this.site.site.timeZone);
    const bedTime = m >= habits.bedAt || m < habits.wakeAt;
    const ep = this.episode('exit_approach', chosen, t);
    chosen.episode = 'exit_approach';
    chosen.interrupt(exitApproachTasks(chosen, ep, { bedTime, paceMs: this.opts.wanderPaceMs, lingerMs: this.opts.wanderLingerMs }), t);
  }

  /** Every other exit approach belongs to the family's relative when there is one. */
  private familyTurn(): boolean {
    if (!this.opts.familyWanderer) return false;
    return this.episodes.filter((e) => e.kind === 'exit_approach').length % 2 === 1;
  }

  private startFall(t: number): void {
    const count = (a: IndoorAgent) => this.played.get(`fall:${a.resident.id}`) ?? 0;
    const free = this.fallers.filter((a) => a.episode === null);
    if (free.length === 0) return;
    const fewest = Math.min(...free.map(count));
    const chosen = free.filter((a) => count(a) === fewest).sort((x, y) => (x.resident.id < y.resident.id ? -1 : 1))[0];
    const ep = this.episode('fall', chosen, t);
    const tasks = fallTasks(chosen, ep);
    chosen.episode = 'fall';
    chosen.interrupt(tasks, t);
  }
}

/** The ward with the most wander-risk residents (the memory-care ward in the sample). */
function dementiaWard(residents: readonly Resident[], wards: readonly { id: string }[]): string | null {
  const counts = new Map<string, number>();
  for (const r of residents) if (r.wanderRisk && !r.community && r.wardId) counts.set(r.wardId, (counts.get(r.wardId) ?? 0) + 1);
  let best: string | null = null;
  for (const w of wards) if ((counts.get(w.id) ?? 0) > (best ? (counts.get(best) ?? 0) : 0)) best = w.id;
  return best;
}

function ringCentre(ring: Ring): { centre: Pt; inradius: number } {
  const pts = ring.slice(0, -1);
  const centre = { x: pts.reduce((s, p) => s + p[0], 0) / pts.length, y: pts.reduce((s, p) => s + p[1], 0) / pts.length };
  let inradius = Infinity;
  for (let i = 0; i + 1 < ring.length; i++) {
    const [a, b] = [ring[i], ring[i + 1]];
    const len = Math.hypot(b[0] - a[0], b[1] - a[1]) || 1;
    const d = Math.abs((b[0] - a[0]) * (a[1] - centre.y) - (a[0] - centre.x) * (b[1] - a[1])) / len;
    inradius = Math.min(inradius, d);
  }
  return { centre, inradius: Number.isFinite(inradius) ? inradius : 5 };
}

