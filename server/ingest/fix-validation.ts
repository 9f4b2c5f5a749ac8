import type { Rejection } from './intake';
import { RawFixSchema, describeIssue, parseTimestamp, shapeProblem, type RawFix } from './fix-schema';

/** A refusal before the fix exists: its code and why. */
export type Refusal = Pick<Rejection, 'code' | 'reason'>;

export interface TimeLimits {
  /** Device clocks run ahead by this much at most. */
  maxFutureSkewMs: number;
  /** Backlogs older than this are refused (detection would be meaningless). */
  maxAgeMs: number;
}

/** The wire shape of one fix: a parsed raw fix, or `invalid` with the first problem found. */
export function parseRawFix(item: unknown): { fix: RawFix } | { refusal: Refusal; tagId?: string } {
  const parsed = RawFixSchema.safeParse(item);
  if (!parsed.success) {
    const tagId = typeof (item as { tagId?: unknown })?.tagId === 'string' ? (item as { tagId: string }).tagId : undefined;
    return { refusal: { code: 'invalid', reason: describeIssue(parsed.error) }, tagId };
  }
  const shape = shapeProblem(parsed.data);
  if (shape) return { refusal: { code: 'invalid', reason: shape }, tagId: parsed.data.tagId };
  return { fix: parsed.data };
}

/** The fix's time as epoch ms, or `bad_time`: unreadable, too far in the future, or too old. */
export function checkTime(ts: RawFix['ts'], now: number, limits: TimeLimits): number | Refusal {
  const t = parseTimestamp(ts);
  if (t === null) return { code: 'bad_time', reason: 'ts: not epoch ms or ISO 8601' };
  if (t > now + limits.maxFutureSkewMs)
    return { code: 'bad_time', reason: `ts: ${Math.round((t - now) / 1000)} s in the future (allowed skew ${limits.maxFutureSkewMs / 1000} s)` };
  if (t < now - limits.maxAgeMs) return { code: 'bad_time', reason: `ts: older than ${limits.maxAgeMs / 3600_000} h` };
  return t;
}
