/**
 * Track history, put together: the write-ahead log ingest waits for (wal.ts), the recorder that
 * compresses fixes into track rows (track-recorder.ts), the checkpoint that ties the two, recovery at
 * start, and the retention job. It is the journal of the path of a fix (`durable`, awaited before
 * ingest answers) and one of its alert sinks (server/pipeline/fix-path.ts); docs/history.md explains
 * the decisions and the figures.
 */
import { join } from 'node:path';
import type { Alert, AlertKind, Fix } from '../../geo/model';
import { World } from '../../geo/world';
import type { Metrics } from '../metrics';
import type { AlertChange, AlertSink, FixJournal, ZoneChange } from '../sinks';
import type { Registry } from '../registry';
import type { Store } from '../store';
import { RetentionJob, type RetentionPolicy } from './retention';
import { DEFAULT_RECORDER, TrackRecorder, rowKey, type RecorderOptions } from './track-recorder';
import { WriteAheadLog, type WalOptions } from './wal';

export interface HistoryOptions {
  /** The WAL lives in `<dataDir>/wal` (local disk, whichever store holds the rows). */
  dataDir: string;
  retention: RetentionPolicy;
  retentionIntervalMs: number;
  recorder?: Partial<RecorderOptions>;
  wal?: WalOptions;
  /** How often the checkpoint may move, ms. */
  checkpointMs?: number;
}

export interface HistoryLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface RecoveryReport {
  /** WAL records found past the checkpoint, replayed into the recorder. */
  replayed: number;
  /** Records at or before the checkpoint, used only to refill ring buffers and compression state. */
  warmed: number;
  /** Rows written by the replay (already-stored rows are skipped). */
  rowsWritten: number;
  alertsReapplied: number;
  ms: number;
}

/** Kinds that do not call for a full-rate track around them (a battery running low is not an incident). */
const NO_FULL_RATE = new Set<AlertKind>(['low_battery']);

export class History implements FixJournal, AlertSink {
  readonly name = 'history';
  readonly recorder: TrackRecorder;
  readonly retention: RetentionJob;
  recovery: RecoveryReport | null = null;
  /** WAL records appended whose rows are not yet in the store. */
  private readonly inflight = new Set<number>();
  private checkpointTimer: ReturnType<typeof setInterval> | null = null;
  private closed = false;
  private lastFlushErrorLog = 0;
  /** Batches waiting for the workers before their rows are made, chained so they are made in order. */
  private recording: Promise<void> = Promise.resolve();

  private constructor(
    readonly wal: WriteAheadLog,
    private readonly store: Store,
    registry: Registry,
    private readonly log: HistoryLog,
    private readonly opts: HistoryOptions,
  ) {
    this.recorder = new TrackRecorder(store, registry, new World(registry.worldData()), opts.recorder, {
      onDurable: (seqs) => {
        for (const s of seqs) this.inflight.delete(s);
      },
      onFlushError: (err) => {
        // the store is down: say so, but not five times a second
        if (Date.now() - this.lastFlushErrorLog < 30_000) return;
        this.lastFlushErrorLog = Date.now();
        log.error({ err, pendingRows: this.recorder.stats.pendingRows }, 'track rows not stored yet (kept in memory and in the WAL; retrying)');
      },
    });
    this.retention = new RetentionJob(store, () => [...registry.sites.keys()], opts.retention, (err) =>
      log.error({ err }, 'track retention run failed'),
    );
  }

  /** Opens the WAL, replays what a crash left un-checkpointed, and starts the timers. */
  static async start(deps: { store: Store; registry: Registry; log: HistoryLog }, opts: HistoryOptions): Promise<History> {
    const wal = await WriteAheadLog.open(join(opts.dataDir, 'wal'), opts.wal);
    const h = new History(wal, deps.store, deps.registry, deps.log, opts);
    h.recovery = await h.recover();
    if (h.recovery.replayed > 0 || wal.stats.discardedBytes > 0) {
      deps.log.warn({ ...h.recovery, discardedBytes: wal.stats.discardedBytes }, 'track history recovered from the write-ahead log');
    }
    h.recorder.start();
    h.checkpointTimer = setInterval(() => void h.checkpoint().catch((err) => deps.log.error({ err }, 'WAL checkpoint failed')), opts.checkpointMs ?? 1000);
    h.checkpointTimer.unref?.();
    h.retention.start(opts.retentionIntervalMs);
    return h;
  }

  /**
   * The journal: resolves once the batch is in the WAL on disk. Its rows are made once `detected`
   * resolves (the geo workers have been through the batch and their zone changes are noted), in
   * batch order; without `detected` (tools, tests) at once, stepping membership here.
   */
  readonly durable = async (fixes: Fix[], detected?: Promise<void>): Promise<void> => {
    const { seq, durable } = this.wal.append(fixes);
    this.inflight.add(seq);
    try {
      await durable;
    } catch (e) {
      // not acknowledged to the device (ingest answers 500): nothing to wait for
      this.inflight.delete(seq);
      throw e;
    }
    if (!detected) return this.recorder.record(fixes, seq);
    this.recording = this.recording
      .then(() => detected)
      .then(() => this.recorder.record(fixes, seq, true, true))
      .catch((err) => this.log.error({ err }, 'track rows of a batch not recorded (the WAL replays them at the next start)'));
  };

