/**
 * The port every ingest transport (HTTP batch, OsmAnd, OwnTracks, MQTT, simulator) hands raw fixes
 * to. Transports depend on this, not on the path behind it (server/pipeline/fix-path.ts implements it).
 */
import type { IngestKey } from '../auth/accounts';

export type RejectionCode =
  | 'invalid'
  | 'unknown_tag'
  | 'forbidden_tag'
  | 'unassigned_tag'
  | 'unknown_floor'
  | 'bad_time'
  | 'duplicate'
  | 'out_of_order'
  | 'impossible_jump';

/** A fix refused, with the index it had in the batch and why (never silently). */
export interface Rejection {
  index: number;
  tagId?: string;
  code: RejectionCode;
  reason: string;
}

export interface IngestReport {
  accepted: number;
  rejected: Rejection[];
  unknownTags: number;
}

export interface FixIntake {
  /**
   * Resolves once the accepted fixes are durable (when a journal is configured): only then may the
   * transport acknowledge them. Rejects when they could not be made durable.
   */
  ingest(raw: readonly unknown[], key: IngestKey, source: string, now?: number): Promise<IngestReport>;
}
