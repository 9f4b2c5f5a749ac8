/**
 * The application shell: login, session start-up (REST snapshot, then the socket), the alarm, and the test hooks.
 * Screens render from the store; nothing else holds state that matters.
 */
import './styles.css';
import { ApiError, createApi, login, type Api } from './api';
import { AlarmSound } from './audio/alarm-sound';
import { defaultLocale, t } from './i18n';
import { Realtime } from './realtime';
import { loadPrefs, loadSession, savePrefs, saveSession, type SavedSession } from './session';
import { initialState } from './state/reducer';
import { alarmingAlerts, defaultFloorId } from './state/selectors';
import { Store } from './state/store';
import type { AlertAction, ClientState } from './state/types';
import { h } from './ui/dom';
import { LiveScreen } from './ui/live-screen';
import { loginView } from './ui/login';
import { ReplayScreen, type ReplayHooks } from './ui/replay-screen';
import { canReplay, formatRoute, parseHash, type Route } from './replay/route';
import type { SoundDisplay } from './ui/top-bar';

const prefs = loadPrefs();
const store = new Store(
  initialState({
    locale: prefs.locale ?? defaultLocale(navigator.languages?.length ? navigator.languages : [navigator.language]),
    soundOn: prefs.soundOn ?? true,
  }),
);
const root = document.getElementById('app')!;
const sound = new AlarmSound();
/** Server time, as well as we know it: the alerts' times are the server's. */
const clock = () => Date.now() + store.getState().clockOffsetMs;

interface Session {
  token: string;
  api: Api;
  realtime: Realtime | null;
  screen: LiveScreen | ReplayScreen | null;
}
let session: Session | null = null;
let mapReadyFloor: string | null = null;

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
  if (!renderQueued) {
    renderQueued = true;
    requestAnimationFrame(() => {
      renderQueued = false;
      session?.screen?.update(store.getState(), clock());
    });
  }
});
setInterval(() => session?.screen?.tick(clock()), 1000);

function updateAlarm(state: ClientState): void {
  const alarming = alarmingAlerts(state);
  const level = alarming.length ? (alarming.some((a) => a.severity === 'critical') ? 'critical' : 'high') : null;
  sound.setLevel(state.soundOn && state.audioUnlocked && session ? level : null);
  let fresh = false;
  for (const a of alarming) {
    if (!alarmSeen.has(a.id)) {
      alarmSeen.add(a.id);
      fresh = true;
    }
  }
  if (fresh && state.soundOn) navigator.vibrate?.([400, 200, 400, 200, 400]);
  const name = t(state.locale, 'appName');
  document.title = alarming.length ? `⚠ (${alarming.length}) ${name}` : name;
  document.documentElement.lang = state.locale;
}

// --- screens ---
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
    ),
  );
}

async function startSession(saved: SavedSession): Promise<void> {
  performance.mark('carewatch:session-start');
  const s: Session = { token: saved.token, api: createApi(saved.token, () => endSession()), realtime: null, screen: null };
  session = s;
  mapReadyFloor = null;
  store.dispatch({ type: 'session/started', user: saved.user });
  showMessage(t(store.getState().locale, 'loading'));
  try {
    const requestedAtSeq = store.getState().seq;
    const [sites, residents, open, acknowledged] = await Promise.all([
      s.api.sites(),
      s.api.residents(),
      s.api.alerts('open'),
      s.api.alerts('acknowledged'),
    ]);
    if (session !== s) return;
    performance.mark('carewatch:data-loaded');
    store.dispatch({ type: 'data/loaded', sites, residents });
    store.dispatch({ type: 'alerts/snapshot', alerts: [...open, ...acknowledged], requestedAtSeq });
  } catch (err) {
    if (session !== s) return;
    if (err instanceof ApiError && err.status === 401) return; // endSession already ran
    const message = err instanceof Error ? err.message : String(err);
    showMessage(t(store.getState().locale, 'loadFailed', { message }), () => void startSession(saved));
    return;
  }
  const state = store.getState();
  const savedFloor = prefs.floorId && state.catalog?.floorsById[prefs.floorId] ? prefs.floorId : null;
  const floorId = savedFloor ?? defaultFloorId(state);
  if (floorId) store.dispatch({ type: 'floor/selected', floorId });

  showRoute(s, parseHash(location.hash));
  s.realtime = new Realtime(saved.token, store, s.api, () => endSession());
  s.realtime.start();
}

