/**
 * The application shell: login, session start-up (REST snapshot, then the socket), the alarm, routing between
 * the registered screens (shell/registry.ts), the top bar and banners around them, and the test hooks.
 * Screens render from the store; nothing else holds state that matters.
 */
import './styles.css';
import { ApiError, createApi, login, type Api } from './api';
import { AlarmSound } from './audio/alarm-sound';
import { defaultLocale, t } from './i18n';
import { Realtime } from './realtime';
import './screens';
import { loadPrefs, loadSession, savePrefs, saveSession, type SavedSession } from './session';
import { errorText } from './shell/errors';
import { landingFor, parseScreenHash, screenDef, type MountedScreen, type ScreenDef, type ScreenHost, type ScreenRoute } from './shell/registry';
import { applyTheme, autoTheme } from './shell/theme';
import { initialState } from './state/reducer';
import { alarmingAlerts, defaultFloorId } from './state/selectors';
import { Store } from './state/store';
import type { Alert, AlertAction, ClientState, ResidentDto, SiteDto } from './state/types';
import { AlarmBanner } from './ui/alarm-banner';
import { h } from './ui/dom';
import { loginView } from './ui/login';
import { SoundGate } from './ui/sound-gate';
import type { ReplayHooks } from './ui/replay-screen';
import { TopBar, type SoundDisplay, type TopBarActions } from './ui/top-bar';

const prefs = loadPrefs();
const store = new Store(
  initialState({
    locale: prefs.locale ?? defaultLocale(navigator.languages?.length ? navigator.languages : [navigator.language]),
    soundOn: prefs.soundOn ?? true,
    theme: prefs.theme ?? autoTheme(Date.now()),
  }),
);
applyTheme(store.getState().theme);
const root = document.getElementById('app')!;
const sound = new AlarmSound();
/** Server time, as well as we know it: the alerts' times are the server's. */
const clock = () => Date.now() + store.getState().clockOffsetMs;

interface Session {
  token: string;
  api: Api;
  realtime: Realtime | null;
  def: ScreenDef | null;
  screen: MountedScreen | null;
  frame: Frame | null;
}
/** What the shell draws around a screen. */
interface Frame {
  topBar: TopBar | null;
  banner: AlarmBanner | null;
  gate: SoundGate;
  notice: HTMLElement;
}
let session: Session | null = null;
/** `floor:<id>` once the live map drew that floor's full frame; other screens mark their own names. */
const readyMarks = new Set<string>();

// --- audio unlock: any interaction with the page allows sound from then on ---
const unlockAudio = () => {
  if (!sound.unlock()) return;
  store.dispatch({ type: 'audio/unlocked' });
  for (const type of ['pointerdown', 'keydown', 'touchend'] as const) window.removeEventListener(type, unlockAudio, true);
};
for (const type of ['pointerdown', 'keydown', 'touchend'] as const) window.addEventListener(type, unlockAudio, true);

// --- rendering: the alarm reacts at once (even in a background tab); the screen at the next frame ---
const alarmSeen = new Set<string>();
let renderQueued = false;
store.subscribe((state) => {
  updateAlarm(state);
  applyTheme(state.theme);
  if (!renderQueued) {
    renderQueued = true;
    requestAnimationFrame(() => {
      renderQueued = false;
      renderFrame(store.getState());
    });
  }
});
setInterval(() => {
  const s = session;
  if (!s) return;
  s.screen?.tick?.(clock());
  s.frame?.banner?.update(store.getState(), clock());
}, 1000);

function renderFrame(state: ClientState): void {
  const s = session;
  if (!s) return;
  s.frame?.topBar?.update(state);
  s.frame?.banner?.update(state, clock());
  s.frame?.gate.update(state);
  s.screen?.update(state, clock());
}

