/**
 * The alarm chain (自动报警和处置), composed: every alert change is routed (duty roster), escalated on
 * time (escalation.ts), pushed to phones (web-push.ts), sent to webhooks (webhooks.ts) and, at exits,
 * to door controllers (linkage.ts); each of these leaves a line in the audit log under the alert's id.
 * It is one alert sink: it only queues (outbox writes), never waits for a receiver.
 */
import type { Logger } from 'pino';
import type { Alert } from '../../geo/model';
import type { Accounts } from '../auth/accounts';
import { FAMILY_KINDS } from '../auth/scope';
import type { Registry } from '../registry';
import type { AuditInput, Store } from '../store';
import type { AlarmConfig } from './alarm-config';
import { Escalation, EscalationRules, type Escalatable } from './escalation';
import { doorEvents } from './linkage';
import { OutboxDispatcher } from './outbox-dispatcher';
import { audienceOf, routeAlert, Rosters, type StaffMember } from './routing';
import { loadVapidKeys, PushSubscriptions, WebPushSender, type PushMessage, type VapidKeys } from './web-push';
import { WebhookDelivery } from './webhook-delivery';
import { Webhooks, type WebhookEvent } from './webhooks';

export type AlarmChange = 'raised' | 'updated' | 'acknowledged' | 'resolved' | 'escalated';

/** A family member's choices: which channels, which kinds (default: all of the family kinds). */
export interface NotifyPrefs {
  push: boolean;
  /** SMS / WeChat / app gateways through the webhooks (`data.recipients.families`). */
  gateway: boolean;
  kinds: Alert['kind'][];
}

export const DEFAULT_PREFS: NotifyPrefs = { push: true, gateway: true, kinds: [...FAMILY_KINDS] };

export interface AlarmDeps {
  store: Store;
  registry: Registry;
  accounts: Accounts;
  alerts: Escalatable & { list(filter?: { state?: Alert['state'] }): Alert[] };
  log: Logger;
  demo: boolean;
  /** Latency figures (bench): a webhook delivered / a push sent, with the alert's detection time. */
  onDelivered?: (channel: 'webhook' | 'push', detectedAt: number, at: number) => void;
}

const WEBHOOK_TYPE: Record<AlarmChange, WebhookEvent> = {
  raised: 'alert.raised',
  updated: 'alert.updated',
  acknowledged: 'alert.acknowledged',
  resolved: 'alert.resolved',
  escalated: 'alert.escalated',
};

export class Alarm {
  readonly name = 'alarm';
  private readonly prefs = new Map<string, NotifyPrefs>();

  private constructor(
    private readonly deps: AlarmDeps,
    readonly dispatcher: OutboxDispatcher,
    readonly webhooks: Webhooks,
    readonly rosters: Rosters,
    readonly rules: EscalationRules,
    readonly escalation: Escalation,
    readonly subscriptions: PushSubscriptions,
    readonly push: WebPushSender,
    readonly vapid: VapidKeys,
  ) {}

  static async start(deps: AlarmDeps, cfg: AlarmConfig): Promise<Alarm> {
    const { store, log } = deps;
    const audit = auditor(store, log);
    const dispatcher = new OutboxDispatcher(store, { pollMs: cfg.outboxPollMs, leaseMs: Math.max(cfg.webhookTimeoutMs, cfg.pushTimeoutMs) * 2 + 5000, log });
    const webhooks = new Webhooks(store, () => dispatcher.kick(), log);
    const rosters = new Rosters(store);
    const rules = new EscalationRules(store);
    const subscriptions = new PushSubscriptions(store);
    await Promise.all([webhooks.load(), rosters.load(), rules.load(), subscriptions.load()]);
    const vapid = await loadVapidKeys(store);
    const escalation = new Escalation(store, deps.alerts, rules, (at) => dispatcher.wakeAt(at), log);
    const push = new WebPushSender(
      subscriptions,
      store,
      {
        vapid,
        subject: cfg.vapidSubject,
        timeoutMs: cfg.pushTimeoutMs,
        retryBaseMs: cfg.webhookRetryBaseMs,
        maxAttempts: 8,
        onSent: (m, at) => {
          deps.onDelivered?.('push', m.detectedAt, at);
          audit({ actor: 'system', action: 'push.sent', subjectType: 'alert', subjectId: m.alertId, detail: { change: m.change } });
        },
        onExpired: (s) => audit({ actor: 'system', action: 'push.subscription_expired', subjectType: 'account', subjectId: s.username, detail: { subscription: s.id } }),
      },
      () => dispatcher.kick(),
    );
    const delivery = new WebhookDelivery(
      webhooks,
      store,
      {
        retryBaseMs: cfg.webhookRetryBaseMs,
        retryMaxMs: cfg.webhookRetryMaxMs,
        maxAttempts: cfg.webhookMaxAttempts,
        timeoutMs: cfg.webhookTimeoutMs,
        maxInFlight: cfg.webhookMaxInFlight,
        onAttempt: (d, msg) => {
          const detectedAt = (msg.data as { alert?: Alert })?.alert?.detectedAt;
          if (d.status === 'delivered' && detectedAt) deps.onDelivered?.('webhook', detectedAt, d.deliveredAt!);
        },
      },
      audit,
    );
    dispatcher.register(delivery).register(push).register(escalation);
    const alarm = new Alarm(deps, dispatcher, webhooks, rosters, rules, escalation, subscriptions, push, vapid);
    for (const r of await store.listAlarmRecords('notify-prefs')) alarm.prefs.set(r.id, r.body as NotifyPrefs);
    if (deps.demo) {
      // the demo nurse is on duty on every ward of every site, all day (a real institution sets its rosters)
      for (const siteId of deps.registry.sites.keys())
        await rosters.seed({ siteId, shifts: [{ staff: ['nurse'], start: '00:00', end: '00:00' }], updatedAt: Date.now(), updatedBy: 'demo' });
    }
    await escalation.resume(deps.alerts.list({ state: 'open' }));
    dispatcher.start();
    return alarm;
  }

