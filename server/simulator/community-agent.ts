/**
 * A community resident at home wearing an outdoor GNSS tracker: pottering about the house and yard, reported
 * every `intervalMs` with the 5–15 m error of GNSS near buildings. The error drifts slowly (a receiver standing
 * still holds its solution; multipath changes over minutes, not between two fixes), so a resident sitting at home
 * does not appear to roam; the reported accuracy always covers it; and it keeps the fix within 1.3 times the
 * plot's inradius of its centre, because a home-area rule cannot widen its margin beyond a small plot's size.
 */
import type { Resident } from '../../geo/model';
import type { SiteFrame } from '../../geo/frame';
import type { Pt } from './floor-nav';
import { Rng } from './rng';
import type { OutdoorRawFix } from './types';

const ERROR_TIME_CONSTANT_MS = 3_600_000;

export class CommunityAgent {
  private readonly behaviour: Rng;
  private readonly noise: Rng;
  private pos: Pt;
  private nextMoveAt: number;
  private nextFixAt: number;
  private readonly battery0: number;
  private readonly drainPerMs: number;
  /** GNSS error (m) and reported accuracy, both drifting: a first-order (Ornstein–Uhlenbeck) process. */
  private ex = 0;
  private ey = 0;
  private accuracy: number;
  private readonly rho: number;

  constructor(
    readonly resident: Resident,
    private readonly home: Pt,
    /** Inradius of the home plot, metres: the resident stays within half of it. */
    private readonly inradiusM: number,
    private readonly frame: SiteFrame,
    seed: string,
    private readonly t0: number,
    private readonly intervalMs: number,
  ) {
    this.behaviour = new Rng(`${seed}:${resident.id}:behaviour`);
    this.noise = new Rng(`${seed}:${resident.id}:noise`);
    this.pos = this.somewhereAtHome();
    this.nextMoveAt = t0 + this.behaviour.range(5, 40) * 60_000;
    this.nextFixAt = t0 + Math.floor(this.noise.next() * intervalMs);
    this.battery0 = this.behaviour.range(50, 100);
    // GNSS trackers drain faster than UWB tags
    this.drainPerMs = this.behaviour.range(0.5, 1.0) / 3_600_000;
    this.accuracy = this.noise.range(5, 15);
    this.rho = Math.exp(-intervalMs / ERROR_TIME_CONSTANT_MS);
    const sigma = this.accuracy / 2.5;
    [this.ex, this.ey] = [this.noise.gaussian() * sigma, this.noise.gaussian() * sigma];
  }

  private somewhereAtHome(): Pt {
    return {
      x: this.home.x + this.behaviour.range(-this.inradiusM / 2, this.inradiusM / 2),
      y: this.home.y + this.behaviour.range(-this.inradiusM / 2, this.inradiusM / 2),
    };
  }

  advanceTo(to: number, out: OutdoorRawFix[]): void {
    while (this.nextFixAt <= to) {
      while (this.nextMoveAt <= this.nextFixAt) {
        this.pos = this.somewhereAtHome();
        this.nextMoveAt += this.behaviour.range(5, 40) * 60_000;
      }
      out.push(this.fix(this.nextFixAt));
      this.nextFixAt += this.intervalMs;
    }
  }

  private fix(ts: number): OutdoorRawFix {
    const accuracy = (this.accuracy = Math.max(5, Math.min(15, this.accuracy + this.noise.gaussian() * 0.5)));
    const sigma = accuracy / 2.5;
    const k = Math.sqrt(1 - this.rho * this.rho) * sigma;
    this.ex = this.rho * this.ex + k * this.noise.gaussian();
    this.ey = this.rho * this.ey + k * this.noise.gaussian();
    const r = Math.hypot(this.ex, this.ey);
    if (r > accuracy) [this.ex, this.ey] = [(this.ex * accuracy) / r, (this.ey * accuracy) / r];
    let [x, y] = [this.pos.x + this.ex, this.pos.y + this.ey];
    const fromHome = Math.hypot(x - this.home.x, y - this.home.y);
    const reach = 1.3 * this.inradiusM;
    if (fromHome > reach) [x, y] = [this.home.x + ((x - this.home.x) * reach) / fromHome, this.home.y + ((y - this.home.y) * reach) / fromHome];
    const [lon, lat] = this.frame.toLngLat(x, y);
    return {
      tagId: this.resident.tagId,
      ts: Math.round(ts),
      lat: Math.round(lat * 1e7) / 1e7,
      lon: Math.round(lon * 1e7) / 1e7,
      accuracy: Math.round(accuracy * 10) / 10,
      battery: Math.max(1, Math.round(this.battery0 - this.drainPerMs * (ts - this.t0))),
    };
  }
}
