import type { Fix } from '../../geo/model';
import type { AlertService } from '../alerts/alert-service';
import type { IngestKey } from '../auth/accounts';
import type { FixNormalizer, NormalizedBatch } from '../ingest/normalize';
import type { Metrics } from '../metrics';
import type { FloorFrames } from '../realtime/floor-frames';
import type { Registry } from '../registry';
import type { GeoAlert, GeoPool } from './geo-pool';
import { EscortTracker } from './escorts';

export interface IngestReport {
  accepted: number;
  rejected: NormalizedBatch['rejected'];
  unknownTags: number;
}

/**
 * The path of a fix, in order and in one place: normalise (validate, authorise, frame, order) ->
 * live-map frame -> geofence core and detectors on the tag's worker -> alert lifecycle.
 * Every ingest transport (HTTP batch, OsmAnd, OwnTracks, MQTT, simulator) calls `ingest`.
 */
export class Pipeline {
  /** Observers of accepted fixes (history store, metrics). */
  private readonly fixListeners: ((fixes: Fix[]) => void)[] = [];
  /**
   * Runs before ingest answers: a fix is acknowledged (202) only once this resolves, so a
   * write-ahead log plugged in here makes every acknowledged fix survive a kill -9.
   */
  private durable: ((fixes: Fix[]) => Promise<void>) | null = null;
  private readonly escorts = new EscortTracker();

  constructor(
    private readonly registry: Registry,
    private readonly normalizer: FixNormalizer,
    private readonly geo: GeoPool,
    private readonly frames: FloorFrames,
    private readonly alerts: AlertService,
    private readonly metrics: Metrics,
  ) {}

  onFixes(listener: (fixes: Fix[]) => void): void {
    this.fixListeners.push(listener);
  }

  makeDurableWith(write: (fixes: Fix[]) => Promise<void>): void {
    this.durable = write;
  }

  /**
   * Normalise, feed the live map and the geo core at once, then make the batch durable (if
   * configured) before answering. Detection does not wait for the disk: an fsync that takes 200 ms
   * must not delay a wandering alert by 200 ms. If the durable write fails the caller gets an error
   * (no 202) and the tags' order guards are reset, so the device's retry is accepted, not refused
   * as a duplicate.
   */
  async ingest(raw: readonly unknown[], key: IngestKey, source: string, now = Date.now()): Promise<IngestReport> {
    const batch = this.normalizer.normalize(raw, key, now);
    const written = this.durable && batch.fixes.length > 0 ? this.durable(batch.fixes) : null;
    // staff first: a nurse's fix in the same batch says whether the resident beside her is escorted
    const residentFixes: Fix[] = [];
    for (const fix of batch.fixes) {
      if (this.registry.tags.get(fix.tagId)?.staffId) this.escorts.updateStaff(fix);
      else residentFixes.push(fix);
    }
    for (const fix of residentFixes) {
      const resident = this.registry.residentOfTag(fix.tagId);
      if (!resident) continue;
      this.frames.update(resident.id, fix);
      this.geo.submit(fix, this.escorts.isEscorted(fix));
    }
    for (const l of this.fixListeners) l(batch.fixes);
    if (written) {
      try {
        await written;
      } catch (err) {
        this.normalizer.forget(batch.fixes);
        throw err;
      }
    }
    this.metrics.fixesAccepted.inc(batch.fixes.length, { source });
    for (const r of batch.rejected) this.metrics.fixesRejected.inc(1, { source, code: r.code });
    return { accepted: batch.fixes.length, rejected: batch.rejected, unknownTags: batch.unknownTags };
  }

  /** Detector results from the workers, in the order each tag produced them. */
  handleGeoAlerts(items: GeoAlert[], now = Date.now()): void {
    for (const it of items) {
      const a = this.alerts.ingest(it.residentId, it.tagId, it.candidate, now);
      if (a && !it.candidate.clear) this.metrics.detectionLagMs.observe(now - it.candidate.fixTs);
    }
  }
}
