/**
 * Where the results of the path of a fix go (server/pipeline/fix-path.ts): accepted fixes to the
 * fix sinks, every change of an alert to the alert sinks, each list called in the order it was
 * built. A sink that throws is logged and skipped; the sinks after it still run, so a broken webhook
 * can never keep an alert off the nurses' screens. Sinks must not block: one that does I/O queues it
 * and returns (and owns its retries).
 */
import type { Alert, Fix, Resident } from '../geo/model';

/** What happened to an alert. `escalated`: nobody acknowledged it in time and it went up a level. */
export type AlertChange = 'raised' | 'updated' | 'acknowledged' | 'resolved' | 'escalated';

export interface AlertSink {
  /** Short, stable: it names the sink in logs and metrics. */
  readonly name: string;
  onAlert(alert: Alert, change: AlertChange): void;
}

/** A fix accepted for a resident (staff fixes only steer the escort rule and reach no sink). */
export interface AcceptedFix {
  fix: Fix;
  resident: Resident;
  /** A member of staff was beside the resident at this fix. */
  escorted: boolean;
}

export interface FixSink {
  readonly name: string;
  /** One ingest batch, each tag's fixes in time order. */
  onFixes(fixes: readonly AcceptedFix[]): void;
}

/** A confirmed change of zone membership at one fix of a tag, as the tag's geo worker computed it. */
export interface ZoneChange {
  tagId: string;
  ts: number;
  entered: readonly string[];
  exited: readonly string[];
}

/**
 * Makes a batch durable before ingest answers, so every acknowledged fix survives a kill -9. Not a
 * sink: it is awaited, and when it fails the device is told so (no 202) and retries.
 */
export interface FixJournal {
  /**
   * `detected` resolves once the geo workers have been through these fixes; their zone changes have
   * reached `onZoneChanges` by then, so the journal can record transitions without computing them again.
   */
  durable(fixes: Fix[], detected?: Promise<void>): Promise<void>;
  onZoneChanges?(changes: readonly ZoneChange[]): void;
}

export interface SinkFailureLog {
  error(obj: object, msg: string): void;
}

abstract class SinkList<S extends { readonly name: string }> {
  private readonly sinks: S[] = [];

  constructor(
    private readonly log: SinkFailureLog,
    private readonly onFailure?: (sink: string) => void,
  ) {}

  /** Appends a sink: it runs after every sink added before it. */
  add(sink: S | null | undefined): this {
    if (sink) this.sinks.push(sink);
    return this;
  }

  names(): string[] {
    return this.sinks.map((s) => s.name);
  }

  protected each(call: (sink: S) => void, what: object): void {
    for (const sink of this.sinks) {
      try {
        call(sink);
      } catch (err) {
        this.onFailure?.(sink.name);
        this.log.error({ err, sink: sink.name, ...what }, 'sink failed (isolated; the other sinks ran)');
      }
    }
  }
}

/** Every alert sink, in order; itself an alert sink (what `AlertService` hands each change to). */
export class AlertSinks extends SinkList<AlertSink> implements AlertSink {
  readonly name = 'alert-sinks';

  onAlert(alert: Alert, change: AlertChange): void {
    this.each((s) => s.onAlert(alert, change), { alert: alert.id, change });
  }
}

/** Every fix sink, in order; itself a fix sink. */
export class FixSinks extends SinkList<FixSink> implements FixSink {
  readonly name = 'fix-sinks';

  onFixes(fixes: readonly AcceptedFix[]): void {
    if (fixes.length) this.each((s) => s.onFixes(fixes), { fixes: fixes.length });
  }
}

/** The alert sink that writes one log line per change (the last in the list: after delivery). */
export function alertLogSink(log: { info(obj: object, msg: string): void }): AlertSink {
  return {
    name: 'log',
    onAlert: (alert, change) => log.info({ alert: alert.id, kind: alert.kind, resident: alert.residentId, change }, 'alert'),
  };
}
