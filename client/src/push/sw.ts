/**
 * The service worker (served as /sw.js): shows a Web Push message from the server (PushMessage in
 * server/alerts/web-push.ts) as a notification in the phone's language, and opens the alert on the
 * phone view when it is tapped. Quiet devices vibrate briefly; others ask to stay on screen.
 */
import { alertKindLabel } from '../i18n';
import type { PushMessage } from '../../../server/contract';
import type { Locale } from '../state/types';
import { at } from '../strings/alarm';

interface PushEventLike extends Event {
  data: { json(): unknown } | null;
  waitUntil(p: Promise<unknown>): void;
}
interface NotificationEventLike extends Event {
  notification: Notification & { data: { url?: string } };
  waitUntil(p: Promise<unknown>): void;
}
interface WindowClientLike {
  url: string;
  focus(): Promise<unknown>;
  navigate(url: string): Promise<unknown>;
}
interface SwScope {
  registration: ServiceWorkerRegistration;
  clients: { matchAll(o: object): Promise<WindowClientLike[]>; openWindow(url: string): Promise<unknown> };
  addEventListener(type: 'push', fn: (e: PushEventLike) => void): void;
  addEventListener(type: 'notificationclick', fn: (e: NotificationEventLike) => void): void;
  addEventListener(type: 'install' | 'activate', fn: (e: Event & { waitUntil(p: Promise<unknown>): void }) => void): void;
  skipWaiting(): Promise<void>;
}

const sw = self as unknown as SwScope;
const locale: Locale = navigator.language?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';

const CHANGE: Record<Locale, Record<string, string>> = {
  en: { raised: '', updated: 'again', acknowledged: 'acknowledged', resolved: 'resolved', escalated: '' },
  'zh-CN': { raised: '', updated: '再次报警', acknowledged: '已确认', resolved: '已处理', escalated: '' },
};

export function notificationOf(m: PushMessage): { title: string; options: NotificationOptions & { vibrate?: number[]; renotify?: boolean } } {
  const change = m.change === 'escalated' && m.escalationLevel ? at(locale, 'escalated', { n: m.escalationLevel }) : CHANGE[locale][m.change] ?? '';
  const title = [alertKindLabel(locale, m.kind), m.residentName, change].filter(Boolean).join(' · ');
  const body = [m.room, m.where].filter(Boolean).join(' — ');
  const open = m.change === 'raised' || m.change === 'updated' || m.change === 'escalated';
  return {
    title,
    options: {
      body,
      tag: m.alertId,
      renotify: open,
      requireInteraction: open && !m.quiet,
      silent: m.quiet && !open,
      vibrate: m.quiet ? [150, 100, 150] : [400, 150, 400, 150, 800],
      ...(m.photoUrl ? { icon: m.photoUrl } : {}),
      data: { url: m.url },
    },
  };
}

sw.addEventListener('install', (e) => e.waitUntil(sw.skipWaiting()));

sw.addEventListener('push', (e) => {
  const m = e.data?.json() as PushMessage | undefined;
  if (!m?.alertId) return;
  const { title, options } = notificationOf(m);
  e.waitUntil(sw.registration.showNotification(title, options));
});

sw.addEventListener('notificationclick', (e) => {
  e.notification.close();
  const url = new URL(e.notification.data?.url ?? '/', sw.registration.scope).href;
  e.waitUntil(
    sw.clients.matchAll({ type: 'window', includeUncontrolled: true }).then(async (open) => {
      const tab = open.find((c) => new URL(c.url).origin === new URL(url).origin);
      if (tab) {
        await tab.navigate(url);
        return tab.focus();
      }
      return sw.clients.openWindow(url);
    }),
  );
});
