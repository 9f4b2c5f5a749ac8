/** Night and day colours: the page's CSS variables follow `data-theme`; maps read the theme from the state. */
import type { Theme } from '../state/types';

/** Without a saved choice: dark from 19:00 to 07:00 in the site's time zone (a ward at night), else light. */
export function autoTheme(now: number, timeZone?: string): Theme {
  let hour: number;
  try {
    hour = Number(new Intl.DateTimeFormat('en-GB', { hour: '2-digit', hourCycle: 'h23', timeZone }).format(now));
  } catch {
    hour = new Date(now).getHours();
  }
  return hour >= 7 && hour < 19 ? 'light' : 'dark';
}

export function applyTheme(theme: Theme): void {
  const root = document.documentElement;
  if (root.dataset.theme === theme) return;
  root.dataset.theme = theme;
  root.style.colorScheme = theme;
  document.querySelector('meta[name="theme-color"]')?.setAttribute('content', theme === 'dark' ? '#0f172a' : '#f8fafc');
}
