/**
 * The screens beyond the desktop floor map, in real headless Chromium against the real server with the simulator:
 * the city map on MapLibre with deck.gl, a nurse handling an alert on a phone, the family page, every screen
 * fitting phone and tablet widths, the language and theme switches, and a role with no screen that can still
 * sign out. Needs `npm run build:client` first and Debian's chromium.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../geo/model';
import { CITY_COLOURS } from '../../client/src/city/style';
import { startServer } from '../../server/app';
import { demoRelative } from '../../server/auth/demo';
import type { ResidentDto } from '../../client/src/state/types';
import { CHROMIUM_PATH, countColour, decodePng, launchBrowser, type BrowserSession } from '../helpers/browser';

const DIST = new URL('../../client/dist/index.html', import.meta.url);
const PHONE = { width: 390, height: 844 };
const TABLET = { width: 1024, height: 768 };

let server: Awaited<ReturnType<typeof startServer>>;
let dataDir: string;
const sessions: BrowserSession[] = [];
type Page = BrowserSession['page'];

async function rest<T>(path: string, token: string | null, init: RequestInit = {}): Promise<T> {
  const res = await fetch(server.url + path, {
    ...init,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...init.headers },
  });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
const tokenOf = async (user: string) => (await rest<{ token: string }>('/api/v1/auth/login', null, { method: 'POST', body: JSON.stringify({ username: user, password: `${user}-demo` }) })).token;

async function open(user: string, hash: string, viewport: { width: number; height: number }, locale = 'en-US'): Promise<BrowserSession> {
  const b = await launchBrowser({ locale, viewport });
  sessions.push(b);
  await b.page.goto(`${server.url}/${hash}`);
  await b.page.getByTestId('login-username').fill(user);
  await b.page.getByTestId('login-password').fill(`${user}-demo`);
  await b.page.getByTestId('login-submit').click();
  return b;
}

/**
 * engine.io drops a polling session whose pings a loaded machine answered late, and the client reconnects (which
 * is what we want of it); Chromium logs the refused old session id as a console error. Anything else counts.
 */
const problems = (b: BrowserSession) => b.problems.all().filter((p) => !/socket\.io\/\?EIO=4&transport=(polling|websocket)&.*sid=.*(400|Bad Request)/.test(p));

const scrollWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);
const screenReady = (page: Page, what: string) => page.waitForFunction((w) => window.__carewatch?.isReady(w) === true, what, { timeout: 90_000 });

beforeAll(async () => {
  if (!existsSync(DIST)) throw new Error('client/dist is missing: run `npm run build:client` (npm test does it first)');
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`no browser at ${CHROMIUM_PATH}: apt-get install -y chromium`);
  dataDir = mkdtempSync(join(tmpdir(), 'carewatch-mobile-'));
  server = await startServer({ port: 0, simulator: true, demo: true, dataDir, simulatorOptions: { firstWanderAfterMs: 5000, outdoorIntervalMs: 2000 }, logLevel: 'warn' });
}, 90_000);