function updateAlarm(state: ClientState): void {
  const alarming = alarmingAlerts(state);
  const staff = state.user?.role !== 'family';
  const level = staff && alarming.length ? (alarming.some((a) => a.severity === 'critical') ? 'critical' : 'high') : null;
  sound.setLevel(state.soundOn && state.audioUnlocked && session ? level : null);
  let fresh = false;
  for (const a of alarming) {
    if (!alarmSeen.has(a.id)) {
      alarmSeen.add(a.id);
      fresh = true;
    }
  }
  if (fresh && staff && state.soundOn) navigator.vibrate?.([400, 200, 400, 200, 400]);
  const name = t(state.locale, 'appName');
  document.title = alarming.length ? `⚠ (${alarming.length}) ${name}` : name;
  document.documentElement.lang = state.locale;
}

// --- login and messages ---
function showLogin(): void {
  const { locale } = store.getState();
  document.documentElement.lang = locale;
  document.title = t(locale, 'appName');
  root.replaceChildren(
    loginView({
      locale,
      login,
      onSuccess: (result) => {
        const saved = { token: result.token, user: result.user };
        saveSession(saved);
        void startSession(saved);
      },
      onToggleLocale: () => {
        toggleLocale();
        showLogin();
      },
    }),
  );
}

function showMessage(text: string, retry?: () => void): void {
  root.replaceChildren(
    h(
      'main',
      { class: 'message-screen' },
      h('p', { text }),
      retry ? h('button', { class: 'btn btn-primary', text: t(store.getState().locale, 'retry'), on: { click: retry } }) : null,
      session ? h('button', { class: 'btn btn-secondary', testid: 'sign-out', text: t(store.getState().locale, 'signOut'), on: { click: signOut } }) : null,
    ),
  );
}

/** A listing the role may not read (a regulator's residents) is empty, not a failed start. */
async function orEmpty<T>(p: Promise<T[]>): Promise<T[]> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof ApiError && (err.status === 403 || err.status === 404)) return [];
    throw err;
  }
}

async function startSession(saved: SavedSession): Promise<void> {
  performance.mark('carewatch:session-start');
  const s: Session = { token: saved.token, api: createApi(saved.token, () => endSession()), realtime: null, def: null, screen: null, frame: null };
  session = s;
  readyMarks.clear();
  store.dispatch({ type: 'session/started', user: saved.user });
  showMessage(t(store.getState().locale, 'loading'));
  try {
    const requestedAtSeq = store.getState().seq;
    // a regulator reads aggregates only: asking for residents and alerts would only collect refusals
    const aggregatesOnly = saved.user.role === 'regulator';
    const none = <T>() => Promise.resolve([] as T[]);
    const [sites, residents, open, acknowledged] = await Promise.all([
      orEmpty<SiteDto>(s.api.sites()),
      aggregatesOnly ? none<ResidentDto>() : orEmpty<ResidentDto>(s.api.residents()),
      aggregatesOnly ? none<Alert>() : orEmpty<Alert>(s.api.alerts('open')),
      aggregatesOnly ? none<Alert>() : orEmpty<Alert>(s.api.alerts('acknowledged')),
    ]);
    if (session !== s) return;
    performance.mark('carewatch:data-loaded');
    store.dispatch({ type: 'data/loaded', sites, residents });
    store.dispatch({ type: 'alerts/snapshot', alerts: [...open, ...acknowledged], requestedAtSeq });
  } catch (err) {
    if (session !== s) return;
    if (err instanceof ApiError && err.status === 401) return; // endSession already ran
    showMessage(t(store.getState().locale, 'loadFailed', { message: errorText(store.getState().locale, err) }), () => void startSession(saved));
    return;
  }
  const state = store.getState();
  // without a saved theme, the site's own clock decides between night and day
  if (!prefs.theme) store.dispatch({ type: 'theme', theme: autoTheme(Date.now(), state.catalog?.sites[0]?.timeZone) });
  if (screenDef('live')?.roles.includes(saved.user.role)) {
    const savedFloor = prefs.floorId && state.catalog?.floorsById[prefs.floorId] ? prefs.floorId : null;
    const floorId = savedFloor ?? defaultFloorId(state);
    if (floorId) store.dispatch({ type: 'floor/selected', floorId });
  }
  showRoute(s, parseScreenHash(location.hash));
  s.realtime = new Realtime(saved.token, store, s.api, () => endSession());
  s.realtime.start();
}

