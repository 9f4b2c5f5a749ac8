/**
 * The office screens in real headless Chromium against the real server: the manager's overview and a replay
 * opened from it, the regulator's four-level rollup (numbers, no names), and an IMDF archive imported through the
 * setup screen, where a resident created there raises an exit-approach alert on the new plan.
 * Needs `npm run build:client` first (`npm test` does it) and Debian's chromium.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../geo/model';
import { startServer } from '../../server/app';
import { careHomeArchive, zipArchive } from '../fixtures/imdf-zip';
import { CHROMIUM_PATH, launchBrowser, type BrowserSession } from '../helpers/browser';
import { api, login, postFixes } from '../helpers/server';

const DIST = new URL('../../client/dist/index.html', import.meta.url);
/** Screenshots for the README are refreshed with DOCS_SCREENSHOTS=1. */
const DOCS = process.env.DOCS_SCREENSHOTS === '1' ? join(process.cwd(), 'docs', 'screenshots') : null;
const VIEWPORTS = { phone: { width: 390, height: 844 }, tablet: { width: 1024, height: 768 }, desktop: { width: 1440, height: 900 } };

let server: Awaited<ReturnType<typeof startServer>>;
let dataDir: string;
let sos: Alert;
const sessions: BrowserSession[] = [];

async function signIn(username: string, viewport = VIEWPORTS.desktop, hash = ''): Promise<BrowserSession> {
  const b = await launchBrowser({ locale: 'en-US', viewport });
  sessions.push(b);
  await b.page.goto(`${server.url}/${hash}`);
  await b.page.getByTestId('login-username').fill(username);
  await b.page.getByTestId('login-password').fill(`${username}-demo`);
  await b.page.getByTestId('login-submit').click();
  return b;
}

/** Each screen at phone, tablet and desktop size, for looking at (and for the README with DOCS_SCREENSHOTS=1). */
async function shootAll(b: BrowserSession, name: string, ready: string): Promise<void> {
  for (const [size, vp] of Object.entries(VIEWPORTS)) {
    await b.page.setViewportSize(vp);
    await b.page.waitForFunction((w) => window.__carewatch?.isReady(w), ready, { timeout: 30_000 });
    await b.page.waitForTimeout(300);
    const file = await b.screenshot(`${name}-${size}`);
    if (DOCS) {
      mkdirSync(DOCS, { recursive: true });
      copyFileSync(file, join(DOCS, `${name}-${size}.png`));
    }
  }
}

beforeAll(async () => {
  if (!existsSync(DIST)) throw new Error('client/dist is missing: run `npm run build:client` (npm test does it first)');
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`no browser at ${CHROMIUM_PATH}: apt-get install -y chromium`);
  dataDir = mkdtempSync(join(tmpdir(), 'carewatch-office-'));
  server = await startServer({ port: 0, simulator: false, demo: true, dataDir, logLevel: 'warn' });
  // a resident of the memory-care ward walks the corridor and presses SOS; a nurse answers after a while
  const t0 = Date.now() - 60_000;
  const walk = Array.from({ length: 20 }, (_, i) => ({ tagId: 'T-0020', ts: t0 + i * 2000, floorId: 'hn1-A2', x: 30 + i * 0.5, y: 19.5, accuracy: 0.3, battery: 70 }));
  walk.push({ ...walk[19], ts: t0 + 41_000, event: 'sos' } as (typeof walk)[number]);
  expect((await postFixes(server.url, walk)).status).toBe(202);
  const nurse = await login(server.url, 'nurse');
  for (let i = 0; i < 100 && !sos; i++) {
    sos = (await api<Alert[]>(server.url, nurse, '/api/v1/alerts?state=open')).body.find((a) => a.kind === 'sos' && a.tagId === 'T-0020')!;
    if (!sos) await new Promise((r) => setTimeout(r, 100));
  }
  expect(sos).toBeDefined();
  await new Promise((r) => setTimeout(r, 1200));
  expect((await api(server.url, nurse, `/api/v1/alerts/${sos.id}/ack`, { method: 'POST', body: JSON.stringify({ note: 'on my way' }) })).status).toBe(200);
}, 120_000);