afterAll(async () => {
  for (const b of sessions) await b.close();
  await server?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('city map (MapLibre + deck.gl through MapboxOverlay)', () => {
  let b: BrowserSession;

  it('draws the site with MapLibre and the residents with deck.gl, on a tablet', async () => {
    b = await open('manager', '#/city', TABLET);
    const { page } = b;
    await screenReady(page, 'city');
    await page.waitForFunction(() => (window.__carewatch.screen as { markers: unknown[] }).markers.length > 0, null, { timeout: 30_000 });
    // MapLibre: the building footprints are rendered features of its own layer
    const rendered = await page.evaluate(() => {
      const map = (window.__carewatch.screen as { map: { queryRenderedFeatures(o: unknown): { layer: { id: string } }[] } }).map;
      return map.queryRenderedFeatures({ layers: ['site-buildings', 'site-homes', 'site-campus'] }).map((f) => f.layer.id);
    });
    expect(rendered).toContain('site-buildings');
    expect(rendered).toContain('site-homes');
    const shot = decodePng(readFileSync(await b.screenshot('city-tablet')));
    const hex = CITY_COLOURS.dark.building;
    const rgb = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
    expect(countColour(shot, rgb, 1)).toBeGreaterThan(20);
    // deck.gl: picking at a community resident's dot returns that resident
    const picked = await page.evaluate(() => {
      const s = window.__carewatch.screen as { markers: { id: string; lngLat: [number, number]; community: boolean }[]; project(ll: [number, number]): [number, number]; overlay: { pickObject(o: unknown): { object?: { id: string } } | null } };
      const m = s.markers.find((x) => x.community) ?? s.markers[0];
      const [x, y] = s.project(m.lngLat);
      return { want: m.id, got: s.overlay.pickObject({ x, y, radius: 4 })?.object?.id ?? null };
    });
    expect(picked.got).toBe(picked.want);
    expect(await scrollWidth(page)).toBe(TABLET.width);
  }, 180_000);

  it('moves a simulated community resident on the map', async () => {
    const { page } = b;
    const where = () =>
      page.evaluate(() => {
        const s = window.__carewatch.screen as { markers: { id: string; lngLat: [number, number]; community: boolean }[] };
        return Object.fromEntries(s.markers.filter((m) => m.community).map((m) => [m.id, m.lngLat]));
      });
    const before = await where();
    expect(Object.keys(before).length).toBeGreaterThan(0);
    await expect
      .poll(async () => {
        const now = await where();
        return Object.keys(before).some((id) => now[id] && (now[id][0] !== before[id][0] || now[id][1] !== before[id][1]));
      }, { timeout: 40_000, interval: 1000 })
      .toBe(true);
  }, 60_000);

  it('made no page errors, no console errors and no request off this machine', async () => {
    expect(problems(b)).toEqual([]);
    await b.close(); // one browser at a time on a 2-core machine
  });
});

describe('a night nurse on a phone', () => {
  let b: BrowserSession;
  let alert: Alert;

  it('sees the live map fit the phone while an alert is open', async () => {
    const nurse = await tokenOf('nurse');
    await expect.poll(async () => (await rest<Alert[]>('/api/v1/alerts?state=open', nurse)).find((a) => a.kind === 'exit_approach'), { timeout: 90_000, interval: 1000 }).toBeTruthy();
    alert = (await rest<Alert[]>('/api/v1/alerts?state=open', nurse)).find((a) => a.kind === 'exit_approach')!;
    b = await open('nurse', '#/live', PHONE);
    const { page } = b;
    await page.waitForFunction(() => window.__carewatch?.ready === true, null, { timeout: 90_000 });
    expect(await scrollWidth(page)).toBe(PHONE.width);
  }, 200_000);

  it('acknowledges and resolves the alert from the bottom sheet', async () => {
    const { page } = b;
    await page.getByTestId('alert-count').click(); // pulls the sheet up
    const row = page.getByTestId(`alert-row-${alert.id}`);
    await row.waitFor({ state: 'visible', timeout: 10_000 });
    const ack = page.getByTestId(`alert-ack-${alert.id}`);
    const box = (await ack.boundingBox())!;
    expect(box.height).toBeGreaterThanOrEqual(44); // a thumb, at 3 a.m.
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    await ack.click();
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 15_000 }).toBe('acknowledged');
    await b.screenshot('phone-live-acknowledged');
    await page.getByTestId(`alert-resolve-${alert.id}`).click();
    await row.waitFor({ state: 'detached', timeout: 15_000 });
    const resolved = await rest<Alert[]>('/api/v1/alerts?state=resolved', await tokenOf('nurse'));
    expect(resolved.find((a) => a.id === alert.id)?.history.map((s) => s.by)).toContain('nurse');
  }, 60_000);

  it('fits every screen it may open on the phone and on a tablet', async () => {
    const { page } = b;
    for (const viewport of [PHONE, TABLET]) {
      await page.setViewportSize(viewport);
      for (const screen of ['live', 'city', 'replay']) {
        await page.evaluate((s) => (location.hash = `#/${s}`), screen);
        await page.waitForFunction((s) => window.__carewatch.screenId === s, screen, { timeout: 90_000 });
        await page.waitForTimeout(300);
        expect(`${screen}@${viewport.width}: ${await scrollWidth(page)}`).toBe(`${screen}@${viewport.width}: ${viewport.width}`);
      }
    }
  }, 240_000);

  it('switches language and theme from the menu', async () => {
    const { page } = b;
    await page.setViewportSize(PHONE);
    await page.evaluate(() => (location.hash = '#/live'));
    await page.getByTestId('menu-toggle').click();
    await page.getByTestId('lang-toggle').click();
    await expect.poll(() => page.getByTestId('tab-live').innerText()).toBe('实时地图');
    await page.getByTestId('menu-toggle').click();
    const before = await page.evaluate(() => getComputedStyle(document.querySelector('.top-bar')!).backgroundColor);
    await page.getByTestId('theme-toggle').click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    const after = await page.evaluate(() => getComputedStyle(document.querySelector('.top-bar')!).backgroundColor);
    expect(after).not.toBe(before);
    expect(after).toBe('rgb(255, 255, 255)');
  }, 120_000);

  it('made no page errors, no console errors and no request off this machine', async () => {
    expect(problems(b)).toEqual([]);
    await b.close(); // one browser at a time on a 2-core machine
  });
});

