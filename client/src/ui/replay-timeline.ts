/**
 * The replay's timeline under the map: play/pause, the clock, a slider with the alerts and their handling marked
 * on it, the speed, "jump to alert" and follow-a-resident. It reports what the user did as replay actions.
 */
import { alertKindLabel, t } from '../i18n';
import { involvedResidents } from '../replay/events';
import { replayTime, type ReplayContext } from '../replay/text';
import { fraction, SPEEDS, type Speed } from '../replay/playback';
import type { ReplayAction, ReplayScreenState } from '../replay/screen-state';
import type { ClientState } from '../state/types';
import { h, setAttr, setText } from './dom';

export class ReplayTimeline {
  readonly el: HTMLElement;
  private readonly playBtn: HTMLButtonElement;
  private readonly timeLabel = h('span', { class: 'timeline-time', testid: 'replay-time' });
  private readonly slider: HTMLInputElement;
  private readonly marks = h('div', { class: 'timeline-marks', testid: 'timeline-marks' });
  private readonly startLabel = h('span', { class: 'timeline-edge' });
  private readonly endLabel = h('span', { class: 'timeline-edge' });
  private readonly speedSelect: HTMLSelectElement;
  private readonly speedLabel = h('span', { class: 'timeline-label' });
  private readonly jumpBtn: HTMLButtonElement;
  private readonly followBox: HTMLInputElement;
  private readonly followLabel = h('span', {});
  private readonly followSelect: HTMLSelectElement;
  /** The playback's start, for the slider (which counts from it). */
  private start = 0;

  constructor(private readonly dispatch: (action: ReplayAction) => void) {
    this.playBtn = h('button', {
      class: 'btn btn-primary timeline-play',
      testid: 'replay-play',
      on: { click: () => dispatch({ type: 'playback', action: { type: 'toggle' } }) },
    });
    this.slider = h('input', {
      class: 'timeline-slider',
      testid: 'replay-slider',
      attrs: { type: 'range', min: '0', max: '0', step: '1000', value: '0' },
      on: { input: () => dispatch({ type: 'playback', action: { type: 'seek', time: this.start + Number(this.slider.value) } }) },
    });
    this.speedSelect = h(
      'select',
      {
        class: 'timeline-speed',
        testid: 'replay-speed',
        on: { change: () => dispatch({ type: 'playback', action: { type: 'speed', speed: Number(this.speedSelect.value) as Speed } }) },
      },
      ...SPEEDS.map((s) => h('option', { text: `${s}×`, attrs: { value: String(s) } })),
    );
    this.jumpBtn = h('button', { class: 'btn timeline-jump', testid: 'replay-jump', on: { click: () => dispatch({ type: 'jumpToAlert' }) } });
    this.followBox = h('input', {
      testid: 'replay-follow',
      attrs: { type: 'checkbox' },
      on: { change: () => dispatch({ type: 'follow', on: this.followBox.checked }) },
    });
    this.followSelect = h('select', {
      class: 'timeline-follow-who',
      testid: 'replay-follow-who',
      on: { change: () => dispatch({ type: 'followWho', residentId: this.followSelect.value || null }) },
    });
    this.el = h(
      'div',
      { class: 'timeline', testid: 'replay-timeline' },
      this.playBtn,
      this.timeLabel,
      h('div', { class: 'timeline-track' }, this.marks, this.slider, h('div', { class: 'timeline-edges' }, this.startLabel, this.endLabel)),
      h('label', { class: 'timeline-field' }, this.speedLabel, this.speedSelect),
      this.jumpBtn,
      h('label', { class: 'timeline-field timeline-follow' }, this.followBox, this.followLabel, this.followSelect),
    );
  }

