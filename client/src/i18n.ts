/** UI text in Simplified Chinese and English. English is the reference: the Chinese table must have every key. */
import type { AlertKind, AlertState, Severity } from '../../geo/model';
import type { Locale } from './state/types';

const en = {
  appName: 'CareWatch',
  loginTitle: 'Sign in',
  username: 'Username',
  password: 'Password',
  signIn: 'Sign in',
  signingIn: 'Signing in…',
  loginFailed: 'Wrong username or password.',
  loginError: 'Cannot reach the server: {message}',
  signOut: 'Sign out',
  loading: 'Loading…',
  loadFailed: 'Could not load the site data: {message}',
  retry: 'Retry',
  connLive: 'Live',
  connConnecting: 'Connecting…',
  connReconnecting: 'Reconnecting…',
  connOffline: 'Offline',
  soundOn: 'Sound on',
  soundOff: 'Sound off',
  soundLocked: 'Tap to enable sound',
  language: '中文',
  floors: 'Floors',
  alerts: 'Alerts',
  noAlerts: 'No open alerts',
  acknowledge: 'Acknowledge',
  resolve: 'Resolve',
  show: 'Show',
  notePlaceholder: 'Note (optional)',
  stateOpen: 'Open',
  stateAcknowledged: 'Acknowledged by {who}',
  stateResolved: 'Resolved',
  unknownZone: 'unknown zone',
  secondsAgo: '{n} s ago',
  minutesAgo: '{n} min ago',
  hoursAgo: '{h} h {m} min ago',
  alarmMore: '+{n} more',
  fitFloor: 'Fit floor',
  wanderRisk: 'wander risk',
  fallRisk: 'fall risk',
  lastFix: 'last fix {ago}',
  actionFailed: 'Failed: {message}',
  noFloor: 'No floor selected',
  residentsOnFloor: '{n} residents on this floor',
  legendRoom: 'Room',
  legendExit: 'Exit',
  legendForbidden: 'Forbidden',
  legendWander: 'Wander risk',
  legendAlert: 'Alert',
} as const;

export type MessageKey = keyof typeof en;

const zh: Record<MessageKey, string> = {
  appName: '智护守望',
  loginTitle: '登录',
  username: '用户名',
  password: '密码',
  signIn: '登录',
  signingIn: '正在登录…',
  loginFailed: '用户名或密码错误。',
  loginError: '无法连接服务器：{message}',
  signOut: '退出',
  loading: '正在加载…',
  loadFailed: '无法加载机构数据：{message}',
  retry: '重试',
  connLive: '实时',
  connConnecting: '正在连接…',
  connReconnecting: '正在重连…',
  connOffline: '离线',
  soundOn: '声音开',
  soundOff: '声音关',
  soundLocked: '点击开启声音',
  language: 'English',
  floors: '楼层',
  alerts: '报警',
  noAlerts: '暂无未处理报警',
  acknowledge: '确认',
  resolve: '处理完毕',
  show: '定位',
  notePlaceholder: '备注（可选）',
  stateOpen: '未确认',
  stateAcknowledged: '{who} 已确认',
  stateResolved: '已处理',
  unknownZone: '未知区域',
  secondsAgo: '{n} 秒前',
  minutesAgo: '{n} 分钟前',
  hoursAgo: '{h} 小时 {m} 分钟前',
  alarmMore: '另有 {n} 条',
  fitFloor: '全层视图',
  wanderRisk: '走失风险',
  fallRisk: '跌倒风险',
  lastFix: '最后定位 {ago}',
  actionFailed: '操作失败：{message}',
  noFloor: '未选择楼层',
  residentsOnFloor: '本层 {n} 位老人',
  legendRoom: '房间',
  legendExit: '出口',
  legendForbidden: '禁入区',
  legendWander: '走失风险',
  legendAlert: '报警',
};

const ALERT_KIND_LABELS: Record<Locale, Record<AlertKind, string>> = {
  en: {
    exit_approach: 'Approaching exit',
    left_safe_zone: 'Left safe zone',
    forbidden_zone: 'Entered forbidden zone',
    left_area: 'Left area',
    wander_pattern: 'Restless wandering',
    exit_lingering: 'Lingering at exit',
    fall: 'Fall',
    sos: 'SOS',
    out_of_bed: 'Out of bed too long',
    bathroom_long: 'In bathroom too long',
    inactivity: 'No movement',
    tag_silent: 'Tag silent',
    low_battery: 'Low battery',
    tamper: 'Tag removed',
  },
  'zh-CN': {
    exit_approach: '接近出口',
    left_safe_zone: '离开安全区',
    forbidden_zone: '进入禁入区',
    left_area: '离开活动范围',
    wander_pattern: '徘徊游走',
    exit_lingering: '出口徘徊',
    fall: '跌倒',
    sos: '紧急呼叫',
    out_of_bed: '离床过久',
    bathroom_long: '如厕过久',
    inactivity: '长时间未活动',
    tag_silent: '定位标签无信号',
    low_battery: '电量低',
    tamper: '标签被摘除',
  },
};

const SEVERITY_LABELS: Record<Locale, Record<Severity, string>> = {
  en: { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low' },
  'zh-CN': { critical: '紧急', high: '高', medium: '中', low: '低' },
};

const TABLES: Record<Locale, Record<MessageKey, string>> = { en, 'zh-CN': zh };

export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];

export function t(locale: Locale, key: MessageKey, params?: Record<string, string | number>): string {
  const text = TABLES[locale][key] ?? en[key];
  return params ? text.replace(/\{(\w+)\}/g, (m, name: string) => String(params[name] ?? m)) : text;
}

export function alertKindLabel(locale: Locale, kind: AlertKind): string {
  return ALERT_KIND_LABELS[locale][kind] ?? kind;
}

export function severityLabel(locale: Locale, severity: Severity): string {
  return SEVERITY_LABELS[locale][severity] ?? severity;
}

export function alertStateLabel(locale: Locale, state: AlertState, who?: string): string {
  if (state === 'acknowledged') return t(locale, 'stateAcknowledged', { who: who ?? '' });
  return t(locale, state === 'open' ? 'stateOpen' : 'stateResolved');
}

/** "12 s ago" / "3 min ago" / "1 h 5 min ago"; never negative (clocks differ a little). */
export function timeAgo(locale: Locale, ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return t(locale, 'secondsAgo', { n: s });
  const min = Math.floor(s / 60);
  if (min < 60) return t(locale, 'minutesAgo', { n: min });
  return t(locale, 'hoursAgo', { h: Math.floor(min / 60), m: min % 60 });
}

export function defaultLocale(languages: readonly string[]): Locale {
  for (const lang of languages) {
    const l = lang.toLowerCase();
    if (l.startsWith('zh')) return 'zh-CN';
    if (l.startsWith('en')) return 'en';
  }
  return 'en';
}
