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
  const entered: string[] = [];
  const exited: string[] = [];
  let inside = prev.inside;
  let pending = prev.pending;

  if (prev.floorId !== null && prev.floorId !== fix.floorId) {
    exited.push(...inside);
    inside = [];
    pending = {};
  }

  const searchRadius = Math.min(h.maxMarginM, Math.max(h.minMarginM, fix.accuracy * h.accuracyFactor));
  const near = index.near(fix.floorId, fix.x, fix.y, searchRadius);
  const nextInside = new Set(inside);
  const nextPending: Record<string, Pending> = {};

  const consider = (id: string, distance: number) => {
    const margin = boundaryMargin(fix.accuracy, index.halfWidth(id), h);
    const isInside = nextInside.has(id);
    const clearlyIn = distance < -margin;
    const clearlyOut = distance > margin;
    if ((isInside && clearlyIn) || (!isInside && clearlyOut)) return; // confirmed side: any pending flip is cancelled
    const p = pending[id];
    if (!clearlyIn && !clearlyOut) {
      // Within the margin: on the new side it neither counts nor cancels (a small zone, a bed, is
      // mostly margin); on the old side it cancels. Letting old-side fixes wait too made a tag held
      // on a boundary with Gaussian noise flip about a dozen times an hour: the rare fixes beyond
      // the margin on either side add up to minFixes long before the other side's rare fixes cancel.
      const onNewSide = isInside ? distance > 0 : distance < 0;
      if (p && onNewSide) nextPending[id] = p;
      return;
    }
    const next: Pending = p ? { since: p.since, count: p.count + 1 } : { since: fix.ts, count: 1 };
    if (next.count >= h.minFixes && fix.ts - next.since >= h.dwellMs) {
      if (isInside) {
        nextInside.delete(id);
        exited.push(id);
      } else {
        nextInside.add(id);
        entered.push(id);
      }
    } else {
      nextPending[id] = next;
    }
  };

  const seen = new Set<string>();
  for (const n of near) {
    seen.add(n.id);
    consider(n.id, n.distance);
  }
  // Zones we are in (or were about to enter) that are now beyond the search radius: clearly outside.
  for (const id of inside) if (!seen.has(id)) consider(id, Infinity);
  for (const id of Object.keys(pending)) if (!seen.has(id) && !inside.includes(id)) consider(id, Infinity);

  return {
    state: { floorId: fix.floorId, inside: [...nextInside], pending: nextPending },
    entered,
    exited,
  };
}
