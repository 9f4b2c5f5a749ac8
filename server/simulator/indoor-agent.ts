/**
 * One institution resident wearing an indoor tag: a queue of tasks (walk somewhere, then stay a while in some
 * posture), advanced in exact simulated time. Decisions happen at the moments tasks end, never at sampling
 * times, and draw from the resident's own random stream, so the trajectory does not depend on how often the
 * simulator is stepped; fixes are sampled from it at the tag's rate with positioning noise.
 */
import type { Resident } from '../../geo/model';
import type { FloorNav, Place, Pt, RoomNav, Waypoint } from './floor-nav';
import { Rng } from '../../geo/rng';
import { UwbTag } from './uwb';
import type { IndoorRawFix } from './types';

export type Posture = 'lying' | 'seated' | 'standing' | 'walking' | 'fallen';

export interface Task {
  label: string;
  /** Waypoints to walk, computed when the task starts (from where the resident is then); null: stay put. */
  route: ((agent: IndoorAgent) => Waypoint[]) | null;
  /** Walking speed, m/s; default the resident's own. */
  speed?: number;
  /** Posture once arrived. */
  posture: Posture;
  dwellMs: number;
  onStart?(t: number): void;
  onArrive?(t: number): void;
}

/** Chooses what a resident does next when a task ends and the queue is empty. */
export type Routine = (agent: IndoorAgent, t: number) => Task[];

/** Positioning noise (1 sigma, m) by posture: a tag on a sleeping resident barely moves. */
const NOISE_SIGMA: Record<Posture, number> = { lying: 0.05, seated: 0.12, standing: 0.18, walking: 0.2, fallen: 0.05 };
/** RTLS error stays within ±0.5 m here, so a fix never leaves the building through an outer wall. */
const MAX_NOISE_M = 0.5;

export class IndoorAgent {
  pos: Pt;
  place: Place;
  posture: Posture = 'seated';
  /** Label of the task under way (or the last one), for the routine and for debugging. */
  label = 'start';
  readonly behaviour: Rng;
  private readonly noise: Rng;
  readonly speed: number;
  readonly height: number;
  private t: number;
  private path: Waypoint[] = [];
  private pathIdx = 0;
  private walkSpeed = 1;
  private walking = false;
  private dwellUntil: number;
  private task: Task | null = null;
  private queue: Task[] = [];
  private nextFixAt: number;
  private readonly periodMs: number;
  /** A real locator's reporting (uneven rate, height noise and outliers), when asked for. */
  private readonly uwb: UwbTag | null;
  private readonly battery0: number;
  private readonly drainPerMs: number;
  private readonly t0: number;
  /** Impact time of a scripted fall not yet reported by a fix. */
  pendingFallAt: number | null = null;
  /** Set while a scripted episode drives this resident. */
  episode: string | null = null;

  constructor(
    readonly resident: Resident,
    readonly nav: FloorNav,
    readonly home: RoomNav,
    readonly bed: Pt,
    private readonly routine: Routine,
    seed: string,
    t0: number,
    rateHz: number,
    uwb = false,
  ) {
    this.behaviour = new Rng(`${seed}:${resident.id}:behaviour`);
    this.noise = new Rng(`${seed}:${resident.id}:noise`);
    this.speed = resident.fallRisk ? this.behaviour.range(0.5, 0.7) : this.behaviour.range(0.6, 1.0);
    this.height = this.behaviour.range(1.0, 1.2);
    this.battery0 = this.behaviour.range(55, 100);
    this.drainPerMs = this.behaviour.range(0.15, 0.4) / 3_600_000;
    this.periodMs = 1000 / rateHz;
    this.uwb = uwb ? new UwbTag(new Rng(`${seed}:${resident.id}:uwb`)) : null;
    this.t0 = t0;
    this.t = t0;
    this.nextFixAt = t0 + Math.floor(this.noise.next() * this.periodMs);
    this.pos = { ...bed };
    this.place = { kind: 'room', id: home.zone.id, bath: false };
    this.dwellUntil = t0;
  }

  get floorId(): string {
    return this.nav.floorId;
  }

  /** True while the resident is lying in their own bed. */
  get inBed(): boolean {
    return this.posture === 'lying' && Math.hypot(this.pos.x - this.bed.x, this.pos.y - this.bed.y) < 0.3;
  }

  /** Put the resident somewhere without walking there (at the start of a simulation). */
  placeAt(pos: Pt, place: Place, posture: Posture, dwellUntil: number, label: string): void {
    this.pos = { ...pos };
    this.place = place;
    this.posture = posture;
    this.dwellUntil = dwellUntil;
    this.label = label;
  }

  /** Change the walking speed of the task under way (a route that decides its own pace). */
  setWalkSpeed(mps: number): void {
    this.walkSpeed = mps;
  }

  /** Replace whatever the resident does with these tasks, from time t (the agent must be advanced to t). */
  interrupt(tasks: Task[], t: number): void {
    this.advance(t);
    const queue = [...tasks];
    if (this.walking && this.pathIdx < this.path.length) {
      // finish the current leg first: the point between two waypoints has no "place" of its own
      const next = this.path[this.pathIdx];
      queue.unshift({ label: 'finish-leg', route: () => [next], posture: 'standing', dwellMs: 0, speed: this.walkSpeed });
    }
    this.queue = queue;
    this.startNext(t);
  }

