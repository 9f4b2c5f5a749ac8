/**
 * The words of a replay: times on the site's clock, names, where an alert happened, the event list and the
 * response-time rows, shared by the details panel, the timeline, the map's tooltips and the printed report.
 */
import { alertKindLabel, clockTime, duration, t } from '../i18n';
import { floorName, zoneName } from '../state/selectors';
import type { ClientState } from '../state/types';
import { involvedResidents, replayEvents, type ReplayEvent } from './events';
import type { Alert, ReplayData } from './types';

/** What the words depend on: the language and catalog, and the replay (its alert's site sets the clock). */
export interface ReplayContext {
  client: ClientState;
  data: ReplayData | null;
  alerts: readonly Alert[];
}

export function siteTimeZone({ client, data }: Pick<ReplayContext, 'client' | 'data'>): string | undefined {
  const sites = client.catalog?.sites ?? [];
  const siteId = data?.alert?.siteId;
  return (sites.find((s) => s.id === siteId) ?? sites[0])?.timeZone;
}

export function replayTime(c: Pick<ReplayContext, 'client' | 'data'>, ts: number, withDate = false): string {
  return clockTime(c.client.locale, ts, { timeZone: siteTimeZone(c), withDate });
}

export function residentName(client: ClientState, id: string, fallback?: string): string {
  return client.catalog?.residentsById[id]?.name ?? fallback ?? id;
}

export function alertPlace(client: ClientState, a: Alert): string {
  const floorId = a.position?.floorId ?? a.floorId;
  return [zoneName(client, a.zoneId) ?? t(client.locale, 'unknownZone'), floorName(client, floorId)].join(' · ');
}

/** Rows of the response times: [class and test id, label, value]. */
export function responseTimeRows(c: ReplayContext): [string, string, string][] {
  const L = c.client.locale;
  const rt = c.data?.responseTimes;
  if (!rt) return [];
  const step = (at: number | null, by: string | null, after: number | null) =>
    at === null ? t(L, 'rtNotYet') : `${replayTime(c, at)} · ${t(L, 'rtByAfter', { who: by ?? '?', after: duration(L, after ?? 0) })}`;
  return [
    ['rt-raised', t(L, 'rtRaised'), replayTime(c, rt.raisedAt)],
    ['rt-acknowledged', t(L, 'rtAcknowledged'), step(rt.acknowledgedAt, rt.acknowledgedBy, rt.toAcknowledgeMs)],
    ['rt-resolved', t(L, 'rtResolved'), step(rt.resolvedAt, rt.resolvedBy, rt.toResolveMs)],
    ['rt-detection', t(L, 'rtDetection'), duration(L, rt.detectionMs)],
  ];
}

/** The events worth reading: alerts, their handling, and zone and floor changes of the residents involved. */
export function notableEvents(c: Pick<ReplayContext, 'client' | 'data'>): ReplayEvent[] {
  const data = c.data;
  if (!data) return [];
  const involved = involvedResidents(data);
  // zone changes inside big outlines (the ward, the campus) say nothing a reader needs
  const quiet = new Set(['ward', 'campus', 'safe', 'home']);
  return replayEvents(data, involved.size ? involved : undefined).filter(
    (e) => !((e.type === 'enter' || e.type === 'exit') && quiet.has(c.client.catalog?.zonesById[e.zoneId]?.kind ?? '')),
  );
}

export function eventText(c: ReplayContext, e: ReplayEvent): string {
  const L = c.client.locale;
  const name = residentName(c.client, e.residentId);
  switch (e.type) {
    case 'alert': {
      const a = c.alerts.find((x) => x.id === e.alertId);
      return t(L, 'eventAlert', { kind: a ? alertKindLabel(L, a.kind) : e.alertId, name });
    }
    case 'acknowledged':
    case 'resolved': {
      const text = t(L, e.type === 'acknowledged' ? 'eventAcknowledged' : 'eventResolved', { who: e.by });
      return e.note ? `${text}: ${e.note}` : text;
    }
    case 'enter':
    case 'exit':
      return t(L, e.type === 'enter' ? 'eventEnter' : 'eventExit', { name, zone: zoneName(c.client, e.zoneId) ?? e.zoneId });
    case 'floor':
      return t(L, 'eventFloor', { name, from: floorName(c.client, e.fromFloorId), to: floorName(c.client, e.floorId) });
  }
}