// --- navigation: the URL hash names the screen (#/live, #/city, #/replay/<alertId>, #/family, ...) ---
function go(hash: string): void {
  if (location.hash !== hash) location.hash = hash; // hashchange shows it
  else if (session) showRoute(session, parseScreenHash(hash));
}

window.addEventListener('hashchange', () => {
  if (session?.def) showRoute(session, parseScreenHash(location.hash));
});

function showRoute(s: Session, route: ScreenRoute): void {
  const user = store.getState().user;
  let def = screenDef(route.screen);
  let refused = false;
  if (!def || !user || !def.roles.includes(user.role)) {
    // a screen this account may not use: its own screen instead, and a word about why when it asked for one
    refused = Boolean(def && route.screen);
    const landing = landingFor(user);
    if (!landing) {
      s.screen?.destroy();
      s.def = null;
      s.screen = null;
      showMessage(t(store.getState().locale, 'noScreenForRole'));
      return;
    }
    def = landing;
    route = parseScreenHash(`#/${landing.id}`);
    history.replaceState(null, '', `#/${landing.id}`);
  }
  if (s.def === def && s.screen) {
    s.screen.route?.(route);
  } else {
    s.screen?.destroy();
    readyMarks.clear();
    s.def = def;
    s.screen = def.mount(hostFor(s), route);
    s.frame = mountFrame(s, def, s.screen);
  }
  if (s.frame) {
    s.frame.notice.hidden = !refused;
    s.frame.notice.textContent = refused ? t(store.getState().locale, 'screenNotAllowed') : '';
  }
  renderFrame(store.getState());
}

function mountFrame(s: Session, def: ScreenDef, screen: MountedScreen): Frame {
  const gate = new SoundGate(() => toggleSound(store.getState().audioUnlocked ? 'off' : 'locked'));
  const notice = h('div', { class: 'shell-notice', testid: 'shell-notice', attrs: { role: 'status' } });
  notice.hidden = true;
  notice.addEventListener('click', () => (notice.hidden = true));
  const topBar = def.ownTopBar ? null : new TopBar(barActions(), def.id);
  const banner =
    def.alarmBanner && !def.ownTopBar
      ? new AlarmBanner({
          show: (id) => {
            if (s.def?.id !== 'live') go('#/live');
            store.dispatch({ type: 'alert/focused', alertId: id });
          },
          acknowledge: (id) => void act(s, id, 'ack', ''),
        })
      : null;
  root.replaceChildren(
    h(
      'div',
      { class: `shell shell-${def.id}`, testid: `screen-${def.id}` },
      topBar?.el,
      gate.el,
      banner?.el,
      notice,
      h('div', { class: 'shell-body' }, screen.el),
    ),
  );
  return { topBar, banner, gate, notice };
}

function barActions(): TopBarActions {
  return { toggleSound, toggleLocale, toggleTheme, signOut, go: (id) => go(`#/${id}`) };
}

function hostFor(s: Session): ScreenHost & { bar: TopBarActions } {
  return {
    api: s.api,
    token: s.token,
    store,
    clock,
    go,
    act: (id, action, note) => void act(s, id, action, note),
    errorText: (err) => errorText(store.getState().locale, err),
    markReady: (what) => {
      // one floor is ready at a time: the one drawn last
      if (what.startsWith('floor:')) for (const m of readyMarks) if (m.startsWith('floor:')) readyMarks.delete(m);
      readyMarks.add(what);
      performance.mark(`carewatch:ready:${what}`);
    },
    bar: barActions(),
  };
}

