import { alertKindLabel, alertStateLabel, severityLabel, t, timeAgo } from '../i18n';
import { canReplay } from '../replay/route';
import { activeAlerts, floorName, zoneName } from '../state/selectors';
import type { Alert, AlertAction, ClientState } from '../state/types';
import { at, audienceLabel } from '../strings/alarm';
import { h, setAttr, setText } from './dom';

export interface AlertListActions {
  focus: (alertId: string) => void;
  act: (alertId: string, action: AlertAction, note: string) => void;
  /** Open the alert's replay; the button shows only for users who may replay. */
  replay?: (alertId: string) => void;
}

interface Row {
  el: HTMLElement;
  severity: HTMLElement;
  kind: HTMLElement;
  ago: HTMLElement;
  /** Escalation level reached (hidden until a step fires). */
  escalation: HTMLElement;
  who: HTMLElement;
  /** The zone's camera (exit linkage): a link to its snapshot, and to its live stream. */
  camera: HTMLAnchorElement;
  stream: HTMLAnchorElement;
  where: HTMLElement;
  state: HTMLElement;
  error: HTMLElement;
  note: HTMLInputElement;
  show: HTMLButtonElement;
  ack: HTMLButtonElement;
  resolve: HTMLButtonElement;
  replay: HTMLButtonElement;
}

/**
 * The unresolved alerts, most urgent first. Rows are keyed by alert id and updated in place, so a note being
 * typed survives the frames and alerts that keep arriving.
 */
export class AlertList {
  readonly el: HTMLElement;
  private readonly title = h('h2', { class: 'panel-title' });
  private readonly count = h('span', { class: 'count', testid: 'alert-count' });
  private readonly list = h('ol', { class: 'alert-list', testid: 'alert-list' });
  private readonly empty = h('p', { class: 'empty', testid: 'alert-empty' });
  private readonly rows = new Map<string, Row>();

  constructor(private readonly actions: AlertListActions) {
    this.el = h('section', { class: 'alert-panel' }, h('header', { class: 'panel-header' }, this.title, this.count), this.empty, this.list);
  }

  update(state: ClientState, now: number): void {
    const { locale } = state;
    const alerts = activeAlerts(state);
    setText(this.title, t(locale, 'alerts'));
    setText(this.count, String(alerts.length));
    this.empty.hidden = alerts.length > 0;
    setText(this.empty, t(locale, 'noAlerts'));

    const keep = new Set(alerts.map((a) => a.id));
    for (const [id, row] of this.rows) {
      if (!keep.has(id)) {
        row.el.remove();
        this.rows.delete(id);
      }
    }
    alerts.forEach((alert, i) => {
      let row = this.rows.get(alert.id);
      if (!row) {
        row = this.createRow(alert.id);
        this.rows.set(alert.id, row);
      }
      this.fill(row, alert, state, now);
      // move only when out of place: moving a node blurs a focused note field
      if (this.list.children[i] !== row.el) this.list.insertBefore(row.el, this.list.children[i] ?? null);
    });
  }

  private createRow(id: string): Row {
    const { focus, act, replay } = this.actions;
    const note = h('input', {
      class: 'note',
      testid: `alert-note-${id}`,
      attrs: { type: 'text', maxlength: '500', enterkeyhint: 'done' },
    });
    const run = (action: AlertAction) => {
      act(id, action, note.value);
      note.value = '';
    };
    const row: Row = {
      el: h('li', {
        class: 'alert-row',
        testid: `alert-row-${id}`,
        dataset: { alertId: id },
        on: {
          click: (ev) => {
            if (!(ev.target as HTMLElement).closest('button, input')) focus(id);
          },
        },
      }),
      severity: h('span', { class: 'sev' }),
      kind: h('span', { class: 'kind', testid: `alert-kind-${id}` }),
      ago: h('span', { class: 'ago' }),
      escalation: h('span', { class: 'esc-badge', testid: `alert-escalation-${id}` }),
      camera: h('a', { class: 'camera-link', testid: `alert-camera-${id}`, attrs: { target: '_blank', rel: 'noopener noreferrer' } }),
      stream: h('a', { class: 'camera-link camera-stream', testid: `alert-stream-${id}`, attrs: { target: '_blank', rel: 'noopener noreferrer' } }),
      who: h('span', { class: 'who' }),
      where: h('span', { class: 'where' }),
      state: h('span', { class: 'state', testid: `alert-state-${id}` }),
      error: h('p', { class: 'row-error', attrs: { role: 'alert' } }),
      note,
      show: h('button', { class: 'btn btn-secondary', testid: `alert-show-${id}`, on: { click: () => focus(id) } }),
      ack: h('button', { class: 'btn btn-warn', testid: `alert-ack-${id}`, on: { click: () => run('ack') } }),
      resolve: h('button', { class: 'btn btn-ok', testid: `alert-resolve-${id}`, on: { click: () => run('resolve') } }),
      replay: h('button', { class: 'btn btn-chip btn-ghost row-replay', testid: `alert-replay-${id}`, on: { click: () => replay?.(id) } }),
    };
    row.el.append(
      h('div', { class: 'row-head' }, row.severity, row.kind, row.escalation, row.ago),
      h('div', { class: 'row-body' }, row.who, row.where),
      h('div', { class: 'row-camera' }, row.camera, row.stream),
      // replay is for afterwards: out of the way of the buttons a nurse needs now
      h('div', { class: 'row-state' }, row.state, row.replay),
      row.error,
      h('div', { class: 'row-actions' }, row.note, row.show, row.ack, row.resolve),
    );
    return row;
  }

