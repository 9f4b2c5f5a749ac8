import type { Fix } from '../../geo/model';
import type { IngestKey } from '../auth/accounts';
import type { Registry } from '../registry';
import type { Rejection } from './intake';
import { RawFixSchema, describeIssue, parseTimestamp, shapeProblem } from './fix-schema';

export interface NormalizedBatch {
  /** accepted fixes, each tag's in time order */
  fixes: Fix[];
  rejected: Rejection[];
  unknownTags: number;
}

export interface NormalizeOptions {
  /** Device clocks run ahead by this much at most. */
  maxFutureSkewMs: number;
  /** Backlogs older than this are refused (detection would be meaningless). */
  maxAgeMs: number;
  /** Faster than this between two fixes on one floor is a positioning glitch, m/s. */
  maxIndoorSpeed: number;
  maxOutdoorSpeed: number;
  /** Jumps accepted anyway after this many in a row: the tag really is somewhere else. */
  jumpStreakLimit: number;
}

export const DEFAULT_NORMALIZE: NormalizeOptions = {
  maxFutureSkewMs: 30_000,
  maxAgeMs: 24 * 3600_000,
  maxIndoorSpeed: 8,
  maxOutdoorSpeed: 70,
  jumpStreakLimit: 3,
};

interface LastFix {
  ts: number;
  floorId: string;
  x: number;
  y: number;
  jumps: number;
}

const INDOOR_ACCURACY_M = 0.5;
const OUTDOOR_ACCURACY_M = 15;
const MAX_LOCAL_M = 100_000;

/**
 * Every ingest path ends here: validate each fix, check the key may speak for its tag, place it
 * in the site's metric frame, and keep each tag's fixes in time order (a batch is sorted per tag;
 * a fix older than the tag's last accepted one is refused with a reason, never silently).
 */
export class FixNormalizer {
  private readonly last = new Map<string, LastFix>();

  constructor(
    private readonly registry: Registry,
    private readonly opts: NormalizeOptions = DEFAULT_NORMALIZE,
  ) {}