  prefsOf(username: string): NotifyPrefs {
    return this.prefs.get(username) ?? DEFAULT_PREFS;
  }

  async setPrefs(username: string, p: NotifyPrefs): Promise<void> {
    await this.deps.store.putAlarmRecord({ kind: 'notify-prefs', id: username, siteId: null, body: p, updatedAt: Date.now() });
    this.prefs.set(username, p);
  }

  staff(): StaffMember[] {
    return this.deps.accounts.listAccounts().filter((a) => a.role !== 'family' && a.role !== 'regulator');
  }

  /** Family accounts of the alert's resident that want this kind. */
  families(alert: Alert): string[] {
    if (!FAMILY_KINDS.has(alert.kind)) return [];
    return this.deps.accounts
      .listAccounts()
      .filter((a) => a.role === 'family' && a.residentIds.includes(alert.residentId) && a.siteIds.includes(alert.siteId) && this.prefsOf(a.username).kinds.includes(alert.kind))
      .map((a) => a.username);
  }

  onAlert(alert: Alert, change: AlarmChange): void {
    this.escalation.onAlert(alert, change);
    const { registry, log } = this.deps;
    const site = registry.sites.get(alert.siteId);
    const now = Date.now();
    const staff = this.staff();
    const route = routeAlert(alert, this.rosters.get(alert.siteId), staff, now, site?.timeZone ?? 'UTC');
    const families = this.families(alert);
    const lastStep = alert.history[alert.history.length - 1];
    const level = alert.escalationLevel ?? 0;
    const audience = change === 'escalated' ? audienceOf(lastStep?.to ?? '', alert.siteId, staff) : [];
    const suffix = change === 'updated' ? `:${alert.repeats}` : change === 'escalated' ? `:${level}` : '';
    const key = `${alert.id}:${change}${suffix}`;
    const recipients = { staff: change === 'escalated' ? audience : route.staff, scope: change === 'escalated' ? 'escalation' : route.scope, families: families.filter((u) => this.prefsOf(u).gateway) };

    const data = { alert, recipients, ...(change === 'escalated' ? { level, to: lastStep?.to } : {}) };
    void this.webhooks.publish(WEBHOOK_TYPE[change], alert.siteId, key, data, { at: now, alertId: alert.id });
    for (const ev of doorEvents(alert, change, registry, () => this.deps.alerts.list())) void this.webhooks.publish(ev.type, alert.siteId, ev.key, ev.data, { at: now, alertId: alert.id });

    // phones: staff for new alerts, repeats and escalations; families for everything about their relative
    const pushTo = new Set<string>(families.filter((u) => this.prefsOf(u).push));
    if (change === 'raised' || change === 'updated') for (const u of route.staff) pushTo.add(u);
    if (change === 'escalated') for (const u of audience) pushTo.add(u);
    if (pushTo.size) this.push.notify(pushTo, key, this.pushMessage(alert, change)).catch((err) => log.error({ err, alert: alert.id }, 'push not queued'));

    const actor = change === 'acknowledged' || change === 'resolved' ? (lastStep?.by ?? 'system') : 'system';
    const action = { raised: 'alert.raise', updated: 'alert.repeat', acknowledged: 'alert.acknowledge', resolved: 'alert.resolve', escalated: 'alert.escalate' }[change];
    auditor(this.deps.store, log)({ actor, action, subjectType: 'alert', subjectId: alert.id, siteId: alert.siteId, detail: { kind: alert.kind, residentId: alert.residentId, repeats: alert.repeats, level, routedTo: recipients, push: [...pushTo] } });
  }

  private pushMessage(alert: Alert, change: AlarmChange): Omit<PushMessage, 'quiet'> {
    const { registry } = this.deps;
    const resident = registry.residents.get(alert.residentId) as (Alert & { photo?: string }) | undefined;
    const room = resident ? registry.zones.get((registry.residents.get(alert.residentId)?.roomZoneId ?? '') as string)?.name : undefined;
    const zone = alert.zoneId ? registry.zones.get(alert.zoneId) : undefined;
    const floor = registry.floor(alert.floorId)?.floor;
    const where = [zone?.nameZh ?? zone?.name, floor?.name].filter(Boolean).join(' · ') || undefined;
    return {
      alertId: alert.id,
      kind: alert.kind,
      change,
      residentId: alert.residentId,
      residentName: alert.residentName,
      ...(room ? { room } : {}),
      ...(where ? { where } : {}),
      ...(resident?.photo ? { photoUrl: resident.photo } : {}),
      ...(alert.escalationLevel ? { escalationLevel: alert.escalationLevel } : {}),
      url: `/#/alert/${encodeURIComponent(alert.id)}`,
      detectedAt: alert.detectedAt,
    };
  }

  async close(): Promise<void> {
    await this.escalation.settled();
    await this.dispatcher.stop();
  }
}

function auditor(store: Store, log: Logger): (e: Omit<AuditInput, 'at'>) => void {
  return (e) => void store.appendAudit({ at: Date.now(), ...e }).catch((err) => log.error({ err, action: e.action }, 'audit entry not recorded'));
}
