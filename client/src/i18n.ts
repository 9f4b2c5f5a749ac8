/** UI text in Simplified Chinese and English. English is the reference: the Chinese table must have every key. */
import type { AlertKind, AlertState, Severity } from '../../geo/model';
import type { Locale } from './state/types';
import { shellEn, shellZh } from './strings/shell';

const en = {
  ...shellEn,
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
  navLive: 'Live map',
  navReplay: 'Replay',
  replay: 'Replay',
  replayTitle: 'Incident replay',
  replayChoose: 'Choose an alert, or a resident and a time window.',
  replayAlerts: 'Alerts to replay',
  replayNoAlerts: 'No alerts.',
  replayFilter: 'Filter by resident',
  replayWindowTitle: 'Resident and time window',
  replayResident: 'Resident',
  replayEveryone: 'Everyone on the floor',
  replayFloor: 'Floor',
  replayAnyFloor: 'Any floor',
  replayFrom: 'From',
  replayDuration: 'Length',
  replayShow: 'Show replay',
  replayNeedsWho: 'Choose a resident or a floor.',
  replayBack: '← Choose another',
  replayLoading: 'Loading tracks… {n} points',
  replayLoadFailed: 'Could not load the replay: {message}',
  replayNotAllowed: 'Your account may not replay tracks.',
  replayEmpty: 'No track was recorded in this window.',
  replayTruncated: 'Too many points: the replay is cut short.',
  replayWindow: 'Window',
  replayBefore: '{n} min before',
  replayAfter: '{n} min after',
  play: 'Play',
  pause: 'Pause',
  speed: 'Speed',
  jumpToAlert: 'Jump to alert',
  follow: 'Follow',
  floorAuto: 'Auto',
  residentsShown: '{n} residents on this floor',
  responseTimes: 'Response times',
  rtRaised: 'Raised',
  rtAcknowledged: 'Acknowledged',
  rtResolved: 'Resolved',
  rtDetection: 'Detection delay',
  rtByAfter: 'by {who}, after {after}',
  rtNotYet: 'not yet',
  exportCsv: 'Export CSV',
  exportGeojson: 'Export GeoJSON',
  exportFailed: 'Export failed: {message}',
  printReport: 'Print report',
  print: 'Print',
  close: 'Close',
  reportTitle: 'Incident report',
  reportGenerated: 'Generated {time} by {who}',
  reportAlert: 'Alert',
  reportResident: 'Resident',
  reportWhere: 'Where',
  reportFixTime: 'Time of the fix',
  reportState: 'State',
  reportDetail: 'Detail',
  reportMapAt: 'Map at {time}',
  reportEvents: 'Events',
  reportTime: 'Time',
  reportEvent: 'Event',
  events: 'Events',
  noEvents: 'No events in this window.',
  eventAlert: '{kind}: {name}',
  eventAcknowledged: 'Acknowledged by {who}',
  eventResolved: 'Resolved by {who}',
  eventEnter: '{name} entered {zone}',
  eventExit: '{name} left {zone}',
  eventFloor: '{name} went from {from} to {to}',
  durationSeconds: '{n} s',
  durationMinutes: '{m} min {s} s',
  durationHours: '{h} h {m} min',
} as const;

export type MessageKey = keyof typeof en;

