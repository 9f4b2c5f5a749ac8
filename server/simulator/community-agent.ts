/**
 * A community resident at home wearing an outdoor GNSS tracker: pottering about the house and yard, reported
 * every `intervalMs` with the 5–15 m error of GNSS near buildings. The error drifts slowly (a receiver standing
 * still holds its solution; multipath changes over minutes, not between two fixes), so a resident sitting at home
 * does not appear to roam; the reported accuracy always covers it; and it keeps the fix within 1.3 times the
 * plot's inradius of its centre, because a home-area rule cannot widen its margin beyond a small plot's size.
 *
 * By day the tracker's accelerometer reports the resident's steps when they move about (GNSS alone cannot see
 * a few metres of movement); at night the tracker lies on its charger by the bed, battery rising, as these
 * devices are used.
 */
import { localMinutes } from '../../geo/night-window';
import type { AccelSamples, Resident } from '../../geo/model';
import type { SiteFrame } from '../../geo/frame';
import type { Pt } from './floor-nav';
import { Rng } from '../../geo/rng';
import type { OutdoorRawFix } from './types';

const ERROR_TIME_CONSTANT_MS = 3_600_000;

export class CommunityAgent {
  private readonly behaviour: Rng;
  private readonly noise: Rng;
  private pos: Pt;
  private nextMoveAt: number;
  private nextFixAt: number;
  private battery: number;
  private lastBatteryAt: number;
  private readonly drainPerMs: number;
  private moved = false;
  /** On the charger from / until, local minutes. */
  private readonly chargeFrom: number;
  private readonly chargeUntil: number;
  private readonly charger: Pt;
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
    private readonly timeZone: string,
    seed: string,
    t0: number,
    private readonly intervalMs: number,
  ) {
    this.behaviour = new Rng(`${seed}:${resident.id}:behaviour`);
    this.noise = new Rng(`${seed}:${resident.id}:noise`);
    this.pos = this.somewhereAtHome();
    this.nextMoveAt = t0 + this.behaviour.range(5, 40) * 60_000;
    this.nextFixAt = t0 + Math.floor(this.noise.next() * intervalMs);
    this.battery = this.behaviour.range(50, 100);
    this.lastBatteryAt = t0;
    // GNSS trackers drain faster than UWB tags, and are charged every night
    this.drainPerMs = this.behaviour.range(0.5, 1.0) / 3_600_000;
    this.chargeFrom = this.behaviour.range(1260, 1320);
    this.chargeUntil = this.behaviour.range(360, 420);
    this.charger = { x: home.x + inradiusM * 0.3, y: home.y + inradiusM * 0.2 };
    this.accuracy = 10 + this.noise.gaussian() * 3;
    this.rho = Math.exp(-intervalMs / ERROR_TIME_CONSTANT_MS);
    const sigma = Math.max(5, Math.min(15, this.accuracy)) / 2.5;
    [this.ex, this.ey] = [this.noise.gaussian() * sigma, this.noise.gaussian() * sigma];
  }

  private somewhereAtHome(): Pt {
    return {
      x: this.home.x + this.behaviour.range(-this.inradiusM / 2, this.inradiusM / 2),
      y: this.home.y + this.behaviour.range(-this.inradiusM / 2, this.inradiusM / 2),
    };
  }

  private onCharger(ts: number): boolean {
    const m = localMinutes(ts, this.timeZone);
    return m >= this.chargeFrom || m < this.chargeUntil;
  }

  advanceTo(to: number, out: OutdoorRawFix[]): void {
    while (this.nextFixAt <= to) {
      while (this.nextMoveAt <= this.nextFixAt) {
        if (!this.onCharger(this.nextMoveAt)) {
          this.pos = this.somewhereAtHome();
          this.moved = true;
        }
        this.nextMoveAt += this.behaviour.range(5, 40) * 60_000;
      }
      out.push(this.fix(this.nextFixAt));
      this.nextFixAt += this.intervalMs;
    }
  }

  /** Battery level at ts: charging ~15 %/h on the charger, draining by day. */
  private batteryAt(ts: number, charging: boolean): number {
    const dt = ts - this.lastBatteryAt;
    this.lastBatteryAt = ts;
    this.battery = charging ? Math.min(100, this.battery + (dt * 15) / 3_600_000) : Math.max(1, this.battery - dt * this.drainPerMs);
    return Math.round(this.battery);
  }

  /** A second of walking at 10 Hz: ~1 g with the sway of steps. */
  private steps(): AccelSamples {
    const g = () => this.noise.gaussian() * 0.15;
    return { hz: 10, samples: Array.from({ length: 10 }, () => [g(), g(), 1 + g()] as [number, number, number]) };
  }

  private fix(ts: number): OutdoorRawFix {
    const charging = this.onCharger(ts);
    const pos = charging ? this.charger : this.pos;
    // the reported accuracy drifts as slowly as the error it describes (satellite geometry changes over an hour)
    const k0 = Math.sqrt(1 - this.rho * this.rho);
    this.accuracy = 10 + this.rho * (this.accuracy - 10) + k0 * 3 * this.noise.gaussian();
    const accuracy = Math.max(5, Math.min(15, this.accuracy));
    const sigma = accuracy / 2.5;
    const k = k0 * sigma;
    this.ex = this.rho * this.ex + k * this.noise.gaussian();
    this.ey = this.rho * this.ey + k * this.noise.gaussian();
    const r = Math.hypot(this.ex, this.ey);
    if (r > accuracy) [this.ex, this.ey] = [(this.ex * accuracy) / r, (this.ey * accuracy) / r];
    let [x, y] = [pos.x + this.ex, pos.y + this.ey];
    const fromHome = Math.hypot(x - this.home.x, y - this.home.y);
    const reach = 1.3 * this.inradiusM;
    if (fromHome > reach) [x, y] = [this.home.x + ((x - this.home.x) * reach) / fromHome, this.home.y + ((y - this.home.y) * reach) / fromHome];
    const [lon, lat] = this.frame.toLngLat(x, y);
    const fix: OutdoorRawFix = {
      tagId: this.resident.tagId,
      ts: Math.round(ts),
      lat: Math.round(lat * 1e7) / 1e7,
      lon: Math.round(lon * 1e7) / 1e7,
      accuracy: Math.round(accuracy * 10) / 10,
      battery: this.batteryAt(ts, charging),
    };
    if (this.moved && !charging) fix.accel = this.steps();
    this.moved = false;
    return fix;
  }
}
