/** Strings of the alarm chain on the client (escalation badge, camera, push switch), in both languages of the UI. */
import type { Locale } from '../state/types';

const en = {
  escalated: 'Escalated · level {n}',
  escalatedTo: 'Nobody acknowledged in time: sent to {to}',
  camera: 'Camera: {name}',
  cameraStream: 'live',
  pushOn: 'Notifications on this phone',
  pushQuiet: 'Vibrate quietly',
  pushBlocked: 'Notifications are blocked in this browser',
  pushUnsupported: 'This browser cannot receive notifications',
};

const zh: Record<AlarmKey, string> = {
  escalated: '已升级 · 第 {n} 级',
  escalatedTo: '未及时确认：已通知 {to}',
  camera: '摄像头：{name}',
  cameraStream: '实时画面',
  pushOn: '在本机接收通知',
  pushQuiet: '静音振动',
  pushBlocked: '此浏览器已禁止通知',
  pushUnsupported: '此浏览器不支持通知',
};

export type AlarmKey = keyof typeof en;

const ROLES: Record<Locale, Record<string, string>> = {
  en: { nurse: 'the nurses', charge_nurse: 'the charge nurse', manager: 'the manager', admin: 'the administrator' },
  'zh-CN': { nurse: '护士', charge_nurse: '护士长', manager: '院长', admin: '管理员' },
};

/** An escalation audience (a role, or a username shown as is). */
export function audienceLabel(locale: Locale, to: string): string {
  return ROLES[locale][to] ?? to;
}

export function at(locale: Locale, key: AlarmKey, params?: Record<string, string | number>): string {
  const text = (locale === 'zh-CN' ? zh : en)[key] ?? en[key];
  return params ? text.replace(/\{(\w+)\}/g, (m, name: string) => String(params[name] ?? m)) : text;
}