afterAll(async () => {
  for (const b of sessions) await b.close();
  await server?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the office screens (real browser, real server)', () => {
  it('a manager lands on the overview, sees the alert counted per ward and kind, and opens its replay', async () => {
    const b = await signIn('manager');
    const { page } = b;
    await page.waitForFunction(() => window.__carewatch?.isReady('overview'), null, { timeout: 45_000 });
    expect(new URL(page.url()).hash).toBe('#/overview');
    expect(Number(await page.getByTestId('kpi-alerts').locator('.kpi-value').innerText())).toBeGreaterThanOrEqual(1);
    const ward = page.locator('[data-testid="ward-kind"] tr[data-ward="hn1-ward-A2"]');
    await expect.poll(() => ward.count(), { timeout: 20_000 }).toBe(1);
    expect(await ward.innerText()).toContain('1');
    expect(await page.getByTestId('by-shift').innerText()).toMatch(/Early|Late|Night/);
    expect(Number(await page.getByTestId('dev-never').locator('.kpi-value').innerText())).toBeGreaterThan(50);
    const row = page.locator(`[data-testid="alert-list"] tr[data-alert="${sos.id}"]`);
    expect(await row.innerText()).toContain('邓华');
    await row.getByTestId('open-replay').click();
    // the replay has loaded this alert's tracks (its map's first frame can take long on a loaded machine)
    await page.waitForFunction((id) => window.__carewatch?.replay.alertId === id && window.__carewatch.replay.start !== null, sos.id, { timeout: 60_000 }).catch(async (err) => {
      console.log(b.problems.all(), (await page.locator('body').innerText()).slice(0, 1500));
      throw err;
    });
    expect(new URL(page.url()).hash).toBe(`#/replay/${encodeURIComponent(sos.id)}`);
    expect(await page.getByTestId('replay-jump').count()).toBe(1);
    await page.evaluate(() => void (location.hash = '#/overview'));
    await shootAll(b, 'overview-manager', 'overview');
    expect(b.problems.all()).toEqual([]);
  }, 120_000);

  it('the regulator drills down province -> city -> county -> institution, with numbers at each level and no names', async () => {
    const b = await signIn('regulator');
    const { page } = b;
    await page.waitForFunction(() => window.__carewatch?.isReady('overview'), null, { timeout: 45_000 });
    const names = [...server.registry.residents.values()].map((r) => r.name);
    for (const level of ['province', 'city', 'county', 'institution']) {
      const table = page.getByTestId(`level-${level}`);
      await expect.poll(() => table.count(), { timeout: 20_000 }).toBe(1);
      const alerts = Number(await table.locator('td[data-field="alerts"]').first().innerText());
      expect(alerts, level).toBeGreaterThanOrEqual(1);
      const text = await page.locator('body').innerText();
      for (const n of names) expect(text, `${level} shows ${n}`).not.toContain(n);
      if (level === 'county') await shootAll(b, 'overview-regulator', 'overview');
      if (level !== 'institution') await table.getByTestId('drill').first().click();
    }
    expect(await page.getByTestId('crumbs').innerText()).toMatch(/Anhui.*Huainan.*Tianjia/s);
    expect(b.problems.all()).toEqual([]);
  }, 120_000);

  it('an IMDF zip imported through the setup screen shows its floors and rooms, and a resident created there raises exit_approach on the new plan', async () => {
    const file = join(dataDir, 'sunrise.zip');
    writeFileSync(file, zipArchive(careHomeArchive()));
    const b = await signIn('admin');
    const { page } = b;
    await page.waitForFunction(() => window.__carewatch?.isReady('setup'), null, { timeout: 45_000 });
    expect(new URL(page.url()).hash).toBe('#/setup');
    await page.getByTestId('import-name').fill('Sunrise Care Home');
    await page.getByTestId('import-file').setInputFiles(file);
    await page.getByTestId('import-button').click();
    await expect.poll(() => page.getByTestId('import-result').innerText().catch(() => ''), { timeout: 30_000 }).toMatch(/Imported 3 floors/);
    const summary = page.getByTestId('site-summary');
    // the fixture: 3 levels; rooms 101-104 on the ground floor and the day room upstairs
    expect(await summary.getAttribute('data-floors')).toBe('3');
    expect(await summary.getAttribute('data-rooms')).toBe('5');
    expect(await page.getByTestId('floor-tab').count()).toBe(3);
    expect(await page.locator('[data-testid="plan"] path[data-kind="bathroom"]').count()).toBe(5);
    expect(await page.locator('[data-testid="plan"] path[data-kind="exit"]').count()).toBe(6);
    expect(await page.getByTestId('import-warnings').innerText()).toContain('input name here');
    await shootAll(b, 'setup', 'setup');
    await page.setViewportSize(VIEWPORTS.desktop);
    // the plan itself, below the fold of the screenshots above
    const plan = await page.getByTestId('site-card').screenshot({ path: join(dataDir, 'setup-plan.png') });
    expect(plan.length).toBeGreaterThan(10_000);
    if (DOCS) copyFileSync(join(dataDir, 'setup-plan.png'), join(DOCS, 'setup-plan-desktop.png'));

    // what a unit became, and a camera on the west door
    const siteId = (await page.getByTestId('site-select').inputValue()).trim();
    await page.locator(`[data-testid="plan"] path[data-zone="${siteId}-door-west-exit"]`).click();
    await page.getByTestId('camera-id').fill('cam-west');
    await page.getByTestId('camera-snapshot').fill('http://127.0.0.1:9/west.jpg');
    await page.getByTestId('camera-stream').fill('rtsp://127.0.0.1/west');
    await page.getByTestId('zone-save').click();
    await expect.poll(() => page.getByTestId('zone-status').innerText(), { timeout: 20_000 }).toBe('Saved.');

    await page.getByTestId('resident-name').fill('Sun Li');
    await page.getByTestId('resident-tag').fill('SUN-1');
    await page.getByTestId('resident-room').selectOption(`${siteId}-room-101`);
    await page.getByTestId('resident-wander').check();
    await page.getByTestId('resident-create').click();
    await expect.poll(() => page.getByTestId('resident-form').getByTestId('form-status').innerText(), { timeout: 20_000 }).toContain('SUN-1');
    await page.getByTestId('key-create').click();
    const key = await page.getByTestId('new-key').innerText();
    expect(key.length).toBeGreaterThan(20);

    const floorId = `${siteId}-lvl-0`;
    const t0 = Date.now() - 15_000;
    const fixes = Array.from({ length: 10 }, (_, i) => ({ tagId: 'SUN-1', ts: t0 + i * 1000, floorId, x: -9 - i * 0.6, y: 0, accuracy: 0.3 }));
    expect((await postFixes(server.url, fixes, key)).status).toBe(202);
    await page.waitForFunction(
      (zone) => Object.values(window.__carewatch.state.alerts).some((a) => a.kind === 'exit_approach' && a.zoneId === zone),
      `${siteId}-door-west-exit`,
      { timeout: 20_000 },
    );
    const admin = await login(server.url, 'admin');
    const open = (await api<Alert[]>(server.url, admin, '/api/v1/alerts?state=open')).body.find((a) => a.kind === 'exit_approach' && a.siteId === siteId);
    expect(open).toMatchObject({ residentName: 'Sun Li', zoneId: `${siteId}-door-west-exit` });
    expect(b.problems.all()).toEqual([]);
  }, 180_000);
});