  /** Simulate up to `to`, appending the fixes due on the way. */
  advanceTo(to: number, out: IndoorRawFix[]): void {
    while (this.nextFixAt <= to) {
      this.advance(this.nextFixAt);
      out.push(this.fix(this.nextFixAt));
      this.nextFixAt = this.uwb ? this.uwb.nextAfter(this.nextFixAt) : this.nextFixAt + this.periodMs;
    }
    this.advance(to);
  }

  private advance(to: number): void {
    let guard = 0;
    while (this.t < to && guard++ < 100_000) {
      if (this.walking) {
        const wp = this.path[this.pathIdx];
        if (!wp) {
          this.arrive(this.t);
          continue;
        }
        const d = Math.hypot(wp.x - this.pos.x, wp.y - this.pos.y);
        const need = (d / this.walkSpeed) * 1000;
        if (this.t + need <= to) {
          this.pos = { x: wp.x, y: wp.y };
          this.place = wp.place;
          this.t += need;
          this.pathIdx++;
          if (this.pathIdx >= this.path.length) this.arrive(this.t);
        } else {
          const f = (to - this.t) / need;
          this.pos = { x: this.pos.x + (wp.x - this.pos.x) * f, y: this.pos.y + (wp.y - this.pos.y) * f };
          this.t = to;
        }
      } else if (this.dwellUntil <= to) {
        this.t = Math.max(this.t, this.dwellUntil);
        this.startNext(this.t);
      } else {
        this.t = to;
      }
    }
  }

  private startNext(t: number): void {
    if (this.queue.length === 0) this.queue = this.routine(this, t);
    const task = this.queue.shift();
    if (!task) {
      // a routine with nothing to offer: stay a minute and ask again
      this.walking = false;
      this.dwellUntil = t + 60_000;
      return;
    }
    this.task = task;
    this.label = task.label;
    task.onStart?.(t);
    this.walkSpeed = task.speed ?? this.speed;
    this.path = task.route ? task.route(this) : [];
    this.pathIdx = 0;
    if (this.path.length > 0) {
      this.walking = true;
      this.posture = 'walking';
    } else {
      this.arrive(t);
    }
  }

  private arrive(t: number): void {
    const task = this.task;
    this.walking = false;
    this.posture = task?.posture ?? 'standing';
    // never a zero-length stay with nothing to walk: that would spin
    this.dwellUntil = t + Math.max(task?.dwellMs ?? 0, task && this.path.length === 0 ? 1 : 0);
    task?.onArrive?.(t);
  }

  private z(): number {
    switch (this.posture) {
      case 'lying':
        return 0.5;
      case 'seated':
        return 0.6;
      case 'fallen':
        return 0.2;
      default:
        return this.height;
    }
  }

  private fix(ts: number): IndoorRawFix {
    const sigma = NOISE_SIGMA[this.posture];
    let dx = this.noise.gaussian() * sigma;
    let dy = this.noise.gaussian() * sigma;
    const r = Math.hypot(dx, dy);
    if (r > MAX_NOISE_M) {
      dx *= MAX_NOISE_M / r;
      dy *= MAX_NOISE_M / r;
    }
    const accuracy = Math.min(1, 0.3 + Math.abs(this.noise.gaussian()) * (this.posture === 'lying' ? 0.05 : 0.15));
    const fix: IndoorRawFix = {
      tagId: this.resident.tagId,
      ts: Math.round(ts),
      floorId: this.nav.floorId,
      x: Math.round((this.pos.x + dx) * 100) / 100,
      y: Math.round((this.pos.y + dy) * 100) / 100,
      z: Math.round((this.z() + this.noise.gaussian() * 0.03) * 100) / 100,
      accuracy: Math.round(accuracy * 100) / 100,
      battery: Math.max(1, Math.round(this.battery0 - this.drainPerMs * (ts - this.t0))),
    };
    if (this.uwb) {
      [fix.x, fix.y] = this.uwb.xy(this.pos.x, this.pos.y);
      fix.z = this.uwb.z(this.z());
    }
    if (this.pendingFallAt !== null && ts >= this.pendingFallAt) {
      fix.event = 'fall';
      fix.accel = impactWindow(ts - this.pendingFallAt, this.noise);
      this.pendingFallAt = null;
    }
    return fix;
  }
}

/** 2 s of 50 Hz accelerometer ending at the fix: upright ~1 g, a ~3 g impact `sinceImpactMs` ago, then lying still. */
function impactWindow(sinceImpactMs: number, rng: Rng): { hz: number; samples: [number, number, number][] } {
  const hz = 50;
  const n = 100;
  const impactIdx = Math.max(0, Math.min(n - 1, n - 1 - Math.round((sinceImpactMs / 1000) * hz)));
  const samples: [number, number, number][] = [];
  const j = () => rng.gaussian() * 0.03;
  for (let i = 0; i < n; i++) {
    if (i < impactIdx - 10) samples.push([j(), j(), 1 + j()]);
    else if (i < impactIdx) samples.push([j() * 3, j() * 3, 0.3 + j()]); // free fall
    else if (i <= impactIdx + 2) samples.push([1.8 + j(), 0.9 + j(), 2.2 + j()]); // ~3 g impact
    else samples.push([1 + j(), j(), j()]); // on the floor, still
  }
  return { hz, samples };
}
