/**
 * A care-home day, by the clock of the site's time zone: in bed from the evening until morning (with the odd
 * night-time trip to the bathroom), meals in the dining room, and in between the lounge, the corridor, the nurse
 * station, a rest in the room. Every resident is in bed well before the night window opens, and everyone keeps
 * away from exits: routine walks use only the part of the corridor at least SAFE_CLEARANCE_M from any exit.
 */
import { localMinutes, utcOffsetMs } from '../../geo/night-window';
import { SAFE_CLEARANCE_M, type Pt, type RoomNav, type Waypoint } from './floor-nav';
import type { IndoorAgent, Posture, Routine, Task } from './indoor-agent';

const MIN = 60_000;
const DAY_MIN = 24 * 60;

/** Meal windows, minutes after local midnight. */
const MEALS: [number, number][] = [
  [450, 510], // 07:30–08:30
  [690, 750], // 11:30–12:30
  [1050, 1110], // 17:30–18:30
];
const NAP: [number, number] = [750, 810];

/** Per-resident clock habits, drawn once. */
export interface Habits {
  /** Gets up at (local minutes), 06:00–07:00: never inside the night window. */
  wakeAt: number;
  /** Starts the bedtime routine at 20:30–21:30, so the resident is in bed before 22:00. */
  bedAt: number;
  /** Mean time between night-time bathroom trips, minutes. */
  nightTripMeanMin: number;
}

interface RoutineState {
  habits: Habits;
  lastMeal: string;
  napDay: number;
}

const minutesUntil = (from: number, to: number) => (((to - from) % DAY_MIN) + DAY_MIN) % DAY_MIN;

export function makeRoutine(timeZone: string): { routine: Routine; habitsFor(agent: IndoorAgent): Habits } {
  const states = new WeakMap<IndoorAgent, RoutineState>();
  const stateOf = (agent: IndoorAgent): RoutineState => {
    let s = states.get(agent);
    if (!s) {
      const r = agent.behaviour;
      s = {
        habits: { wakeAt: r.range(360, 420), bedAt: r.range(1230, 1290), nightTripMeanMin: r.range(150, 400) },
        lastMeal: '',
        napDay: -1,
      };
      states.set(agent, s);
    }
    return s;
  };

  const routine: Routine = (agent, t) => {
    const s = stateOf(agent);
    const r = agent.behaviour;
    const m = localMinutes(t, timeZone);
    const day = Math.floor((t + utcOffsetMs(t, timeZone)) / (DAY_MIN * MIN));
    const { wakeAt, bedAt } = s.habits;
    const tasks = new TaskKit(agent);

    if (m >= bedAt || m < wakeAt) {
      if (agent.inBed) {
        const untilWake = minutesUntil(m, wakeAt);
        const gap = r.exponential(s.habits.nightTripMeanMin);
        if (gap + 15 < untilWake) {
          return [
            tasks.stayInBed(gap * MIN),
            tasks.bathroom(r.range(3, 10) * MIN, 'night-bathroom'),
            tasks.bed('lying', r.range(0.5, 2) * MIN),
          ];
        }
        return [tasks.stayInBed(untilWake * MIN + r.range(0, 0.5) * MIN)];
      }
      return agent.label === 'bedtime-bathroom' || agent.label === 'night-bathroom'
        ? [tasks.bed('lying', MIN)]
        : [tasks.bathroom(r.range(3, 8) * MIN, 'bedtime-bathroom'), tasks.bed('lying', MIN)];
    }

    // the next moment the resident must be free for: a meal (10 min early) or bedtime
    const fixed = [...MEALS.map(([start]) => start - 10), bedAt];
    const untilFixed = Math.min(...fixed.map((f) => minutesUntil(m, f)).filter((d) => d > 0.01));
    const cap = (minutes: number) => Math.max(1, Math.min(minutes, untilFixed)) * MIN;

    if (agent.posture === 'lying' && minutesUntil(wakeAt, m) < 60) {
      return [tasks.bathroom(cap(r.range(5, 12)), 'morning-bathroom'), tasks.inRoom('standing', cap(r.range(3, 10)))];
    }
    for (const [i, [start, end]] of MEALS.entries()) {
      const key = `${day}:${i}`;
      if (m >= start - 10 && m < end - 15 && s.lastMeal !== key) {
        s.lastMeal = key;
        const dining = tasks.room('dining');
        // a meal takes 30–50 min from sitting down, however early one came
        if (dining) return [tasks.seatIn(dining, Math.min(r.range(30, 50), end + 10 - m) * MIN, 'meal')];
      }
    }
    if (m >= NAP[0] && m < NAP[1] && s.napDay !== day) {
      s.napDay = day;
      if (r.chance(0.5)) return [tasks.bed('lying', cap(r.range(30, 80)), 'nap')];
    }

    // Nobody sits still for an hour: seated stays are at most 45 min, and after one the resident gets up and
    // goes elsewhere (a tag that barely moves for an hour by day is what the inactivity rule watches for).
    const wasSeated = agent.posture === 'seated';
    const choice = r.next();
    const lounge = tasks.room('lounge');
    const dining = tasks.room('dining');
    const nurse = tasks.room('nurse_station');
    if (choice < 0.35 && lounge && !(wasSeated && agent.label === 'lounge')) return [tasks.seatIn(lounge, cap(r.range(15, 45)), 'lounge')];
    if (choice < 0.55 && !(wasSeated && agent.label === 'rest')) return [tasks.bed('seated', cap(r.range(15, 40)), 'rest')];
    // one stroll at a time: strolls back to back, with turns, read as restless roaming
    if (choice < 0.72 && agent.label !== 'corridor-walk') {
      const walk = tasks.corridorWalk();
      if (walk) return walk;
    }
    if (choice < 0.79 && nurse) return [tasks.standIn(nurse, cap(r.range(2, 6)), 'nurse-station')];
    if (choice < 0.89) return [tasks.bathroom(cap(r.range(3, 8)), 'bathroom')];
    if (choice < 0.95 && dining && !(wasSeated && (agent.label === 'activity' || agent.label === 'meal'))) {
      return [tasks.seatIn(dining, cap(r.range(20, 45)), 'activity')];
    }
    return [tasks.inRoom('standing', cap(r.range(2, 10)))];
  };

  return { routine, habitsFor: (agent) => stateOf(agent).habits };
}

