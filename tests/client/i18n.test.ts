import { describe, expect, it } from 'vitest';
import { ALERT_KINDS } from '../../geo/model';
import { alertKindLabel, defaultLocale, t, timeAgo } from '../../client/src/i18n';

describe('i18n', () => {
  it('names every alert kind in both languages', () => {
    for (const kind of ALERT_KINDS) {
      expect(alertKindLabel('en', kind)).not.toBe(kind);
      expect(alertKindLabel('zh-CN', kind)).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('defaults to Chinese for a Chinese browser and English otherwise', () => {
    expect(defaultLocale(['zh-CN'])).toBe('zh-CN');
    expect(defaultLocale(['zh-TW', 'en'])).toBe('zh-CN');
    expect(defaultLocale(['en-US', 'zh-CN'])).toBe('en');
    expect(defaultLocale(['de-DE'])).toBe('en');
  });

  it('fills parameters', () => {
    expect(t('en', 'alarmMore', { n: 2 })).toBe('+2 more');
    expect(t('zh-CN', 'stateAcknowledged', { who: '张护士' })).toBe('张护士 已确认');
  });

  it('says how long ago a fix was, never negative', () => {
    expect(timeAgo('en', -500)).toBe('0 s ago');
    expect(timeAgo('en', 75_000)).toBe('1 min ago');
    expect(timeAgo('zh-CN', 3_900_000)).toBe('1 小时 5 分钟前');
  });
});
