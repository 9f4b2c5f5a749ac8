/**
 * The live floor map in real headless Chromium against the real server with the simulator: a night nurse logs in,
 * watches the dementia ward, and handles the wanderer's exit-approach alert from the alert list.
 * Needs `npm run build:client` first (`npm test` does it) and Debian's chromium (`apt-get install -y chromium`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../geo/model';
import { startServer } from '../../server/app';
import { ZONE_FILL } from '../../client/src/map/palette';
import type { ResidentDto, SiteDto } from '../../client/src/state/types';
import { CHROMIUM_PATH, countColour, decodePng, diffFraction, launchBrowser, type BrowserSession } from '../helpers/browser';

const DIST = new URL('../../client/dist/index.html', import.meta.url);

let server: Awaited<ReturnType<typeof startServer>>;
let b: BrowserSession;
let token: string;
let floorId: string;
let siteResidents: Set<string>;

async function rest<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(server.url + path, {
    ...init,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...init.headers },
  });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** What the deck.gl canvas holds right now, read inside the page. */
type Page = BrowserSession['page'];
const positions = (page: Page) =>
  page.evaluate(() => {
    const byResident = window.__carewatch.state.positions.byResident;
    return Object.fromEntries(Object.values(byResident).map((p) => [p.r, [p.x, p.y]])) as Record<string, [number, number]>;
  });