/** Builders of the ordinary tasks of one resident. */
export class TaskKit {
  constructor(private readonly agent: IndoorAgent) {}

  private toRoom(room: RoomNav, point: Pt, bath = false): (a: IndoorAgent) => Waypoint[] {
    return (a) => a.nav.path(a.place, a.pos, { kind: 'room', roomId: room.zone.id, point, bath });
  }

  /** A shared room on the resident's floor by use, skipping rooms whose doors are near an exit for wander-risk residents. */
  room(use: string): RoomNav | undefined {
    const a = this.agent;
    return a.nav
      .roomsWithUse(use)
      .find((r) => r.corridor === a.home.corridor && (!a.resident.wanderRisk || r.exitClearance >= SAFE_CLEARANCE_M));
  }

  stayInBed(ms: number): Task {
    return { label: 'sleep', route: null, posture: 'lying', dwellMs: ms };
  }

  bed(posture: Posture, ms: number, label = posture === 'lying' ? 'bed' : 'rest'): Task {
    const a = this.agent;
    return { label, route: this.toRoom(a.home, a.bed), posture, dwellMs: ms };
  }

  bathroom(ms: number, label: string): Task {
    const a = this.agent;
    const bath = a.home.bath;
    if (!bath) return this.inRoom('standing', ms);
    return { label, route: this.toRoom(a.home, bath.centre, true), posture: 'seated', dwellMs: ms };
  }

  inRoom(posture: Posture, ms: number): Task {
    const a = this.agent;
    return { label: 'in-room', route: this.toRoom(a.home, a.home.hub), posture, dwellMs: ms };
  }

  seatIn(room: RoomNav, ms: number, label: string): Task {
    // a new seat, not the one the resident is already on (moving seats is what makes a sitting day not "still")
    const a = this.agent;
    let seat = a.nav.seat(room, () => a.behaviour.next());
    for (let i = 0; i < 8 && Math.hypot(seat.x - a.pos.x, seat.y - a.pos.y) < 2.5; i++) {
      seat = a.nav.seat(room, () => a.behaviour.next());
    }
    return { label, route: this.toRoom(room, seat), posture: 'seated', dwellMs: ms };
  }

  standIn(room: RoomNav, ms: number, label: string): Task {
    return { label, route: this.toRoom(room, room.hub), posture: 'standing', dwellMs: ms };
  }

  /** A stroll to a point on the exit-free part of the corridor and a short pause there. */
  corridorWalk(): Task[] | null {
    const a = this.agent;
    const c = a.home.corridor;
    if (!c.safe) return null;
    const s = a.behaviour.range(c.safe[0], c.safe[1]);
    const point = a.nav.corridorPoint(c, s);
    return [
      {
        label: 'corridor-walk',
        route: (x) => x.nav.path(x.place, x.pos, { kind: 'corridor', corridorId: c.zone.id, point }),
        posture: 'standing',
        dwellMs: a.behaviour.range(5, 30) * 1000,
      },
    ];
  }
}