  /** Zone changes the geo workers confirmed: the transitions recorded in the track. */
  readonly onZoneChanges = (changes: readonly ZoneChange[]): void => this.recorder.noteZoneChanges(changes);

  /** The alert sink: a raised alert writes the ring and switches its tag to full rate. */
  onAlert(alert: Alert, change: AlertChange): void {
    if (change === 'raised' && !NO_FULL_RATE.has(alert.kind)) this.recorder.alert(alert.tagId, alert.fixTs);
  }

  /** Every WAL record up to the returned seq has its rows in the store. */
  safeSeq(): number {
    let min = Infinity;
    for (const s of this.inflight) if (s < min) min = s;
    return min === Infinity ? this.wal.lastSeq : min - 1;
  }

  /** Moves the WAL checkpoint as far as the stored rows allow (and deletes segments no longer needed). */
  checkpoint(): Promise<void> {
    return this.wal.checkpoint(this.safeSeq());
  }

  registerMetrics(metrics: Metrics): void {
    const g = (name: string, help: string, read: () => number) => metrics.gauge(name, help, read);
    const w = this.wal.stats;
    const r = this.recorder.stats;
    g('carewatch_wal_appends_total', 'Batches appended to the write-ahead log', () => w.appends);
    g('carewatch_wal_syncs_total', 'fdatasync calls of the write-ahead log (group commit: fewer than appends)', () => w.syncs);
    g('carewatch_wal_bytes_total', 'Bytes appended to the write-ahead log', () => w.bytes);
    g('carewatch_wal_segments', 'Write-ahead log segments on disk', () => w.segments);
    g('carewatch_wal_uncheckpointed_records', 'WAL records whose track rows are not yet stored', () => w.lastSeq - w.checkpoint);
    g('carewatch_history_fixes_total', 'Fixes through the track recorder', () => r.fixes);
    g('carewatch_history_rows_written_total', 'Track rows stored', () => r.rowsWritten);
    g('carewatch_history_rows_pending', 'Track rows waiting to be stored', () => r.pendingRows);
    g('carewatch_history_flush_failures_total', 'Failed track row writes (retried)', () => r.flushFailures);
    g('carewatch_history_recovered_records', 'WAL records past the checkpoint replayed at this start', () => this.recovery?.replayed ?? 0);
    g('carewatch_history_recovered_rows', 'Track rows written by the replay at this start (rows already stored are skipped)', () => this.recovery?.rowsWritten ?? 0);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.checkpointTimer) clearInterval(this.checkpointTimer);
    await this.recording;
    await this.retention.stop();
    try {
      await this.recorder.close();
      await this.checkpoint();
    } catch (err) {
      this.log.error({ err }, 'track rows not stored at shutdown (the WAL replays them at the next start)');
    }
    await this.wal.close();
  }

  /**
   * Replays the WAL: records past the checkpoint through the recorder (rows already stored before the
   * crash are skipped), earlier ones only to refill the ring buffers; alerts raised meanwhile get their
   * full-rate windows again, interleaved at their fix time. Then the checkpoint moves to the end.
   */
  private async recover(): Promise<RecoveryReport> {
    const started = performance.now();
    const o = { ...DEFAULT_RECORDER, ...this.opts.recorder };
    const span = this.wal.span();
    const checkpoint = this.wal.checkpointSeq;
    const now = Date.now();
    const from = Math.min(span.records ? span.minTs : now, now) - o.fullRateAfterMs - 60_000;
    const alerts = (await this.store.listAlerts({ since: from, limit: 1000 }))
      .filter((a) => !NO_FULL_RATE.has(a.kind))
      .sort((a, b) => a.fixTs - b.fixTs);
    const report: RecoveryReport = { replayed: 0, warmed: 0, rowsWritten: 0, alertsReapplied: 0, ms: 0 };
    let ai = 0;
    const alertsUpTo = (ts: number) => {
      for (; ai < alerts.length && alerts[ai].fixTs <= ts; ai++) {
        this.recorder.alert(alerts[ai].tagId, alerts[ai].fixTs);
        report.alertsReapplied++;
      }
    };
    if (span.records > 0) {
      const stored = new Set<string>();
      let after: string | undefined;
      do {
        const page = await this.store.queryTrack({ since: span.minTs - o.ringMs, until: span.maxTs + 1, limit: 10_000, after });
        for (const row of page.rows) stored.add(rowKey(row.residentId, row.ts));
        after = page.next;
      } while (after);
      this.recorder.skipStored(stored);
      const before = this.recorder.stats.rowsWritten;
      for await (const rec of this.wal.records()) {
        const replay = rec.seq > checkpoint;
        this.recorder.record(rec.fixes, null, replay);
        if (replay) report.replayed++;
        else report.warmed++;
        let maxTs = -Infinity;
        for (const f of rec.fixes) if (f.ts > maxTs) maxTs = f.ts;
        alertsUpTo(maxTs);
      }
      alertsUpTo(Infinity);
      await this.recorder.flush();
      this.recorder.skipStored(null);
      report.rowsWritten = this.recorder.stats.rowsWritten - before;
    } else {
      alertsUpTo(Infinity);
    }
    await this.wal.checkpoint(this.wal.lastSeq);
    report.ms = Math.round(performance.now() - started);
    return report;
  }
}
