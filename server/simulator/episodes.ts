/**
 * Scripted episodes: the situations the detectors exist for, played by one resident at a known time and logged,
 * so the demo shows them and tests can expect their alerts.
 *
 * Exit approach (Martino-Saltzman's pacing, then a purposeful walk to a door): out to the corridor, back and
 * forth over ~7 m for ~20 s (staying ≥ 5.5 m from every exit), straight to the nearest stairwell or door, standing
 * 1–2 m from it (never in it) for ~20 s, then escorted back to the lounge (or to bed at night).
 *
 * Fall: up on their feet if they were lying or sitting, then down to the floor (device fall event, ~3 g impact,
 * z at floor height) and still for 1.5–2 minutes, then helped back to bed.
 */
import type { Zone } from '../../geo/model';
import { distanceToZone, type CorridorNav, type FloorNav, type Waypoint } from './floor-nav';
import type { IndoorAgent, Task } from './indoor-agent';
import { TaskKit } from './routine';
import type { Episode } from './types';

const PACE_SPAN_M = 7;
const PACE_SPEED = 1.0;
/** The pacing stays this far from every exit, so only the final approach raises the exit alert. */
const PACE_CLEARANCE_M = 5.5;
const STAND_FROM_EXIT_M = 1.5;
const EPISODE_SPEED = 1.0;
const ESCORT_SPEED = 0.6;
const STEP = 0.1;

export interface ExitPlan {
  exit: Zone;
  corridor: CorridorNav;
  /** Where on the corridor centre line to stand: 1.5 m from the exit. */
  standS: number;
}

interface ExitAccess {
  exit: Zone;
  /** Where to stand when coming from lower / higher positions along the corridor. */
  standBelow: number;
  standAbove: number;
}

/** Per corridor, the exits that open off it and where to stand by each: fixed geometry, computed once. */
const accessCache = new WeakMap<CorridorNav, ExitAccess[]>();

function exitAccess(nav: FloorNav, corridor: CorridorNav): ExitAccess[] {
  const hit = accessCache.get(corridor);
  if (hit) return hit;
  const out: ExitAccess[] = [];
  for (const exit of nav.exits) {
    let bestS = 0;
    let bestD = Infinity;
    for (let s = 0; s <= corridor.len + 1e-9; s += STEP) {
      const d = distanceToZone(nav.corridorPoint(corridor, s), exit);
      if (d < bestD) [bestS, bestD] = [s, d];
    }
    // only exits that open off this corridor: within 2 m of its centre line
    if (bestD > 2) continue;
    const standFrom = (dir: 1 | -1) => {
      let s = bestS;
      while (
        distanceToZone(nav.corridorPoint(corridor, s), exit) < STAND_FROM_EXIT_M &&
        s + dir * STEP >= 0 &&
        s + dir * STEP <= corridor.len
      ) {
        s += dir * STEP;
      }
      return s;
    };
    out.push({ exit, standBelow: standFrom(-1), standAbove: standFrom(1) });
  }
  accessCache.set(corridor, out);
  return out;
}

/** The exit nearest along the corridor from position `fromS`; stairwells and doors before lifts. */
export function nearestExitPlan(nav: FloorNav, corridor: CorridorNav, fromS: number): ExitPlan | null {
  const plans = exitAccess(nav, corridor).map((a) => {
    // approach from the side the walker is on
    const standS = Math.abs(a.standAbove - fromS) <= Math.abs(a.standBelow - fromS) ? a.standAbove : a.standBelow;
    return { exit: a.exit, corridor, standS, cost: Math.abs(standS - fromS) };
  });
  const doors = plans.filter((p) => p.exit.exitType !== 'lift');
  const pool = doors.length > 0 ? doors : plans;
  pool.sort((a, b) => a.cost - b.cost || (a.exit.id < b.exit.id ? -1 : 1));
  const best = pool[0];
  return best ? { exit: best.exit, corridor: best.corridor, standS: best.standS } : null;
}

/**
 * Back and forth between two points of the corridor up to PACE_SPAN_M apart, with at least two full turns,
 * ending at the exit-side end; returns the turning points and the speed that makes it last about `paceMs`.
 */
function paceLegs(nav: FloorNav, c: CorridorNav, fromS: number, towardS: number, paceMs: number): { legs: number[]; speed: number } {
  const dir = towardS >= fromS ? 1 : -1;
  const clear = (s: number) => nav.exitClearance(nav.corridorPoint(c, s)) >= PACE_CLEARANCE_M;
  const within = (s: number) => s >= 0.5 && s <= c.len - 0.5;
  let near = fromS;
  while (clear(near + dir * STEP) && within(near + dir * STEP) && Math.abs(near + dir * STEP - fromS) <= PACE_SPAN_M) {
    near += dir * STEP;
  }
  let legs: number[];
  let far: number;
  if (Math.abs(near - fromS) >= PACE_SPAN_M - 2) {
    // room enough toward the exit: pace between here and there
    far = fromS;
    legs = [near, far, near];
  } else {
    far = near - dir * PACE_SPAN_M;
    while ((!within(far) || !clear(far)) && Math.abs(far - near) > STEP) far += dir * STEP;
    legs = [far, near, far, near];
  }
  const length = () => legs.reduce((d, s, i) => d + Math.abs(s - (i === 0 ? fromS : legs[i - 1])), 0);
  // longer pacing: more turns (two legs at a time, so it still ends at the exit-side end)
  while (length() + Math.abs(near - far) < (paceMs / 1000) * PACE_SPEED) legs.push(far, near);
  const speed = Math.max(0.8, Math.min(1.2, length() / (paceMs / 1000)));
  return { legs, speed };
}

