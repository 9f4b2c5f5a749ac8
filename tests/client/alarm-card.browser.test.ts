/**
 * The nurse's alert card in real headless Chromium: an exit approach at a stairwell with a camera, not
 * acknowledged, escalates; the card shows the level reached and the camera (snapshot and stream links).
 * Needs `npm run build:client` first and Debian's chromium.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app';
import { CAMERA, linkedSite } from '../fixtures/linked-site';
import { CHROMIUM_PATH, launchBrowser, type BrowserSession } from '../helpers/browser';
import { api, login, postFixes, startTiny } from '../helpers/server';

let server: RunningServer;
let b: BrowserSession;

beforeAll(async () => {
  if (!existsSync(new URL('../../client/dist/index.html', import.meta.url))) throw new Error('client/dist is missing: run `npm run build:client`');
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`no browser at ${CHROMIUM_PATH}`);
  server = await startTiny({ bundles: [linkedSite()], alarm: { outboxPollMs: 50 } });
  const admin = await login(server.url, 'admin');
  expect((await api(server.url, admin, '/api/v1/sites/tiny/escalation', { method: 'PUT', body: JSON.stringify({ steps: [{ afterSeconds: 2, to: 'charge_nurse' }, { afterSeconds: 600, to: 'manager' }] }) })).status).toBe(200);
  b = await launchBrowser({ locale: 'en-US', viewport: { width: 1440, height: 900 } });
}, 90_000);

afterAll(async () => {
  await b?.close();
  await server?.close();
});

describe('the alert card (real browser, real server)', () => {
  it('shows the escalation level and the camera of the exit on the nurse alert card', async () => {
    const { page } = b;
    await page.goto(server.url);
    await page.getByTestId('login-username').fill('nurse');
    await page.getByTestId('login-password').fill('nurse-demo');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('alert-list').waitFor({ timeout: 120_000 });
    await page.waitForFunction(() => document.querySelector('[data-testid="connection"]')?.getAttribute('data-status') === 'live', null, { timeout: 120_000 }).catch(async (e) => {
      console.log(b.problems.all());
      throw e;
    });

    const t0 = Date.now() - 20_000;
    const walk = Array.from({ length: 13 }, (_, i) => ({ tagId: 'T1', ts: t0 + i * 1000, floorId: 'f1', x: 17 + i, y: 1.5, accuracy: 0.3 }));
    expect((await postFixes(server.url, walk)).status).toBe(202);
    const raised = () => server.alerts.list({ state: 'open' }).find((a) => a.kind === 'exit_approach');
    for (let i = 0; i < 200 && !raised(); i++) await new Promise((r) => setTimeout(r, 50));
    const alert = raised()!;
    expect(alert).toBeDefined();

    const badge = page.getByTestId(`alert-escalation-${alert.id}`);
    await page.waitForFunction((id) => document.querySelector(`[data-testid="alert-escalation-${id}"]`)?.textContent === 'Escalated · level 1', alert.id, { timeout: 60_000 });
    expect(await badge.isVisible()).toBe(true);
    expect(await badge.getAttribute('title')).toBe('Nobody acknowledged in time: sent to the charge nurse');
    const camera = page.getByTestId(`alert-camera-${alert.id}`);
    expect(await camera.isVisible()).toBe(true);
    expect(await camera.textContent()).toContain('Stairwell camera');
    expect(await camera.getAttribute('href')).toBe(CAMERA.snapshotUrl);
    expect(await page.getByTestId(`alert-stream-${alert.id}`).getAttribute('href')).toBe(CAMERA.streamUrl);

    for (const [name, viewport] of [
      ['desktop', { width: 1440, height: 900 }],
      ['tablet', { width: 1024, height: 768 }],
      ['phone', { width: 390, height: 844 }],
    ] as const) {
      await page.setViewportSize(viewport);
      await page.waitForTimeout(300);
      await b.screenshot(`alarm-card-${name}`);
      const box = await badge.boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= viewport.width, `${name}: badge on screen`).toBe(true);
    }
    // a websocket upgrade refused on an overloaded machine falls back to polling (socket.io): not this card's concern
    expect(b.problems.all().filter((p) => !/WebSocket connection to .* failed/.test(p))).toEqual([]);
  }, 360_000);
});