  private fill(row: Row, alert: Alert, state: ClientState, now: number): void {
    const { locale } = state;
    const d = row.el.dataset;
    d.kind = alert.kind;
    d.severity = alert.severity;
    d.state = alert.state;
    row.el.classList.toggle('selected', state.focus?.alertId === alert.id);
    setText(row.severity, severityLabel(locale, alert.severity));
    setText(row.kind, alertKindLabel(locale, alert.kind) + (alert.repeats > 0 ? ` ×${alert.repeats + 1}` : ''));
    setText(row.ago, timeAgo(locale, now - alert.fixTs));
    const level = alert.escalationLevel ?? 0;
    const escStep = [...alert.history].reverse().find((s) => s.state === 'escalated');
    setText(row.escalation, level > 0 ? at(locale, 'escalated', { n: level }) : '');
    setAttr(row.escalation, 'title', escStep?.to ? at(locale, 'escalatedTo', { to: audienceLabel(locale, escStep.to) }) : '');
    row.escalation.hidden = level === 0;
    d.escalation = String(level);
    const cam = alert.cameras?.[0];
    (row.camera.parentElement as HTMLElement).hidden = !cam;
    if (cam) {
      setText(row.camera, at(locale, 'camera', { name: cam.name ?? cam.id }));
      setAttr(row.camera, 'href', cam.snapshotUrl);
      setText(row.stream, `▶ ${at(locale, 'cameraStream')}`);
      setAttr(row.stream, 'href', cam.streamUrl);
    }
    setAttr(row.ago, 'title', new Date(alert.fixTs).toLocaleString(locale));
    setText(row.who, alert.residentName || state.catalog?.residentsById[alert.residentId]?.name || alert.residentId);
    const floorId = alert.position?.floorId ?? alert.floorId;
    setText(row.where, `${zoneName(state, alert.zoneId) ?? t(locale, 'unknownZone')} · ${floorName(state, floorId)}`);
    const ackStep = [...alert.history].reverse().find((s) => s.state === 'acknowledged');
    const stateText = alertStateLabel(locale, alert.state, ackStep?.by);
    setText(row.state, ackStep?.note && alert.state === 'acknowledged' ? `${stateText}: ${ackStep.note}` : stateText);
    const err = state.actionErrors[alert.id];
    setText(row.error, err ? t(locale, 'actionFailed', { message: err }) : '');
    row.error.hidden = !err;
    setAttr(row.note, 'placeholder', t(locale, 'notePlaceholder'));
    setAttr(row.note, 'aria-label', t(locale, 'notePlaceholder'));
    const pending = state.pending[alert.id];
    setText(row.show, t(locale, 'show'));
    setText(row.ack, t(locale, 'acknowledge'));
    setText(row.resolve, t(locale, 'resolve'));
    setText(row.replay, `▶ ${t(locale, 'replay')}`);
    row.replay.hidden = !this.actions.replay || !canReplay(state.user);
    row.ack.hidden = alert.state !== 'open';
    row.ack.disabled = Boolean(pending);
    row.resolve.disabled = Boolean(pending);
    row.el.classList.toggle('pending', Boolean(pending));
  }
}