describe('the family page', () => {
  let b: BrowserSession;

  it('shows their relative and no other resident, and the alert with who acknowledged it', async () => {
    const admin = await tokenOf('admin');
    const residents = await rest<ResidentDto[]>('/api/v1/residents', admin);
    const relative = demoRelative(residents as never)!;
    // the relative presses SOS where the tag last was
    const pos = await rest<{ floorId: string; x: number; y: number }>(`/api/v1/residents/${relative.id}/position`, admin);
    const res = await fetch(`${server.url}/api/v1/positions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer demo-gateway-key' },
      body: JSON.stringify([{ tagId: relative.tagId, ts: Date.now(), floorId: pos.floorId, x: pos.x, y: pos.y, event: 'sos' }]),
    });
    expect(res.status).toBeLessThan(300);
    const nurse = await tokenOf('nurse');
    let sos: Alert | undefined;
    await expect.poll(async () => (sos = (await rest<Alert[]>('/api/v1/alerts?state=open', nurse)).find((a) => a.residentId === relative.id && a.kind === 'sos')), { timeout: 30_000 }).toBeTruthy();
    await rest(`/api/v1/alerts/${sos!.id}/ack`, nurse, { method: 'POST', body: JSON.stringify({ note: 'On my way' }) });

    b = await open('family', '', PHONE);
    const { page } = b;
    await screenReady(page, 'family');
    expect(new URL(page.url()).hash).toBe('#/family');
    expect(await page.getByTestId('family-name').innerText()).toBe(relative.name);
    const text = await page.locator('body').innerText();
    const others = residents.filter((r) => r.id !== relative.id && !relative.name.includes(r.name) && !r.name.includes(relative.name));
    expect(others.filter((r) => text.includes(r.name)).map((r) => r.name)).toEqual([]);
    const ack = page.getByTestId(`family-ack-${sos!.id}`);
    await ack.waitFor({ state: 'visible', timeout: 45_000 });
    expect(await ack.innerText()).toContain('nurse');
    // the position shows while the alert is open
    await page.getByTestId('family-map-section').waitFor({ state: 'visible', timeout: 15_000 });
    await page.waitForFunction(() => (window.__carewatch.screen as { position: unknown }).position !== null, null, { timeout: 30_000 });
    expect(await scrollWidth(page)).toBe(PHONE.width);
    await b.screenshot('phone-family');
    await page.setViewportSize(TABLET);
    expect(await scrollWidth(page)).toBe(TABLET.width);
  }, 120_000);

  it('made no page errors, no console errors and no request off this machine', async () => {
    expect(problems(b)).toEqual([]);
    await b.close(); // one browser at a time on a 2-core machine
  });
});

describe('the regulator', () => {
  it('lands on a screen it may use, with no refusal in English, and can sign out', async () => {
    const b = await open('regulator', '#/live', PHONE, 'zh-CN');
    const { page } = b;
    const out = page.getByTestId('sign-out');
    await out.waitFor({ state: 'attached', timeout: 30_000 });
    // on a phone the bar keeps sign-out in its menu
    if (!(await out.isVisible())) await page.getByTestId('menu-toggle').click();
    expect(await page.locator('body').innerText()).not.toContain('may not');
    await out.click();
    await page.getByTestId('login-username').waitFor({ state: 'visible', timeout: 10_000 });
    expect(problems(b)).toEqual([]);
    await b.close();
  }, 60_000);
});
