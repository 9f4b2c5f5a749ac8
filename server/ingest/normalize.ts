import type { Fix } from '../../geo/model';
import type { IngestKey } from '../auth/accounts';
import type { Registry } from '../registry';
import { checkTime, parseRawFix, type Refusal, type TimeLimits } from './fix-validation';
import type { Rejection } from './intake';
import { authorizeTag } from './key-authorization';
import { OrderGuard, type OrderLimits } from './order-guard';
import { placeInSite } from './site-projection';

export interface NormalizedBatch {
  /** accepted fixes, each tag's in time order */
  fixes: Fix[];
  rejected: Rejection[];
  unknownTags: number;
}

export type NormalizeOptions = TimeLimits & OrderLimits;

export const DEFAULT_NORMALIZE: NormalizeOptions = {
  maxFutureSkewMs: 30_000,
  maxAgeMs: 24 * 3600_000,
  maxIndoorSpeed: 8,
  maxOutdoorSpeed: 70,
  jumpStreakLimit: 3,
};

const refused = (r: unknown): r is Refusal => typeof r === 'object' && r !== null && 'code' in r;

/**
 * Every ingest path ends here, four steps per fix, each its own unit: validate its shape
 * (fix-validation), check the key may speak for its tag (key-authorization), check its time, place
 * it in the site's metric frame (site-projection), then keep each tag's fixes in time order
 * (order-guard: a batch is sorted per tag; a fix older than the tag's last accepted one is refused
 * with a reason, never silently).
 */
export class FixNormalizer {
  private readonly order: OrderGuard;

  constructor(
    private readonly registry: Registry,
    private readonly opts: NormalizeOptions = DEFAULT_NORMALIZE,
  ) {
    this.order = new OrderGuard(opts, (floorId) => this.registry.floor(floorId)?.floor.outdoor === true);
  }

  normalize(raw: readonly unknown[], key: IngestKey, now: number): NormalizedBatch {
    const rejected: Rejection[] = [];
    const candidates: { index: number; fix: Fix }[] = [];
    let unknownTags = 0;

    raw.forEach((item, index) => {
      const parsed = parseRawFix(item);
      if ('refusal' in parsed) return rejected.push({ index, tagId: parsed.tagId, ...parsed.refusal });
      const f = parsed.fix;
      const reject = (r: Refusal) => rejected.push({ index, tagId: f.tagId, ...r });
      const auth = authorizeTag(this.registry, key, f.tagId);
      if (refused(auth)) {
        if (auth.code === 'unknown_tag') unknownTags++;
        return reject(auth);
      }
      const ts = checkTime(f.ts, now, this.opts);
      if (refused(ts)) return reject(ts);
      const place = placeInSite(this.registry, auth.tag.siteId, f);
      if (refused(place)) return reject(place);
      const fix: Fix = { tagId: f.tagId, ts, floorId: place.floorId, x: place.x, y: place.y, accuracy: place.accuracy };
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
      const verdict = this.order.admit(fix);
      if (verdict) rejected.push({ index, tagId: fix.tagId, ...verdict });
      else fixes.push(fix);
    }
    rejected.sort((a, b) => a.index - b.index);
    return { fixes, rejected, unknownTags };
  }

  /** Undo the order guard for fixes that could not be made durable, so their retry is accepted. */
  forget(fixes: readonly Fix[]): void {
    this.order.forget(fixes);
  }
}
