import { t } from '../i18n';
import { activeAlerts } from '../state/selectors';
import type { ClientState } from '../state/types';
import { h, setText } from './dom';
import { speakerIcon } from './top-bar';

/**
 * Browsers keep a page silent until it is touched, so after a reload the alarm cannot sound by itself. While
 * alerts are open and the sound is not actually on, a wide strip says so and takes the tap that turns it on.
 * A sound the user switched off is shown too, smaller: the choice is theirs and is remembered.
 */
export class SoundGate {
  readonly el: HTMLElement;
  private readonly text = h('span', { class: 'sound-gate-text', testid: 'sound-gate-text' });
  private readonly hint = h('span', { class: 'sound-gate-hint' });
  private readonly btn: HTMLButtonElement;

  constructor(turnOn: () => void) {
    this.btn = h('button', { class: 'btn btn-light btn-strong', testid: 'sound-gate-on', on: { click: turnOn } });
    this.el = h(
      'div',
      { class: 'sound-gate', testid: 'sound-gate', attrs: { role: 'button', tabindex: '0' }, on: { click: turnOn } },
      h('span', { class: 'sound-gate-icon' }, speakerIcon(false)),
      h('span', { class: 'sound-gate-words' }, this.text, this.hint),
      this.btn,
    );
    this.el.hidden = true;
  }

  update(state: ClientState): void {
    const staff = state.user && state.user.role !== 'family' && state.user.role !== 'regulator';
    const open = staff && activeAlerts(state).some((a) => a.state === 'open');
    const mode = !open ? null : !state.soundOn ? 'muted' : state.audioUnlocked ? null : 'locked';
    this.el.hidden = mode === null;
    if (!mode) return;
    this.el.dataset.mode = mode;
    const L = state.locale;
    setText(this.text, t(L, mode === 'locked' ? 'soundTapToEnable' : 'soundMutedByYou'));
    setText(this.hint, mode === 'locked' ? t(L, 'soundTapHint') : '');
    setText(this.btn, t(L, 'soundTurnOn'));
  }
}
