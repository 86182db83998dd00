// `npm start`'s demo in real Chromium: the real start script (registry with SQLite, samples
// built and published, production host, host service) and the page a person would open. The
// page renders every widget; the XSS corpus a hostile widget returns never runs, under the
// page's CSP and with the CSP taken away (the sanitizer alone); a widget revoked from the
// admin panel turns into its placeholder within a second, without a reload.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XSS_CORPUS } from '../../src/server/demo/xss-corpus.js';
import { CHROMIUM, launchChromium } from '../support/browser.js';
import { cacheRoot } from '../support/build.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SAMPLES = ['summit-samples/kpi-card', 'summit-samples/service-status', 'summit-samples/sortable-table', 'summit-samples/svg-chart'];

let demo: ChildProcess | undefined;
let url = '';
let stderr = '';
let browser: Browser | undefined;

beforeAll(async () => {
  expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`).toBe(true);
  demo = spawn(process.execPath, [join(root, 'scripts/start.js')], {
    cwd: root,
    // The build cache is the samples test's: whichever runs first builds the samples.
    env: { ...process.env, PORT: '0', SUMMIT_DATA_DIR: mkdtempSync(join(tmpdir(), 'sph-demo-')), SUMMIT_CACHE_DIR: join(cacheRoot, 'cli'), LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  demo.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: demo!.stdout! });
    lines.on('line', (line) => {
      const m = /demo: (http:\/\/127\.0\.0\.1:\d+)\//.exec(line);
      if (m) resolve(m[1]!);
    });
    demo!.once('exit', (code) => reject(new Error(`npm start exited with ${code}: ${stderr}`)));
  });
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  if (demo && demo.exitCode === null) {
    const exited = new Promise((r) => demo!.once('exit', r));
    demo.kill('SIGTERM');
    await exited;
  }
});

async function openDemo(opts: { stripCsp?: boolean } = {}): Promise<{ page: Page; errors: string[] }> {
  const page = await browser!.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  if (opts.stripCsp) {
    // The first wall alone: serve the page without its Content-Security-Policy.
    await page.route(`${url}/`, async (route) => {
      const res = await route.fetch();
      const headers = { ...res.headers() };
      delete headers['content-security-policy'];
      await route.fulfill({ response: res, headers });
    });
  }
  await page.goto(`${url}/`);
  await page.waitForFunction(() => document.body.dataset.ready === 'true');
  // Every card has rendered or shown its placeholder.
  await page.waitForFunction(() => [...document.querySelectorAll('summit-widget')].every((w) => w.hasAttribute('data-status')), null, { timeout: 60_000 });
  return { page, errors };
}

const statusOf = (page: Page) =>
  page.evaluate(() => Object.fromEntries([...document.querySelectorAll('summit-widget')].map((w) => [w.getAttribute('widget'), { status: w.getAttribute('data-status'), code: w.getAttribute('data-code') }])));

/** Clicks, focuses and hovers everything the hostile widget rendered, the way a person might. */
async function provoke(page: Page): Promise<number> {
  const widget = page.locator('summit-widget[widget="demo/xss-corpus"]');
  await widget.scrollIntoViewIfNeeded();
  const count = await page.evaluate(() => {
    const root = document.querySelector('summit-widget[widget="demo/xss-corpus"]')!.shadowRoot!;
    const all = [...root.querySelectorAll('*')] as HTMLElement[];
    for (const el of all) {
      for (const type of ['mouseover', 'mouseenter', 'mousedown', 'mouseup', 'click', 'dblclick', 'focus', 'focusin', 'input', 'change', 'toggle', 'load', 'error']) {
        el.dispatchEvent(new Event(type, { bubbles: true, composed: true }));
      }
      el.focus?.();
      if (el instanceof HTMLAnchorElement || el instanceof HTMLButtonElement || el instanceof HTMLInputElement) el.click();
    }
    return all.length;
  });
  // Real pointer movement over the widget too (hover handlers, :hover styles).
  const box = await widget.boundingBox();
  if (box) for (let y = box.y + 5; y < box.y + Math.min(box.height, 2000); y += 12) await page.mouse.move(box.x + box.width / 2, y);
  await page.keyboard.press('Tab');
  await page.waitForTimeout(500);
  return count;
}

describe('npm start demo in Chromium', () => {
  it('renders the sample widgets and puts the hostile ones behind placeholders', async () => {
    const { page, errors } = await openDemo();
    const status = await statusOf(page);
    for (const id of SAMPLES) expect(status[id], id).toEqual({ status: 'ok', code: null });
    expect(status['demo/xss-corpus']).toEqual({ status: 'ok', code: null }); // its sanitized HTML shows
    expect(['SPH_ERR_FUEL_EXHAUSTED', 'SPH_ERR_WALL_TIMEOUT', 'SPH_ERR_CIRCUIT_OPEN']).toContain(status['demo/spinner']!.code);
    expect(['SPH_ERR_MEMORY_LIMIT', 'SPH_ERR_CIRCUIT_OPEN']).toContain(status['demo/memory-hog']!.code);
    const kpi = await page.evaluate(() => document.querySelector('summit-widget[widget="summit-samples/kpi-card"]')!.shadowRoot!.textContent);
    expect(kpi).toContain('Revenue');
    expect(kpi).toMatch(/1\.234\.567,89/); // de-DE from the sample's context
    const usage = await page.locator('article[data-widget="summit-samples/svg-chart"] .usage').textContent();
    expect(usage).toMatch(/fuel [\d,]+ · cpu [\d.]+ ms/);
    const placeholder = await page.evaluate(() => document.querySelector('summit-widget[widget="demo/spinner"]')!.shadowRoot!.textContent);
    expect(placeholder).toContain('not available');
    expect(errors).toEqual([]);
    await page.close();
  });

  it.each([
    ['under the page CSP', false],
    ['with the CSP taken away (the sanitizer alone)', true],
  ])('runs none of the XSS corpus %s', async (_what, stripCsp) => {
    const { page, errors } = await openDemo({ stripCsp });
    if (stripCsp) {
      // The wall is really down: an inline script the page adds itself runs.
      expect(await page.evaluate(() => {
        const s = document.createElement('script');
        s.textContent = 'window.__cspProbe = 1';
        document.body.append(s);
        return (window as unknown as { __cspProbe?: number }).__cspProbe;
      })).toBe(1);
    }
    const rendered = await page.evaluate(() => document.querySelector('summit-widget[widget="demo/xss-corpus"]')!.shadowRoot!.textContent);
    expect(rendered).toContain(`${XSS_CORPUS.length} script-injection payloads`);
    expect(await provoke(page)).toBeGreaterThan(XSS_CORPUS.length);
    expect(await page.evaluate(() => typeof (window as unknown as { __summitXss?: unknown }).__summitXss)).toBe('undefined');
    expect(await page.locator('#xss-flag').getAttribute('data-state')).toBe('ok');
    expect(page.url().replace(/#$/, '')).toBe(`${url}/`); // no javascript:/data: navigation either
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a widget revoked from the admin panel turns into a placeholder within a second, without a reload; restore brings it back', async () => {
    const { page } = await openDemo();
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
    const widget = page.locator('summit-widget[widget="summit-samples/svg-chart"]');
    expect(await widget.getAttribute('data-status')).toBe('ok');
    const button = page.locator('#admin-list li[data-widget="summit-samples/svg-chart"] button');
    const t0 = Date.now();
    await button.click();
    await page.waitForFunction(() => document.querySelector('summit-widget[widget="summit-samples/svg-chart"]')!.getAttribute('data-code') === 'SPH_ERR_REVOKED', null, { timeout: 5000 });
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeLessThan(1000);
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    expect(await page.evaluate(() => document.querySelector('summit-widget[widget="summit-samples/svg-chart"]')!.shadowRoot!.textContent)).toContain('not available');
    // The other widgets are untouched.
    expect((await statusOf(page))['summit-samples/kpi-card']!.status).toBe('ok');
    await page.waitForFunction(() => document.querySelector('#admin-list li[data-widget="summit-samples/svg-chart"] button')!.textContent === 'Restore');
    await button.click();
    await page.waitForFunction(() => document.querySelector('summit-widget[widget="summit-samples/svg-chart"]')!.getAttribute('data-status') === 'ok', null, { timeout: 5000 });
    await page.close();
  });

  it('refuses admin calls that do not come from the demo page', async () => {
    const res = await fetch(`${url}/demo/api/revocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'summit-samples/kpi-card', action: 'revoke' }) });
    expect(res.status).toBe(403);
    const cross = await fetch(`${url}/demo/api/revocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-summit-demo': '1', origin: 'https://evil.example' },
      body: JSON.stringify({ id: 'summit-samples/kpi-card', action: 'revoke' }),
    });
    expect(cross.status).toBe(403);
    const render = await fetch(`${url}/v1/widgets/summit-samples/kpi-card/render`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tenant: 't', input: { props: { label: 'Users', value: 3 } } }) });
    expect(render.status).toBe(200);
  });
});