const zh: Record<MessageKey, string> = {
  ...shellZh,
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
  navLive: '实时地图',
  navReplay: '轨迹回放',
  replay: '回放',
  replayTitle: '事件回放',
  replayChoose: '请选择一条报警，或选择老人和时间段。',
  replayAlerts: '可回放的报警',
  replayNoAlerts: '暂无报警。',
  replayFilter: '按老人筛选',
  replayWindowTitle: '按老人和时间段',
  replayResident: '老人',
  replayEveryone: '本层所有老人',
  replayFloor: '楼层',
  replayAnyFloor: '所有楼层',
  replayFrom: '开始时间',
  replayDuration: '时长',
  replayShow: '开始回放',
  replayNeedsWho: '请选择老人或楼层。',
  replayBack: '← 重新选择',
  replayLoading: '正在加载轨迹…已加载 {n} 个点',
  replayLoadFailed: '无法加载回放：{message}',
  replayNotAllowed: '您的账号无权回放轨迹。',
  replayEmpty: '该时间段内没有轨迹记录。',
  replayTruncated: '轨迹点过多，回放已截断。',
  replayWindow: '时间范围',
  replayBefore: '之前 {n} 分钟',
  replayAfter: '之后 {n} 分钟',
  play: '播放',
  pause: '暂停',
  speed: '速度',
  jumpToAlert: '跳到报警时刻',
  follow: '跟随',
  floorAuto: '自动',
  residentsShown: '本层 {n} 位老人',
  responseTimes: '响应时间',
  rtRaised: '报警',
  rtAcknowledged: '确认',
  rtResolved: '处理完毕',
  rtDetection: '检测延迟',
  rtByAfter: '{who}，用时 {after}',
  rtNotYet: '尚未',
  exportCsv: '导出 CSV',
  exportGeojson: '导出 GeoJSON',
  exportFailed: '导出失败：{message}',
  printReport: '打印报告',
  print: '打印',
  close: '关闭',
  reportTitle: '事件报告',
  reportGenerated: '{who} 生成于 {time}',
  reportAlert: '报警',
  reportResident: '老人',
  reportWhere: '位置',
  reportFixTime: '定位时间',
  reportState: '状态',
  reportDetail: '详情',
  reportMapAt: '{time} 的地图',
  reportEvents: '事件经过',
  reportTime: '时间',
  reportEvent: '事件',
  events: '事件',
  noEvents: '该时间段内没有事件。',
  eventAlert: '{kind}：{name}',
  eventAcknowledged: '{who} 已确认',
  eventResolved: '{who} 处理完毕',
  eventEnter: '{name} 进入{zone}',
  eventExit: '{name} 离开{zone}',
  eventFloor: '{name} 从{from}到{to}',
  durationSeconds: '{n} 秒',
  durationMinutes: '{m} 分 {s} 秒',
  durationHours: '{h} 小时 {m} 分',
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

/** A span of time: "850 ms" below a second, "12.4 s", "3 min 05 s", "1 h 02 min". */
export function duration(locale: Locale, ms: number): string {
  const v = Math.max(0, ms);
  if (v < 1000) return `${Math.round(v)} ms`;
  if (v < 60_000) return t(locale, 'durationSeconds', { n: v < 10_000 ? (Math.round(v / 100) / 10).toFixed(1) : Math.round(v / 1000) });
  const s = Math.round(v / 1000);
  if (s < 3600) return t(locale, 'durationMinutes', { m: Math.floor(s / 60), s: String(s % 60).padStart(2, '0') });
  return t(locale, 'durationHours', { h: Math.floor(s / 3600), m: String(Math.floor((s % 3600) / 60)).padStart(2, '0') });
}

const timeFormats = new Map<string, Intl.DateTimeFormat>();
/** Wall-clock time "23:05:09" (with the date when `withDate`), in the site's time zone when known. */
export function clockTime(locale: Locale, ts: number, opts: { timeZone?: string; withDate?: boolean } = {}): string {
  const key = `${locale}|${opts.timeZone ?? ''}|${opts.withDate ? 1 : 0}`;
  let f = timeFormats.get(key);
  if (!f) {
    const o: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' };
    if (opts.withDate) Object.assign(o, { year: 'numeric', month: '2-digit', day: '2-digit' });
    try {
      f = new Intl.DateTimeFormat(locale, { ...o, timeZone: opts.timeZone });
    } catch {
      f = new Intl.DateTimeFormat(locale, o); // an unknown zone name: the browser's own
    }
    timeFormats.set(key, f);
  }
  return f.format(ts);
}
