/**
 * A community resident at home wearing an outdoor GNSS tracker: pottering about the house and yard, reported
 * every `intervalMs` with the 5–15 m error of GNSS near buildings. The reported accuracy always covers the error,
 * so an accuracy-aware home-area rule does not see the resident leave.
 */
import type { Resident } from '../../geo/model';
import type { SiteFrame } from '../../geo/frame';
import type { Pt } from './floor-nav';
import { Rng } from './rng';
import type { OutdoorRawFix } from './types';

export class CommunityAgent {
  private readonly behaviour: Rng;
  private readonly noise: Rng;
  private pos: Pt;
  private nextMoveAt: number;
  private nextFixAt: number;
  private readonly battery0: number;
  private readonly drainPerMs: number;

  constructor(
    readonly resident: Resident,
    private readonly home: Pt,
    /** How far from the home's centre the resident goes, metres (a third of the plot's short side). */
    private readonly roamM: number,
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
  }

  private somewhereAtHome(): Pt {
    return {
      x: this.home.x + this.behaviour.range(-this.roamM, this.roamM),
      y: this.home.y + this.behaviour.range(-this.roamM, this.roamM),
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
    const accuracy = this.noise.range(5, 15);
    let dx = (this.noise.gaussian() * accuracy) / 2;
    let dy = (this.noise.gaussian() * accuracy) / 2;
    const r = Math.hypot(dx, dy);
    if (r > accuracy) [dx, dy] = [(dx * accuracy) / r, (dy * accuracy) / r];
    const [lon, lat] = this.frame.toLngLat(this.pos.x + dx, this.pos.y + dy);
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