function signOut(): void {
  const s = session;
  if (!s) return;
  void s.api.logout();
  endSession();
}

function endSession(): void {
  const s = session;
  if (!s) return;
  session = null;
  s.realtime?.close();
  s.screen?.destroy();
  saveSession(null);
  sound.setLevel(null);
  readyMarks.clear();
  store.dispatch({ type: 'session/ended' });
  showLogin();
}

async function act(s: Session, alertId: string, action: AlertAction, note: string): Promise<void> {
  store.dispatch({ type: 'alert/action-started', alertId, action });
  try {
    const alert = action === 'ack' ? await s.api.acknowledge(alertId, note) : await s.api.resolve(alertId, note);
    store.dispatch({ type: 'alert/action-finished', alertId, alert });
  } catch (err) {
    store.dispatch({ type: 'alert/action-finished', alertId, error: errorText(store.getState().locale, err) });
    // someone else acted first: show what is true now
    if (err instanceof ApiError && err.status === 409) void s.realtime?.refreshAlerts();
  }
}

function toggleSound(shown: SoundDisplay): void {
  // The press that unlocked audio means "I want sound", not "turn it off".
  const on = shown === 'locked' ? true : !store.getState().soundOn;
  savePrefs({ soundOn: on });
  store.dispatch({ type: 'sound', on });
  if (on) sound.chirp();
}

function toggleLocale(): void {
  const locale = store.getState().locale === 'zh-CN' ? 'en' : 'zh-CN';
  savePrefs({ locale });
  store.dispatch({ type: 'locale', locale });
}

function toggleTheme(): void {
  const theme = store.getState().theme === 'dark' ? 'light' : 'dark';
  prefs.theme = theme;
  savePrefs({ theme });
  store.dispatch({ type: 'theme', theme });
}

// --- test and debugging hooks ---
interface LiveHooks {
  deck: unknown;
  project(x: number, y: number): [number, number] | null;
}
declare global {
  interface Window {
    __carewatch: {
      readonly ready: boolean;
      readonly state: ClientState;
      readonly screenId: string | null;
      /** Names the screens marked ready (`floor:<id>`, `city`, `family`). */
      isReady(what: string): boolean;
      readonly deck: unknown;
      project(x: number, y: number): [number, number] | null;
      dispatch: Store['dispatch'];
      /** The current screen's own hooks (the replay's clock, the city map's map and overlay, ...). */
      readonly screen: unknown;
      /** The replay screen's clock and map; `ready` is false while another screen is shown. */
      readonly replay: ReplayHooks;
    };
  }
}
const NO_REPLAY: ReplayHooks = {
  ready: false,
  time: null,
  playing: false,
  speed: 10,
  start: null,
  end: null,
  floorId: null,
  alertId: null,
  deck: null,
  setTime: () => {},
  play: () => {},
  pause: () => {},
  setSpeed: () => {},
  project: () => null,
};
const liveHooks = (): LiveHooks | null => (session?.def?.id === 'live' ? (session.screen?.hooks as LiveHooks) : null);
window.__carewatch = {
  get ready() {
    const st = store.getState();
    return st.selectedFloorId !== null && readyMarks.has(`floor:${st.selectedFloorId}`) && st.positions.complete;
  },
  get state() {
    return store.getState();
  },
  get screenId() {
    return session?.def?.id ?? null;
  },
  isReady: (what) => readyMarks.has(what),
  get deck() {
    return liveHooks()?.deck ?? null;
  },
  project: (x, y) => liveHooks()?.project(x, y) ?? null,
  dispatch: store.dispatch,
  get screen() {
    return session?.screen?.hooks ?? null;
  },
  get replay() {
    return session?.def?.id === 'replay' ? (session.screen?.hooks as ReplayHooks) : NO_REPLAY;
  },
};

const resumed = loadSession();
if (resumed) void startSession(resumed);
else showLogin();
