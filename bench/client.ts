/**
 * Client figures in headless Chromium (BROWSER.md setup) against the real server with the simulator:
 *   - client bundle size, raw and gzip (client/dist/assets)
 *   - page load to first live frame (login submitted -> the floor's full frame drawn)
 *   - floor map frame rate with 500 residents moving (synthetic frames dispatched at 4 Hz)
 *   - city map frame rate with 2,000 residents moving
 * and, with --screenshots, every screen at phone, tablet and desktop size into docs/screenshots/.
 * Run: npm run build:client && npx tsx bench/client.ts [--screenshots]
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startServer } from '../server/app';
import { launchBrowser } from '../tests/helpers/browser';

const SIZES = { phone: { width: 390, height: 844 }, tablet: { width: 1024, height: 768 }, desktop: { width: 1440, height: 900 } };
const shots = process.argv.includes('--screenshots');

const assets = join(process.cwd(), 'client/dist/assets');
let raw = 0;
let gz = 0;
for (const f of readdirSync(assets)) {
  if (!/\.(js|mjs|css)$/.test(f)) continue;
  const b = readFileSync(join(assets, f));
  raw += b.length;
  gz += gzipSync(b, { level: 9 }).length;
}
console.log(`bundle: ${(raw / 1024).toFixed(0)} KiB raw, ${(gz / 1024).toFixed(0)} KiB gzip (js+css incl. MapLibre worker)`);

const dataDir = mkdtempSync(join(tmpdir(), 'carewatch-bench-client-'));
const server = await startServer({ port: 0, simulator: true, demo: true, dataDir, simulatorOptions: { firstWanderAfterMs: 3000, outdoorIntervalMs: 2000 }, logLevel: 'warn' });

async function session(user: string, hash: string, size: keyof typeof SIZES) {
  const b = await launchBrowser({ locale: 'zh-CN', viewport: SIZES[size] });
  // tsx compiles this file with keepNames: functions handed to page.evaluate call a __name helper the page lacks
  await b.page.addInitScript('globalThis.__name = (f) => f;');
  await b.page.goto(`${server.url}/${hash}`);
  await b.page.getByTestId('login-username').fill(user);
  await b.page.getByTestId('login-password').fill(`${user}-demo`);
  const t0 = Date.now();
  await b.page.getByTestId('login-submit').click();
  return { b, t0 };
}

/** Frames per second the page's requestAnimationFrame reaches while `drive` moves residents at 4 Hz. */
async function fps(page: import('playwright-core').Page, n: number, floorId: string, spread: number): Promise<number> {
  return page.evaluate(
    async ({ n, floorId, spread }) => {
      const items = (t: number) =>
        Array.from({ length: n }, (_, i) => ({ r: `bench-${i}`, x: 30 + Math.cos(i + t / 2000) * spread * ((i % 97) / 97), y: 20 + Math.sin(i * 1.3 + t / 2000) * spread * ((i % 89) / 89), ts: t }));
      const push = () => window.__carewatch.dispatch({ type: 'frame', frame: { floorId, t: Date.now(), full: true, items: items(Date.now()), gone: [] } });
      push();
      const timer = setInterval(push, 250);
      let frames = 0;
      const t0 = performance.now();
      await new Promise<void>((done) => {
        const f = () => {
          frames++;
          if (performance.now() - t0 < 5000) requestAnimationFrame(f);
          else done();
        };
        requestAnimationFrame(f);
      });
      clearInterval(timer);
      return frames / ((performance.now() - t0) / 1000);
    },
    { n, floorId, spread },
  );
}

try {
  const { b, t0 } = await session('nurse', '#/live', 'desktop');
  await b.page.waitForFunction(() => window.__carewatch?.ready === true, null, { timeout: 120_000 });
  console.log(`page load to first live frame (login -> floor drawn with its full frame): ${Date.now() - t0} ms`);
  const floorId = await b.page.evaluate(() => window.__carewatch.state.selectedFloorId!);
  console.log(`floor map, 500 residents moving: ${(await fps(b.page, 500, floorId, 30)).toFixed(1)} fps`);
  await b.page.evaluate(() => (location.hash = '#/city'));
  await b.page.waitForFunction(() => window.__carewatch.isReady('city'), null, { timeout: 120_000 });
  const outdoor = await b.page.evaluate(() => window.__carewatch.state.selectedFloorId!);
  console.log(`city map, 2,000 residents moving: ${(await fps(b.page, 2000, outdoor, 900)).toFixed(1)} fps`);
  await b.close();

  if (shots) {
    const dir = join(process.cwd(), 'docs/screenshots');
    mkdirSync(dir, { recursive: true });
    const plan = [
      ['nurse', 'live', (p: import('playwright-core').Page) => p.waitForFunction(() => window.__carewatch?.ready === true, null, { timeout: 120_000 })],
      ['manager', 'city', (p: import('playwright-core').Page) => p.waitForFunction(() => window.__carewatch?.isReady('city') === true, null, { timeout: 120_000 })],
      ['family', 'family', (p: import('playwright-core').Page) => p.waitForFunction(() => window.__carewatch?.isReady('family') === true, null, { timeout: 120_000 })],
      ['manager', 'replay', (p: import('playwright-core').Page) => p.waitForFunction(() => window.__carewatch?.screenId === 'replay', null, { timeout: 120_000 })],
    ] as const;
    for (const [user, screen, ready] of plan) {
      for (const size of Object.keys(SIZES) as (keyof typeof SIZES)[]) {
        const s = await session(user, `#/${screen}`, size);
        await ready(s.b.page);
        await s.b.page.waitForTimeout(1500);
        await s.b.page.screenshot({ path: join(dir, `${screen}-${size}.png`) });
        await s.b.close();
        console.log(`screenshot ${screen}-${size}`);
      }
    }
  }
} finally {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
}
