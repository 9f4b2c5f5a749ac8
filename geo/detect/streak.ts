import type { EpochMs } from '../model';

/** A run of fixes for which a condition holds, forgiving `tolerate` contrary fixes in a row (positioning noise). */
export interface Streak {
  since: EpochMs | null;
  misses: number;
}

export const NO_STREAK: Streak = { since: null, misses: 0 };

/** The next streak; the same object when nothing changed (a long run allocates nothing). */
export function extendStreak(s: Streak, holds: boolean, ts: EpochMs, tolerate = 1): Streak {
  if (holds) return s.since !== null && s.misses === 0 ? s : { since: s.since ?? ts, misses: 0 };
  if (s.since !== null && s.misses < tolerate) return { since: s.since, misses: s.misses + 1 };
  return NO_STREAK;
}
