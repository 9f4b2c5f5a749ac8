/**
 * Web Push on this device: `enablePush` registers the service worker (/sw.js), subscribes with the
 * server's VAPID public key and stores the subscription for the logged-in account (with the device's
 * quiet-vibrate choice); `disablePush` undoes both; `pushState` says where the device stands. The
 * family page and the phone nurse view put a switch on these.
 */
export type PushState = 'unsupported' | 'blocked' | 'off' | 'on';

export interface PushStatus {
  state: PushState;
  quiet: boolean;
}

const SW_URL = '/sw.js';
const QUIET_KEY = 'carewatch.push.quiet';

const supported = () => typeof window !== 'undefined' && 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;

function authed(token: string, init: RequestInit = {}): RequestInit {
  return { ...init, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(init.headers ?? {}) } };
}

/** base64url -> bytes (the applicationServerKey PushManager wants). */
function keyBytes(b64url: string): Uint8Array {
  const b64 = b64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (b64url.length % 4)) % 4);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

async function registration(): Promise<ServiceWorkerRegistration> {
  return (await navigator.serviceWorker.getRegistration(SW_URL)) ?? navigator.serviceWorker.register(SW_URL, { scope: '/' });
}

export async function pushState(): Promise<PushStatus> {
  const quiet = localStorage.getItem(QUIET_KEY) === '1';
  if (!supported()) return { state: 'unsupported', quiet };
  if (Notification.permission === 'denied') return { state: 'blocked', quiet };
  const reg = await navigator.serviceWorker.getRegistration(SW_URL);
  const sub = await reg?.pushManager.getSubscription();
  return { state: sub ? 'on' : 'off', quiet };
}

/** Ask for permission, subscribe, and register the subscription for this account. */
export async function enablePush(token: string, opts: { quiet?: boolean } = {}): Promise<PushStatus> {
  if (!supported()) return { state: 'unsupported', quiet: false };
  if ((await Notification.requestPermission()) !== 'granted') return { state: 'blocked', quiet: false };
  const res = await fetch('/api/v1/push/vapid-public-key');
  if (!res.ok) throw new Error(`push key: ${res.status}`);
  const { publicKey } = (await res.json()) as { publicKey: string };
  const reg = await registration();
  await navigator.serviceWorker.ready;
  const sub = (await reg.pushManager.getSubscription()) ?? (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) as BufferSource }));
  const quiet = opts.quiet ?? localStorage.getItem(QUIET_KEY) === '1';
  const json = sub.toJSON() as { endpoint: string; keys: { p256dh: string; auth: string } };
  const saved = await fetch('/api/v1/push/subscriptions', authed(token, { method: 'POST', body: JSON.stringify({ endpoint: json.endpoint, keys: json.keys, quiet }) }));
  if (!saved.ok) throw new Error(((await saved.json().catch(() => ({}))) as { error?: string }).error ?? `push subscription: ${saved.status}`);
  localStorage.setItem(QUIET_KEY, quiet ? '1' : '0');
  return { state: 'on', quiet };
}

/** Stop notifications on this device: the server forgets the subscription, the browser drops it. */
export async function disablePush(token: string): Promise<PushStatus> {
  const quiet = localStorage.getItem(QUIET_KEY) === '1';
  if (!supported()) return { state: 'unsupported', quiet };
  const reg = await navigator.serviceWorker.getRegistration(SW_URL);
  const sub = await reg?.pushManager.getSubscription();
  if (sub) {
    const mine = (await (await fetch('/api/v1/push/subscriptions', authed(token))).json().catch(() => [])) as Array<{ id: string; endpoint: string }>;
    for (const s of mine.filter((s) => s.endpoint === sub.endpoint)) await fetch(`/api/v1/push/subscriptions/${encodeURIComponent(s.id)}`, authed(token, { method: 'DELETE' }));
    await sub.unsubscribe();
  }
  return { state: 'off', quiet };
}
