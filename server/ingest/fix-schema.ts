import { z } from 'zod';
import { FIX_EVENTS } from '../../geo/model';

/** Largest batch one request may carry; a gateway at 10 Hz for 500 tags fits in one second. */
export const MAX_BATCH = 5_000;
/** One fix's accelerometer window: 2 s at 200 Hz is plenty for impact detection. */
export const MAX_ACCEL_SAMPLES = 400;

// zod 4's number() already refuses NaN and ±Infinity
const finite = z.number();
const id = z.string().min(1, 'must not be empty').max(64, 'at most 64 characters');

/** A fix as devices send it (SPEC §3): indoor metres on a floor, or WGS84. */
export const RawFixSchema = z
  .object({
    tagId: id,
    ts: z.union([finite, z.string().max(40, 'ISO 8601 timestamps are at most 40 characters')]),
    floorId: id.optional(),
    x: finite.optional(),
    y: finite.optional(),
    z: finite.optional(),
    lat: finite.min(-90).max(90).optional(),
    lon: finite.min(-180).max(180).optional(),
    alt: finite.optional(),
    accuracy: finite.min(0).max(100_000).optional(),
    battery: finite.min(0).max(100).optional(),
    event: z.enum(FIX_EVENTS as unknown as [string, ...string[]]).optional(),
    accel: z
      .object({
        hz: finite.min(1).max(1000),
        samples: z.array(z.tuple([finite, finite, finite])).max(MAX_ACCEL_SAMPLES),
      })
      .optional(),
  });

export type RawFix = z.infer<typeof RawFixSchema>;

/**
 * Indoor or outdoor, never both, never half of one. Checked after the schema rather than in a
 * refinement: zod's refinements cost more than the whole object check on the ingest hot path.
 */
export function shapeProblem(f: RawFix): string | null {
  const indoor = f.floorId !== undefined || f.x !== undefined || f.y !== undefined;
  const outdoor = f.lat !== undefined || f.lon !== undefined;
  if (indoor && outdoor) return 'give either floorId/x/y or lat/lon, not both';
  if (indoor && (f.floorId === undefined || f.x === undefined || f.y === undefined)) return 'an indoor fix needs floorId, x and y';
  if (outdoor && (f.lat === undefined || f.lon === undefined)) return 'an outdoor fix needs lat and lon';
  if (!indoor && !outdoor) return 'a fix needs floorId/x/y or lat/lon';
  return null;
}

/** First problem of a failed parse, as one line: "x: must be a finite number". */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid fix';
  const path = issue.path.join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

/** Epoch ms from epoch ms, epoch seconds (devices that send seconds), or ISO 8601. */
export function parseTimestamp(ts: number | string): number | null {
  if (typeof ts === 'number') return ts < 1e11 ? ts * 1000 : ts;
  if (/^\d+(\.\d+)?$/.test(ts)) return parseTimestamp(Number(ts));
  const ms = Date.parse(ts);
  return Number.isFinite(ms) ? ms : null;
}
