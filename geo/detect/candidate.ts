import type { AlertCandidate, AlertKind, EpochMs, Fix, Severity, ZoneKind } from '../model';
import type { DetectorContext, DetectorResult, StepInput, TickInput } from './types';

/**
 * The alerts of a step or tick that raises none: one shared, frozen empty list (most steps raise none, and
 * a fresh array each time is garbage on every fix for every detector).
 */
export const NO_ALERTS: AlertCandidate[] = Object.freeze([]) as unknown as AlertCandidate[];

/** Which zone an alert names when the tag is in several: the most specific place a nurse walks to. */
const SPECIFICITY: readonly ZoneKind[] = [
  'bed',
  'bathroom',
  'exit',
  'forbidden',
  'room',
  'corridor',
  'ward',
  'safe',
  'campus',
  'home',
];

export function mostSpecificZone(inside: readonly string[], ctx: DetectorContext): string | null {
  let best: string | null = null;
  let rank = Number.POSITIVE_INFINITY;
  for (const id of inside) {
    const kind = ctx.zone(id)?.kind;
    const r = kind ? SPECIFICITY.indexOf(kind) : -1;
    const score = r < 0 ? SPECIFICITY.length : r;
    if (score < rank) {
      rank = score;
      best = id;
    }
  }
  return best;
}

/** An alert candidate at a fix's position (or at the last known fix, for ticks). */
export function candidateAt(
  kind: AlertKind,
  severity: Severity,
  fix: Pick<Fix, 'floorId' | 'x' | 'y'>,
  inside: readonly string[],
  ts: EpochMs,
  ctx: DetectorContext,
  extra: { detail?: string; clear?: boolean } = {},
): AlertCandidate {
  const c: AlertCandidate = {
    kind,
    severity,
    zoneId: mostSpecificZone(inside, ctx),
    floorId: fix.floorId,
    position: { x: fix.x, y: fix.y },
    fixTs: ts,
  };
  if (extra.detail !== undefined) c.detail = extra.detail;
  if (extra.clear) c.clear = true;
  return c;
}

/**
 * The result of a fix that ends a condition: the new state, with a clearing alert at the fix when the
 * condition had raised one (a condition that never alerted ends silently).
 */
export function clearedAtFix<S>(
  state: S,
  wasAlerted: boolean,
  kind: AlertKind,
  severity: Severity,
  detail: string,
  input: StepInput,
  ctx: DetectorContext,
): DetectorResult<S> {
  if (!wasAlerted) return { state, alerts: NO_ALERTS };
  const { fix } = input;
  return { state, alerts: [candidateAt(kind, severity, fix, input.inside, fix.ts, ctx, { detail, clear: true })] };
}

/** Zone kinds the tag is confirmed inside. */
export function insideKinds(inside: readonly string[], ctx: DetectorContext): Set<ZoneKind> {
  const out = new Set<ZoneKind>();
  for (const id of inside) {
    const k = ctx.zone(id)?.kind;
    if (k) out.add(k);
  }
  return out;
}

/** In the resident's own bed (or, when none is assigned, any bed zone). */
export function inBed(inside: readonly string[], ctx: DetectorContext): boolean {
  const own = ctx.resident.bedZoneId;
  if (own) return inside.includes(own);
  for (const id of inside) if (ctx.zone(id)?.kind === 'bed') return true;
  return false;
}

/** In the resident's bathroom or any bathroom-kind zone (a resident may use another one). */
export function inBathroom(inside: readonly string[], ctx: DetectorContext): boolean {
  const own = ctx.resident.bathroomZoneId;
  for (const id of inside) if (id === own || ctx.zone(id)?.kind === 'bathroom') return true;
  return false;
}

/**
 * Whether staff escort the resident (the pipeline sets `escorted` on a fix's input when a staff tag is
 * within escort distance). Ticks carry no escort flag: rules that also fire from ticks stand down on the
 * fix that says "escorted" and stay down until a fix says otherwise.
 */
export function isEscorted(input: StepInput | TickInput): boolean {
  return 'escorted' in input && input.escorted === true;
}
