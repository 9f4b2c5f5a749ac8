import { alertKindLabel, t, timeAgo } from '../i18n';
import { alarmingAlerts, floorName, zoneName } from '../state/selectors';
import type { ClientState } from '../state/types';
import { h, setText } from './dom';

export interface AlarmBannerActions {
  show: (alertId: string) => void;
  acknowledge: (alertId: string) => void;
}

/** A flashing red strip across the top while any critical/high alert is unacknowledged. */
export class AlarmBanner {
  readonly el: HTMLElement;
  private readonly message = h('span', { class: 'alarm-message', testid: 'alarm-message' });
  private readonly more = h('span', { class: 'alarm-more' });
  private readonly showBtn: HTMLButtonElement;
  private readonly ackBtn: HTMLButtonElement;
  private alertId: string | null = null;

  constructor(actions: AlarmBannerActions) {
    this.showBtn = h('button', {
      class: 'btn btn-light',
      testid: 'alarm-show',
      on: { click: () => this.alertId && actions.show(this.alertId) },
    });
    this.ackBtn = h('button', {
      class: 'btn btn-light btn-strong',
      testid: 'alarm-ack',
      on: { click: () => this.alertId && actions.acknowledge(this.alertId) },
    });
    this.el = h(
      'div',
      { class: 'alarm-banner', testid: 'alarm-banner', attrs: { role: 'alert', 'aria-live': 'assertive' } },
      h('span', { class: 'alarm-icon', text: '⚠' }),
      this.message,
      this.more,
      h('span', { class: 'alarm-actions' }, this.showBtn, this.ackBtn),
    );
    this.el.hidden = true;
  }

  update(state: ClientState, now: number): void {
    const alarming = alarmingAlerts(state);
    const top = alarming[0];
    this.el.hidden = !top;
    this.alertId = top?.id ?? null;
    if (!top) return;
    const { locale } = state;
    this.el.dataset.severity = top.severity;
    this.el.dataset.alertId = top.id;
    const where = [zoneName(state, top.zoneId), floorName(state, top.position?.floorId ?? top.floorId)]
      .filter(Boolean)
      .join(', ');
    setText(
      this.message,
      `${alertKindLabel(locale, top.kind)} — ${top.residentName} — ${where} · ${timeAgo(locale, now - top.fixTs)}`,
    );
    setText(this.more, alarming.length > 1 ? t(locale, 'alarmMore', { n: alarming.length - 1 }) : '');
    setText(this.showBtn, t(locale, 'show'));
    setText(this.ackBtn, t(locale, 'acknowledge'));
    this.ackBtn.disabled = Boolean(state.pending[top.id]);
  }
}
