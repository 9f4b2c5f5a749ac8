import { t, type MessageKey } from '../i18n';
import { localName } from '../state/selectors';
import type { ClientState, Connection } from '../state/types';
import { h, setAttr, setText } from './dom';

export interface TopBarActions {
  toggleSound: () => void;
  toggleLocale: () => void;
  signOut: () => void;
}

const CONNECTION_TEXT: Record<Connection, MessageKey> = {
  live: 'connLive',
  connecting: 'connConnecting',
  reconnecting: 'connReconnecting',
  offline: 'connOffline',
};

export class TopBar {
  readonly el: HTMLElement;
  private readonly site = h('span', { class: 'site-name' });
  private readonly connection = h('span', { class: 'conn', testid: 'connection', attrs: { role: 'status' } });
  private readonly sound: HTMLButtonElement;
  private readonly lang: HTMLButtonElement;
  private readonly user = h('span', { class: 'user-name' });
  private readonly signOut: HTMLButtonElement;
  private readonly brand = h('span', { class: 'brand-name' });

  constructor(actions: TopBarActions) {
    this.sound = h('button', { class: 'btn btn-chip', testid: 'sound-toggle', on: { click: actions.toggleSound } });
    this.lang = h('button', { class: 'btn btn-chip', testid: 'lang-toggle', on: { click: actions.toggleLocale } });
    this.signOut = h('button', { class: 'btn btn-chip', testid: 'sign-out', on: { click: actions.signOut } });
    this.el = h(
      'header',
      { class: 'top-bar' },
      h('div', { class: 'brand' }, h('span', { class: 'logo', text: '◉' }), this.brand, this.site),
      h('div', { class: 'top-actions' }, this.connection, this.sound, this.lang, this.user, this.signOut),
    );
  }

  update(state: ClientState): void {
    const { locale } = state;
    setText(this.brand, t(locale, 'appName'));
    setText(this.site, (state.catalog?.sites ?? []).map((s) => localName(s, locale)).join(' · '));
    setText(this.connection, t(locale, CONNECTION_TEXT[state.connection]));
    this.connection.dataset.status = state.connection;
    const sound = !state.soundOn ? 'off' : state.audioUnlocked ? 'on' : 'locked';
    this.sound.dataset.state = sound;
    setText(this.sound, `${sound === 'on' ? '🔊' : '🔇'} ${t(locale, sound === 'on' ? 'soundOn' : sound === 'off' ? 'soundOff' : 'soundLocked')}`);
    setAttr(this.sound, 'aria-pressed', String(sound === 'on'));
    setText(this.lang, t(locale, 'language'));
    setText(this.user, state.user?.displayName ?? state.user?.username ?? '');
    setText(this.signOut, t(locale, 'signOut'));
  }
}