  normalize(raw: readonly unknown[], key: IngestKey, now: number): NormalizedBatch {
    const rejected: Rejection[] = [];
    const candidates: { index: number; fix: Fix }[] = [];
    let unknownTags = 0;

    raw.forEach((item, index) => {
      const parsed = RawFixSchema.safeParse(item);
      if (!parsed.success) {
        const tagId = typeof (item as { tagId?: unknown })?.tagId === 'string' ? (item as { tagId: string }).tagId : undefined;
        rejected.push({ index, tagId, code: 'invalid', reason: describeIssue(parsed.error) });
        return;
      }
      const f = parsed.data;
      const reject = (code: Rejection['code'], reason: string) => rejected.push({ index, tagId: f.tagId, code, reason });
      const shape = shapeProblem(f);
      if (shape) return reject('invalid', shape);
      const tag = this.registry.tags.get(f.tagId);
      if (!tag) {
        unknownTags++;
        return reject('unknown_tag', `unknown tag ${f.tagId}`);
      }
      if (tag.siteId !== key.siteId || (key.tagId !== null && key.tagId !== f.tagId))
        return reject('forbidden_tag', `this key may not report for tag ${f.tagId}`);
      if (!this.registry.residentOfTag(f.tagId) && !tag.staffId) return reject('unassigned_tag', `tag ${f.tagId} is not assigned to a resident`);

      const ts = parseTimestamp(f.ts);
      if (ts === null) return reject('bad_time', 'ts: not epoch ms or ISO 8601');
      if (ts > now + this.opts.maxFutureSkewMs)
        return reject('bad_time', `ts: ${Math.round((ts - now) / 1000)} s in the future (allowed skew ${this.opts.maxFutureSkewMs / 1000} s)`);
      if (ts < now - this.opts.maxAgeMs) return reject('bad_time', `ts: older than ${this.opts.maxAgeMs / 3600_000} h`);

      let floorId: string;
      let x: number;
      let y: number;
      let accuracy = f.accuracy;
      if (f.floorId !== undefined) {
        const ref = this.registry.floor(f.floorId);
        if (!ref || ref.site.id !== tag.siteId) return reject('unknown_floor', `floorId: unknown floor ${f.floorId} for this site`);
        floorId = f.floorId;
        x = f.x!;
        y = f.y!;
        if (Math.abs(x) > MAX_LOCAL_M || Math.abs(y) > MAX_LOCAL_M)
          return reject('invalid', `x/y: more than ${MAX_LOCAL_M / 1000} km from the site origin`);
        accuracy ??= INDOOR_ACCURACY_M;
      } else {
        const outdoor = this.registry.outdoorFloorOf(tag.siteId);
        const frame = this.registry.frame(tag.siteId);
        if (!outdoor || !frame) return reject('unknown_floor', 'this site has no outdoor level for lat/lon fixes');
        const p = frame.toLocal(f.lon!, f.lat!);
        if (Math.abs(p.x) > MAX_LOCAL_M || Math.abs(p.y) > MAX_LOCAL_M)
          return reject('invalid', `lat/lon: more than ${MAX_LOCAL_M / 1000} km from the site`);
        floorId = outdoor;
        x = p.x;
        y = p.y;
        accuracy ??= OUTDOOR_ACCURACY_M;
      }
      const fix: Fix = { tagId: f.tagId, ts, floorId, x, y, accuracy };
      if (f.z !== undefined) fix.z = f.z;
      if (f.battery !== undefined) fix.battery = f.battery;
      if (f.event !== undefined) fix.event = f.event as Fix['event'];
      if (f.accel !== undefined && f.accel.samples.length > 0) fix.accel = f.accel as Fix['accel'];
      candidates.push({ index, fix });
    });

    // Gateways batch several tags and do not promise order: restore each tag's time order.
    candidates.sort((a, b) => (a.fix.tagId < b.fix.tagId ? -1 : a.fix.tagId > b.fix.tagId ? 1 : a.fix.ts - b.fix.ts));
    const fixes: Fix[] = [];
    for (const { index, fix } of candidates) {
      const verdict = this.admit(fix);
      if (verdict) rejected.push({ index, tagId: fix.tagId, ...verdict });
      else fixes.push(fix);
    }
    rejected.sort((a, b) => a.index - b.index);
    return { fixes, rejected, unknownTags };
  }

  /** Undo the order guard for fixes that could not be made durable, so their retry is accepted. */
  forget(fixes: readonly Fix[]): void {
    for (const f of fixes) this.last.delete(f.tagId);
  }

  /** The tag's order guard: null admits the fix and makes it the tag's latest. */
  private admit(fix: Fix): Pick<Rejection, 'code' | 'reason'> | null {
    const prev = this.last.get(fix.tagId);
    if (prev) {
      if (fix.ts === prev.ts) return { code: 'duplicate', reason: `duplicate of the fix at ${new Date(fix.ts).toISOString()}` };
      if (fix.ts < prev.ts)
        return { code: 'out_of_order', reason: `older than the tag's last fix (${new Date(prev.ts).toISOString()})` };
      if (prev.floorId === fix.floorId) {
        const dt = (fix.ts - prev.ts) / 1000;
        const d = Math.hypot(fix.x - prev.x, fix.y - prev.y);
        const outdoor = this.registry.floor(fix.floorId)?.floor.outdoor === true;
        const vmax = outdoor ? this.opts.maxOutdoorSpeed : this.opts.maxIndoorSpeed;
        // the fix's own accuracy is allowed for, so noisy-but-honest fixes pass
        if (d - fix.accuracy > vmax * dt && prev.jumps + 1 < this.opts.jumpStreakLimit) {
          prev.jumps++;
          return { code: 'impossible_jump', reason: `moved ${d.toFixed(1)} m in ${dt.toFixed(1)} s` };
        }
      }
    }
    this.last.set(fix.tagId, { ts: fix.ts, floorId: fix.floorId, x: fix.x, y: fix.y, jumps: 0 });
    return null;
  }
}
