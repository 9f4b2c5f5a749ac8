/**
 * The spine: the path of a fix, both directions, in order. Read this file to know where a fix goes.
 *
 *   in    transport (ingest/: HTTP, OsmAnd, OwnTracks, MQTT, simulator) -> `ingest`
 *         1. enrich: validate, authorise the key, place in the site frame, order guard (ingest/normalize)
 *         2. escort: staff fixes mark the residents beside them escorted (escorts.ts)
 *         3. fix sinks, in order: latest positions, live-map frames (server/sinks.ts)
 *         4. worker batch: the tag's worker runs zone membership, charging, place and every
 *            detector (geo-pool.ts -> workers/geo-worker.ts -> geo/tag-step.ts)
 *         5. journal: the write-ahead log; the device is answered only once it holds (history/);
 *            its track rows are written once the workers have been through the batch, with the
 *            zone changes they computed (transitions are computed once, on the worker)
 *   back  worker results -> zone changes to the journal, candidates to `onWorkerResult`
 *         6. alert fold: one open alert per resident and kind, later detections fold into it
 *            (alerts/alert-service.ts); acknowledge/resolve from REST join here too
 *         7. alert sinks, in order: metrics, realtime, history, log (+ notifications, linkage)
 *
 * Detection does not wait for the disk: fixes reach the workers while the journal syncs, so an
 * fsync that takes 200 ms does not delay a wandering alert by 200 ms.
 */
import type { Fix } from '../../geo/model';
import type { AlertService } from '../alerts/alert-service';
import type { IngestKey } from '../auth/accounts';
import type { FixIntake, IngestReport } from '../ingest/intake';
import type { FixNormalizer } from '../ingest/normalize';
import type { Metrics } from '../metrics';
import type { Registry } from '../registry';
import type { AcceptedFix, FixJournal, FixSink } from '../sinks';
import { EscortTracker } from './escorts';
import { GeoPool, type GeoFailure, type TagCandidate } from './geo-pool';

export interface FixPathLog {
  error(obj: object, msg: string): void;
}

export interface FixPathDeps {
  registry: Registry;
  enrich: FixNormalizer;
  journal: FixJournal | null;
  fixSinks: FixSink;
  alerts: AlertService;
  metrics: Metrics;
  log: FixPathLog;
  /** Geo worker threads; 0 runs the core on the main thread (tests, tiny sites). */
  geoWorkers: number;
}

export class FixPath implements FixIntake {
  readonly geo: GeoPool;
  private readonly escorts = new EscortTracker();

  private constructor(private readonly d: FixPathDeps) {
    this.geo = new GeoPool(
      d.registry.worldData(),
      [...d.registry.tags.values()].map((t) => ({ tagId: t.id, residentId: t.residentId })),
      {
        workers: d.geoWorkers,
        onAlerts: (candidates) => this.onWorkerResult(candidates),
        onZoneChanges: d.journal?.onZoneChanges ? (changes) => d.journal!.onZoneChanges!(changes) : undefined,
        onFailure: (f) => this.onDetectorFailure(f),
      },
    );
  }

  /** Builds the path and waits until every geo worker has loaded the world. */
  static async start(deps: FixPathDeps): Promise<FixPath> {
    const path = new FixPath(deps);
    await path.geo.ready();
    return path;
  }

  /**
   * In: steps 1 to 5. If the journal fails the caller gets an error (no 202) and the tags' order
   * guards are reset, so the device's retry is accepted, not refused as a duplicate.
   */
  async ingest(raw: readonly unknown[], key: IngestKey, source: string, now = Date.now()): Promise<IngestReport> {
    const { registry, enrich, journal, fixSinks, metrics } = this.d;
    const batch = enrich.normalize(raw, key, now);
    // staff first: a nurse's fix in the same batch says whether the resident beside her is escorted
    const residentFixes: Fix[] = [];
    for (const fix of batch.fixes) {
      if (registry.tags.get(fix.tagId)?.staffId) this.escorts.updateStaff(fix);
      else residentFixes.push(fix);
    }
    const accepted: AcceptedFix[] = [];
    for (const fix of residentFixes) {
      const resident = registry.residentOfTag(fix.tagId);
      if (resident) accepted.push({ fix, resident, escorted: this.escorts.isEscorted(fix) });
    }
    fixSinks.onFixes(accepted);
    for (const a of accepted) this.geo.submit(a.fix, a.escorted);
    // the journal's sync and the workers run side by side; the 202 waits for the journal only
    const written = journal && batch.fixes.length > 0 ? journal.durable(batch.fixes, this.geo.processed()) : null;
    if (written) {
      try {
        await written;
      } catch (err) {
        enrich.forget(batch.fixes);
        throw err;
      }
    }
    metrics.fixesAccepted.inc(batch.fixes.length, { source });
    for (const r of batch.rejected) metrics.fixesRejected.inc(1, { source, code: r.code });
    return { accepted: batch.fixes.length, rejected: batch.rejected, unknownTags: batch.unknownTags };
  }

  /** Back: steps 6 and 7. Candidates arrive in the order each tag's worker produced them. */
  onWorkerResult(candidates: readonly TagCandidate[], now = Date.now()): void {
    const { alerts, metrics } = this.d;
    for (const it of candidates) {
      const a = alerts.fold(it.residentId, it.tagId, it.candidate, now);
      if (a && !it.candidate.clear) metrics.detectionLagMs.observe(now - it.candidate.fixTs);
    }
  }

  private onDetectorFailure(f: GeoFailure): void {
    this.d.metrics.detectorFailures.inc(1, { detector: f.detector });
    this.d.log.error(f, 'detector failed (isolated; other detectors ran)');
  }

  async close(): Promise<void> {
    await this.geo.close();
  }
}