function corridorWaypoints(nav: FloorNav, c: CorridorNav, ss: number[]): Waypoint[] {
  return ss.map((s) => ({ ...nav.corridorPoint(c, s), place: { kind: 'corridor', id: c.zone.id } }));
}

/** The tasks of an exit-approach episode for `agent` (pacing ~paceMs, standing by the exit ~lingerMs); `episode` is filled in as it plays. */
export function exitApproachTasks(
  agent: IndoorAgent,
  episode: Episode,
  opts: { bedTime: boolean; paceMs: number; lingerMs: number },
): Task[] {
  const { bedTime, paceMs, lingerMs } = opts;
  const nav = agent.nav;
  const kit = new TaskKit(agent);
  let plan: ExitPlan | null = null;
  const corridorOf = (a: IndoorAgent): CorridorNav =>
    (a.place.kind === 'room' ? nav.rooms.get(a.place.id)?.corridor : nav.corridors.find((c) => c.zone.id === a.place.id)) ??
    a.home.corridor;
  const rng = agent.behaviour;
  const standMs = lingerMs * rng.range(0.9, 1.1);
  const lounge = kit.room('lounge');
  const back: Task = bedTime || !lounge ? kit.bed('lying', 60_000) : kit.seatIn(lounge, rng.range(20, 40) * 60_000, 'lounge');
  return [
    {
      label: 'wander-out',
      speed: EPISODE_SPEED,
      posture: 'walking',
      dwellMs: 0,
      onStart: () => {
        agent.episode = 'exit_approach';
      },
      route: (a) => {
        if (a.place.kind === 'corridor') return [];
        const room = nav.rooms.get(a.place.id) ?? a.home;
        return nav.path(a.place, a.pos, { kind: 'corridor', corridorId: room.corridor.zone.id, point: room.corridorPoint });
      },
    },
    {
      label: 'wander-pace',
      posture: 'walking',
      dwellMs: 0,
      route: (a) => {
        const c = corridorOf(a);
        const fromS = nav.corridorParam(c, a.pos);
        plan = nearestExitPlan(nav, c, fromS);
        if (!plan) return [];
        const pace = paceLegs(nav, c, fromS, plan.standS, paceMs);
        a.setWalkSpeed(pace.speed);
        return corridorWaypoints(nav, c, pace.legs);
      },
    },
    {
      label: 'wander-exit',
      speed: EPISODE_SPEED,
      posture: 'standing',
      dwellMs: standMs,
      route: () => (plan ? corridorWaypoints(nav, plan.corridor, [plan.standS]) : []),
      onArrive: (t) => {
        episode.peakTs = Math.round(t);
        episode.zoneId = plan?.exit.id ?? null;
      },
    },
    {
      ...back,
      label: 'wander-escorted',
      speed: ESCORT_SPEED,
      onArrive: (t) => {
        episode.endTs = Math.round(t);
        agent.episode = null;
      },
    },
  ];
}

/** The tasks of a fall episode for `agent`. */
export function fallTasks(agent: IndoorAgent, episode: Episode): Task[] {
  const kit = new TaskKit(agent);
  const rng = agent.behaviour;
  const tasks: Task[] = [];
  if (agent.posture === 'lying' || agent.posture === 'seated') {
    tasks.push({
      label: 'fall-get-up',
      posture: 'standing',
      dwellMs: 3_000,
      route: agent.posture === 'lying' && agent.place.kind === 'room' && agent.place.id === agent.home.zone.id
        ? (a) => a.nav.path(a.place, a.pos, { kind: 'room', roomId: a.home.zone.id, point: a.home.hub })
        : null,
    });
  }
  tasks[0] = { ...(tasks[0] ?? { label: 'fall-standing', posture: 'standing', dwellMs: 1_000, route: null }) };
  const firstStart = tasks[0].onStart;
  tasks[0].onStart = (t) => {
    agent.episode = 'fall';
    firstStart?.(t);
  };
  tasks.push({
    label: 'fall',
    posture: 'fallen',
    route: null,
    dwellMs: rng.range(90_000, 120_000),
    onArrive: (t) => {
      agent.pendingFallAt = t;
      episode.peakTs = Math.round(t);
    },
  });
  tasks.push({
    ...kit.bed('lying', rng.range(20, 30) * 60_000),
    label: 'fall-helped-to-bed',
    speed: 0.4,
    onArrive: (t) => {
      episode.endTs = t;
      agent.episode = null;
    },
  });
  return tasks;
}