beforeAll(async () => {
  if (!existsSync(DIST)) throw new Error('client/dist is missing: run `npm run build:client` (npm test does it first)');
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`no browser at ${CHROMIUM_PATH}: apt-get install -y chromium`);
  server = await startServer({ port: 0, simulator: true, demo: true, simulatorOptions: { firstWanderAfterMs: 5000 }, logLevel: 'warn' });
  token = (await rest<{ token: string }>('/api/v1/auth/login', { method: 'POST', body: JSON.stringify({ username: 'nurse', password: 'nurse-demo' }) })).token;
  const [sites, residents] = await Promise.all([rest<SiteDto[]>('/api/v1/sites'), rest<ResidentDto[]>('/api/v1/residents')]);
  // The dementia ward: the floor of the first wander-risk resident's room.
  const wanderer = residents.find((r) => r.wanderRisk && r.roomZoneId);
  if (!wanderer) throw new Error('the sample site has no wander-risk resident with a room');
  const zone = sites.flatMap((s) => s.zones.features).find((f) => f.properties.id === wanderer.roomZoneId);
  floorId = zone!.properties.floorId;
  siteResidents = new Set(residents.map((r) => r.id));
  b = await launchBrowser({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
}, 90_000);

afterAll(async () => {
  await b?.close();
  await server?.close();
});

describe('live floor map (real browser, real server)', () => {
  it('logs the nurse in and draws the dementia ward floor with its residents', async () => {
    const { page } = b;
    const t0 = performance.now();
    await page.goto(server.url);
    await page.getByTestId('login-username').fill('nurse');
    await page.getByTestId('login-password').fill('nurse-demo');
    await b.screenshot('01-login');
    await page.getByTestId('login-submit').click();
    await page.getByTestId(`floor-btn-${floorId}`).click();
    // SwiftShader compiles deck.gl's shaders on the page's main thread: seconds here, not on a tablet's GPU
    await page.waitForFunction(() => window.__carewatch?.ready === true, null, { timeout: 45_000 });
    const readyMs = performance.now() - t0;
    await page.waitForFunction(() => Object.keys(window.__carewatch.state.positions.byResident).length > 0, null, {
      timeout: 20_000,
    });
    await page.waitForTimeout(300); // one more frame so the dots of that frame are on the canvas
    const shot = decodePng(readFileSync(await b.screenshot('02-floor')));
    const roomPixels = countColour(shot, ZONE_FILL.room.slice(0, 3) as [number, number, number]);
    const exitPixels = countColour(shot, ZONE_FILL.exit.slice(0, 3) as [number, number, number]);
    console.log(`login → floor ready: ${readyMs.toFixed(0)} ms; room fill ${roomPixels} px, exit fill ${exitPixels} px`);
    expect(roomPixels).toBeGreaterThan(5_000);
    expect(exitPixels).toBeGreaterThan(20);
    expect(await page.getByTestId('connection').getAttribute('data-status')).toBe('live');
    expect(await page.getByTestId(`floor-btn-${floorId}`).getAttribute('aria-pressed')).toBe('true');
  }, 90_000);

  it('moves residents live, and picking at a dot returns that resident', async () => {
    const { page } = b;
    const map = page.getByTestId('floor-map');
    const before = await positions(page);
    const shotA = decodePng(await map.screenshot());
    await page.waitForFunction(
      (prev) => Object.values(window.__carewatch.state.positions.byResident).some((p) => {
        const q = prev[p.r];
        return q && (q[0] !== p.x || q[1] !== p.y);
      }),
      before,
      { timeout: 20_000 },
    );
    await page.waitForTimeout(300);
    const shotB = decodePng(await map.screenshot());
    const changed = diffFraction(shotA, shotB);
    console.log(`map pixels changed between two frames: ${(changed * 100).toFixed(2)} %`);
    expect(changed).toBeGreaterThan(0);

    // Pick every drawn resident at its own screen position: the canvas really holds the dots.
    const t0 = performance.now();
    const picks = await page.evaluate(() => {
      const cw = window.__carewatch;
      const deck = cw.deck as {
        props: { layers: { id: string; props: { data: { id: string; x: number; y: number }[] } }[] };
        pickObject(o: { x: number; y: number; radius: number; layerIds: string[] }): { object?: { id: string } } | null;
      };
      const drawn = deck.props.layers.find((l) => l.id === 'residents')!.props.data;
      return drawn.slice(0, 5).map((m) => {
        const [x, y] = cw.project(m.x, m.y)!;
        return { id: m.id, picked: deck.pickObject({ x, y, radius: 1, layerIds: ['residents'] })?.object?.id ?? null };
      });
    });
    console.log(`picked ${picks.length} residents in ${(performance.now() - t0).toFixed(0)} ms`);
    expect(picks.length).toBeGreaterThan(0);
    // Dots can overlap (two residents at one table): most, not all, must pick themselves.
    const self = picks.filter((p) => p.picked === p.id);
    expect(self.length).toBeGreaterThanOrEqual(Math.ceil(picks.length / 2));
    for (const p of picks) if (p.picked) expect(siteResidents.has(p.picked)).toBe(true);
  }, 60_000);

  it('raises an exit-approach alert that the nurse acknowledges with a note and resolves', async () => {
    const { page } = b;
    const t0 = performance.now();
    const row = page.locator('[data-testid^="alert-row-"][data-kind="exit_approach"]').first();
    await row.waitFor({ state: 'visible', timeout: 60_000 });
    const alertId = (await row.getAttribute('data-alert-id'))!;
    const severity = await row.getAttribute('data-severity');
    console.log(`exit_approach alert ${alertId} (${severity}) shown after ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    if (severity === 'critical' || severity === 'high') {
      await expect.poll(() => page.getByTestId('alarm-banner').isVisible()).toBe(true);
    }
    await row.click({ position: { x: 40, y: 12 } }); // "show": switch to its floor and highlight it
    await page.waitForFunction((id) => window.__carewatch.state.focus?.alertId === id, alertId);
    await page.waitForTimeout(400);
    await b.screenshot('03-alert');

    await page.getByTestId(`alert-note-${alertId}`).fill('On my way to the east stairs');
    await page.getByTestId(`alert-ack-${alertId}`).click();
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 10_000 }).toBe('acknowledged');
    await b.screenshot('04-acknowledged');

    await page.getByTestId(`alert-note-${alertId}`).fill('Walked her back to her room');
    await page.getByTestId(`alert-resolve-${alertId}`).click();
    await page.getByTestId(`alert-row-${alertId}`).waitFor({ state: 'detached', timeout: 10_000 });
    await b.screenshot('05-resolved');

    const resolved = await rest<Alert[]>('/api/v1/alerts?state=resolved');
    const a = resolved.find((x) => x.id === alertId);
    expect(a?.state).toBe('resolved');
    const ack = a!.history.find((s) => s.state === 'acknowledged');
    const res = a!.history.find((s) => s.state === 'resolved');
    expect(ack).toMatchObject({ by: 'nurse', note: 'On my way to the east stairs' });
    expect(res).toMatchObject({ by: 'nurse', note: 'Walked her back to her room' });
  }, 90_000);

  it('made no page errors, no console errors and no request off this machine', () => {
    expect(b.problems.all()).toEqual([]);
  });
});
