import type { Fix, RuleParams } from './model';
import type { ZoneIndex } from './zone-index';

interface Pending {
  /** ts of the first fix seen on the new side */
  since: number;
  count: number;
}

/** A tag's zone membership: plain JSON, so it can be persisted or handed to another worker. */
export interface MembershipState {
  floorId: string | null;
  /** Zones the tag is confirmed inside. */
  inside: string[];
  /** Zones whose membership is about to flip, keyed by zone id. */
  pending: Record<string, Pending>;
}

export interface MembershipStep {
  state: MembershipState;
  entered: string[];
  exited: string[];
}

export function initialMembership(): MembershipState {
  return { floorId: null, inside: [], pending: {} };
}

/**
 * The margin around a boundary inside which a fix says nothing about which side the tag is on:
 * it grows with the fix's reported accuracy (devices report roughly one sigma, so the default
 * factor of 2 covers ~95% of the noise) and is capped by the zone's own half-width so that a
 * bed can still be entered.
 */
export function boundaryMargin(accuracy: number, zoneHalfWidth: number, h: RuleParams['hysteresis']): number {
  const m = Math.min(h.maxMarginM, Math.max(h.minMarginM, accuracy * h.accuracyFactor));
  return Math.min(m, 0.7 * zoneHalfWidth);
}

/**
 * (previous membership, fix) -> (new membership, entered, exited).
 * A zone changes side only after `minFixes` fixes, spanning at least `dwellMs`, fall clearly on the
 * other side of its boundary (beyond the accuracy margin) with no fix on the old side in between;
 * fixes inside the margin on the new side neither confirm nor cancel a change. A change of floor is
 * certain: the old floor's zones are left at once.
 */
export function stepMembership(
  prev: MembershipState,
  fix: Fix,
  index: ZoneIndex,
  h: RuleParams['hysteresis'],
): MembershipStep {
  const w: Work = {
    fix,
    index,
    h,
    inside: prev.inside,
    pending: prev.pending,
    nextInside: prev.inside,
    nextPending: {},
    entered: [],
    exited: [],
  };

  if (prev.floorId !== null && prev.floorId !== fix.floorId) {
    w.exited.push(...prev.inside);
    w.inside = w.nextInside = [];
    w.pending = {};
  }

  const searchRadius = Math.min(h.maxMarginM, Math.max(h.minMarginM, fix.accuracy * h.accuracyFactor));
  const near = index.near(fix.floorId, fix.x, fix.y, searchRadius);
  for (const n of near) consider(w, n.id, n.distance);
  // Zones we are in (or were about to enter) that are now beyond the search radius: clearly outside.
  const inside = w.inside;
  for (const id of inside) if (!isNear(near, id)) consider(w, id, Infinity);
  for (const id in w.pending) if (!isNear(near, id) && !inside.includes(id)) consider(w, id, Infinity);

  return {
    state: { floorId: fix.floorId, inside: w.nextInside, pending: w.nextPending },
    entered: w.entered,
    exited: w.exited,
  };
}

/** One step's working set: `nextInside` is `inside` until the first change, then a copy (state stays immutable). */
interface Work {
  fix: Fix;
  index: ZoneIndex;
  h: RuleParams['hysteresis'];
  inside: readonly string[];
  pending: Readonly<Record<string, Pending>>;
  nextInside: string[];
  nextPending: Record<string, Pending>;
  entered: string[];
  exited: string[];
}

function isNear(near: readonly { id: string }[], id: string): boolean {
  for (const n of near) if (n.id === id) return true;
  return false;
}

function consider(w: Work, id: string, distance: number): void {
  const { fix, h } = w;
  const margin = boundaryMargin(fix.accuracy, w.index.halfWidth(id), h);
  const isInside = w.nextInside.includes(id);
  const clearlyIn = distance < -margin;
  const clearlyOut = distance > margin;
  if ((isInside && clearlyIn) || (!isInside && clearlyOut)) return; // confirmed side: any pending flip is cancelled
  const p = w.pending[id];
  if (!clearlyIn && !clearlyOut) {
    // Within the margin: on the new side it neither counts nor cancels (a small zone, a bed, is
    // mostly margin); on the old side it cancels. Letting old-side fixes wait too made a tag held
    // on a boundary with Gaussian noise flip about a dozen times an hour: the rare fixes beyond
    // the margin on either side add up to minFixes long before the other side's rare fixes cancel.
    const onNewSide = isInside ? distance > 0 : distance < 0;
    if (p && onNewSide) w.nextPending[id] = p;
    return;
  }
  const next: Pending = p ? { since: p.since, count: p.count + 1 } : { since: fix.ts, count: 1 };
  if (next.count >= h.minFixes && fix.ts - next.since >= h.dwellMs) {
    if (w.nextInside === w.inside) w.nextInside = [...w.inside];
    if (isInside) {
      w.nextInside.splice(w.nextInside.indexOf(id), 1);
      w.exited.push(id);
    } else {
      w.nextInside.push(id);
      w.entered.push(id);
    }
  } else {
    w.nextPending[id] = next;
  }
}