  /** The parts that move with the clock (every frame while playing). */
  renderClock(client: ClientState, s: ReplayScreenState): void {
    const L = client.locale;
    const pb = s.playback;
    this.el.hidden = !pb;
    this.followBox.checked = s.follow;
    if (!pb) return;
    this.start = pb.start;
    const time = (ts: number) => replayTime({ client, data: s.data }, ts);
    setText(this.playBtn, pb.playing ? `❚❚ ${t(L, 'pause')}` : `▶ ${t(L, 'play')}`);
    this.playBtn.dataset.playing = String(pb.playing);
    setText(this.timeLabel, time(pb.time));
    const span = String(Math.max(0, pb.end - pb.start));
    if (this.slider.max !== span) this.slider.max = span;
    const v = String(Math.round(pb.time - pb.start));
    if (this.slider.value !== v) this.slider.value = v;
    setAttr(this.slider, 'aria-valuetext', time(pb.time));
    this.speedSelect.value = String(pb.speed);
  }

  /** The parts that depend on the replay and the language: labels, who can be followed, the marks. */
  renderReplay(c: ReplayContext, s: ReplayScreenState): void {
    const L = c.client.locale;
    setText(this.speedLabel, t(L, 'speed'));
    setText(this.jumpBtn, `⚑ ${t(L, 'jumpToAlert')}`);
    this.jumpBtn.hidden = !s.data?.alert;
    setText(this.followLabel, t(L, 'follow'));
    const pb = s.playback;
    setText(this.startLabel, pb ? replayTime(c, pb.start) : '');
    setText(this.endLabel, pb ? replayTime(c, pb.end) : '');
    this.renderFollowOptions(c, s);
    this.renderMarks(c, s);
  }

  private renderFollowOptions(c: ReplayContext, s: ReplayScreenState): void {
    const ids = s.index?.residents.map((r) => r.residentId) ?? [];
    const names = c.client.catalog?.residentsById ?? {};
    const name = (id: string) => names[id]?.name ?? (s.data?.alert?.residentId === id ? s.data.alert.residentName : id);
    const involved = s.data ? involvedResidents(s.data) : new Set<string>();
    const sorted = [...ids].sort((a, b) => Number(involved.has(b)) - Number(involved.has(a)) || name(a).localeCompare(name(b), c.client.locale));
    this.followSelect.replaceChildren(...sorted.map((id) => h('option', { text: name(id), attrs: { value: id } })));
    if (s.followId) this.followSelect.value = s.followId;
    this.followSelect.disabled = ids.length === 0;
  }

  /** Alert markers on the timeline: where each alert was raised, and when the replayed one was handled. */
  private renderMarks(c: ReplayContext, s: ReplayScreenState): void {
    const pb = s.playback;
    const L = c.client.locale;
    if (!pb || !s.data) {
      this.marks.replaceChildren();
      return;
    }
    const mainId = s.data.alert?.id;
    const mark = (ts: number, cls: string, title: string, testid: string) =>
      h('button', {
        class: `timeline-mark ${cls}`,
        testid,
        attrs: { title, 'aria-label': title, style: `left:${(fraction(pb, ts) * 100).toFixed(3)}%` },
        on: { click: () => this.dispatch({ type: 'playback', action: { type: 'seek', time: ts } }) },
      });
    const out: HTMLElement[] = [];
    for (const a of s.alerts) {
      const main = a.id === mainId;
      const title = `${replayTime(c, a.fixTs)} ${alertKindLabel(L, a.kind)} · ${a.residentName}`;
      out.push(mark(a.fixTs, main ? 'mark-alert mark-main' : 'mark-alert', title, `timeline-alert-${a.id}`));
      if (!main) continue;
      for (const step of a.history) {
        if (step.state === 'acknowledged' || step.state === 'resolved') {
          const label = t(L, step.state === 'acknowledged' ? 'eventAcknowledged' : 'eventResolved', { who: step.by });
          out.push(mark(step.at, `mark-${step.state}`, `${replayTime(c, step.at)} ${label}`, `timeline-${step.state}`));
        }
      }
    }
    this.marks.replaceChildren(...out);
  }
}
