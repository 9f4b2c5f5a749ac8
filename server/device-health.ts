/**
 * What the manager's overview says about the tags: the last fix and battery of each, from the accepted fixes.
 * A tag counts as silent after `silentAfterMs` without a fix, and as never seen when no fix arrived since the
 * server started (a tag handed out but never charged, or never paired).
 */
import type { Fix, Tag } from '../geo/model';
import type { DeviceSummary } from './contract';
import type { AcceptedFix, FixSink } from './sinks';

export interface TagHealth {
  tagId: string;
  residentId: string | null;
  lastSeen: number | null;
  battery: number | null;
  state: 'ok' | 'low_battery' | 'silent' | 'never_seen';
}

export interface DeviceHealthOptions {
  /** Default 10 minutes: longer than any tag's reporting interval, even a GNSS tracker at rest. */
  silentAfterMs?: number;
  /** Percent; default 20. */
  lowBatteryBelow?: number;
}

export class DeviceHealth implements FixSink {
  readonly name = 'device-health';
  private readonly seen = new Map<string, { ts: number; battery: number | null }>();
  private readonly silentAfterMs: number;
  private readonly lowBatteryBelow: number;

  constructor(opts: DeviceHealthOptions = {}) {
    this.silentAfterMs = opts.silentAfterMs ?? 10 * 60_000;
    this.lowBatteryBelow = opts.lowBatteryBelow ?? 20;
  }

  onFixes(accepted: readonly AcceptedFix[]): void {
    this.note(accepted.map((a) => a.fix));
  }

  note(fixes: readonly Fix[]): void {
    for (const f of fixes) {
      const prev = this.seen.get(f.tagId);
      if (prev && prev.ts > f.ts) continue;
      this.seen.set(f.tagId, { ts: f.ts, battery: f.battery ?? prev?.battery ?? null });
    }
  }

  of(tag: Tag, now: number): TagHealth {
    const s = this.seen.get(tag.id);
    const base = { tagId: tag.id, residentId: tag.residentId, lastSeen: s?.ts ?? null, battery: s?.battery ?? null };
    if (!s) return { ...base, state: 'never_seen' };
    if (now - s.ts > this.silentAfterMs) return { ...base, state: 'silent' };
    if (s.battery !== null && s.battery < this.lowBatteryBelow) return { ...base, state: 'low_battery' };
    return { ...base, state: 'ok' };
  }

  summary(tags: readonly Tag[], now: number): DeviceSummary {
    const out: DeviceSummary = { tags: 0, ok: 0, lowBattery: 0, silent: 0, neverSeen: 0 };
    for (const t of tags) {
      out.tags++;
      const st = this.of(t, now).state;
      if (st === 'ok') out.ok++;
      else if (st === 'low_battery') out.lowBattery++;
      else if (st === 'silent') out.silent++;
      else out.neverSeen++;
    }
    return out;
  }
}
