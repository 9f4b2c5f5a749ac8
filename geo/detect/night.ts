import type { EpochMs, NightWindow } from '../model';
import { nightStartedAt } from '../night-window';
import { ruleReader } from './params';
import type { DetectorContext } from './types';

/** Rule section `nightWindow`: a resident's (or site's) own night, "HH:MM"; empty strings: the site's window. */
export interface NightWindowRules {
  start: string;
  end: string;
}

const rulesOf = ruleReader<NightWindowRules>('nightWindow');

/** A resident's own window by its (shared, read-only) rule section: one object, not one a fix. */
const ownWindows = new WeakMap<NightWindowRules, NightWindow>();

export function nightWindowOf(ctx: DetectorContext): NightWindow {
  const r = rulesOf(ctx.rules);
  if (!r.start || !r.end) return ctx.site.nightWindow;
  let w = ownWindows.get(r);
  if (!w) ownWindows.set(r, (w = { start: r.start, end: r.end }));
  return w;
}

/** Start of the night `ts` lies in (site time zone), or null by day. */
export function nightStart(ts: EpochMs, ctx: DetectorContext): EpochMs | null {
  return nightStartedAt(ts, ctx.site.timeZone, nightWindowOf(ctx));
}