// --- navigation: the URL hash names the screen (#/live, #/replay/<alertId>, ...) ---
function navigate(route: Route): void {
  const hash = formatRoute(route);
  if (location.hash !== hash) location.hash = hash; // hashchange shows it
  else if (session) showRoute(session, route);
}

window.addEventListener('hashchange', () => {
  if (session && session.screen) showRoute(session, parseHash(location.hash));
});

function showRoute(s: Session, route: Route): void {
  // the live alarm keeps sounding on every screen: the session, the socket and the store stay as they are
  if (route.screen === 'replay' && canReplay(store.getState().user)) {
    if (!(s.screen instanceof ReplayScreen)) {
      s.screen?.destroy();
      mapReadyFloor = null;
      s.screen = createReplayScreen(s);
      root.replaceChildren(s.screen.el);
    }
    s.screen.open(route.source);
    s.screen.update(store.getState(), clock());
    return;
  }
  if (route.screen === 'replay' && location.hash !== '#/live') history.replaceState(null, '', '#/live');
  if (s.screen instanceof LiveScreen) return;
  s.screen?.destroy();
  s.screen = createLiveScreen(s);
  root.replaceChildren(s.screen.el);
  s.screen.update(store.getState(), clock());
}

function createReplayScreen(s: Session): ReplayScreen {
  return new ReplayScreen(
    {
      api: s.api,
      navigate,
      showLive: (alertId) => {
        navigate({ screen: 'live' });
        store.dispatch({ type: 'alert/focused', alertId });
      },
      acknowledge: (id) => void act(s, id, 'ack', ''),
      toggleSound,
      toggleLocale,
      signOut: () => {
        void s.api.logout();
        endSession();
      },
    },
    store.getState(),
    clock,
  );
}

function createLiveScreen(s: Session): LiveScreen {
  return new LiveScreen(
    {
      selectFloor: (id) => {
        prefs.floorId = id;
        savePrefs({ floorId: id });
        store.dispatch({ type: 'floor/selected', floorId: id });
      },
      focusAlert: (id) => store.dispatch({ type: 'alert/focused', alertId: id }),
      act: (id, action, note) => void act(s, id, action, note),
      toggleSound,
      toggleLocale,
      signOut: () => {
        void s.api.logout();
        endSession();
      },
      onMapReady: (id) => {
        performance.mark('carewatch:ready', { detail: id });
        mapReadyFloor = id;
      },
      navigate,
    },
    clock,
  );
}

function endSession(): void {
  const s = session;
  if (!s) return;
  session = null;
  s.realtime?.close();
  s.screen?.destroy();
  saveSession(null);
  sound.setLevel(null);
  mapReadyFloor = null;
  store.dispatch({ type: 'session/ended' });
  showLogin();
}

async function act(s: Session, alertId: string, action: AlertAction, note: string): Promise<void> {
  store.dispatch({ type: 'alert/action-started', alertId, action });
  try {
    const alert = action === 'ack' ? await s.api.acknowledge(alertId, note) : await s.api.resolve(alertId, note);
    store.dispatch({ type: 'alert/action-finished', alertId, alert });
  } catch (err) {
    store.dispatch({ type: 'alert/action-finished', alertId, error: err instanceof Error ? err.message : String(err) });
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

// --- test and debugging hooks ---
declare global {
  interface Window {
    __carewatch: {
      readonly ready: boolean;
      readonly state: ClientState;
      readonly deck: unknown;
      project(x: number, y: number): [number, number] | null;
      dispatch: Store['dispatch'];
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
window.__carewatch = {
  get ready() {
    const st = store.getState();
    return mapReadyFloor !== null && mapReadyFloor === st.selectedFloorId && st.positions.complete;
  },
  get state() {
    return store.getState();
  },
  get deck() {
    return session?.screen?.map.deck ?? null;
  },
  project: (x, y) => session?.screen?.map.project(x, y) ?? null,
  dispatch: store.dispatch,
  get replay() {
    return session?.screen instanceof ReplayScreen ? session.screen.hooks : NO_REPLAY;
  },
};

const resumed = loadSession();
if (resumed) void startSession(resumed);
else showLogin();
