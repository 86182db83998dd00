// What a partner does, for real: `summit-plugin init`, `npm install`, `npm run build`,
// `npm test`, `summit-plugin check`, then `summit-plugin dev` in headless Chromium (Debian's
// chromium driven by playwright-core): the page shows the widget, an edit to the source
// updates it without a reload, the meters show numbers, a click on data-summit-state renders
// with that state, and a broken build shows its error while the server keeps running.
// The project depends on this checkout through a file: link, as `init` writes it from a
// checkout. Builds are cached under node_modules/.cache (a fresh clone starts empty).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { CHROMIUM, launchChromium } from '../support/browser.js';
import { cacheRoot } from '../support/build.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'sph-partner-'));
const project = join(work, 'hello-widget');
const env = { ...process.env, SUMMIT_CACHE_DIR: join(cacheRoot, 'partner'), SUMMIT_LOG_LEVEL: 'error', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

function sh(cmd: string, args: string[], cwd: string, timeout = 300_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env, timeout, maxBuffer: 32 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
const npm = (args: string[], timeout?: number) => sh('npm', args, project, timeout);
const bin = (args: string[]) => sh(process.execPath, [join(project, 'node_modules/summit-plugin-host/bin/summit-plugin.js'), ...args], project);
const lastJson = (s: string) => JSON.parse(s.trim().split('\n').at(-1)!) as Record<string, any>;

let dev: ChildProcess | undefined;
let browser: Browser | undefined;
afterAll(async () => {
  await browser?.close();
  if (dev && dev.exitCode === null) dev.kill('SIGKILL');
});

describe('a partner on a clean machine', () => {
  it('init scaffolds a project', async () => {
    const r = await sh(process.execPath, [join(root, 'bin/summit-plugin.js'), 'init', project, '--json'], work);
    expect(r.code, r.stderr).toBe(0);
    const out = lastJson(r.stdout);
    expect(out).toMatchObject({ ok: true, id: 'my-org/hello-widget', hostSpec: `file:${root.replace(/\/$/, '')}` });
    expect(out.files).toEqual(expect.arrayContaining(['package.json', 'summit-plugin.json', 'src/widget.ts', 'src/summit-widget.d.ts', 'test/widget.test.js', 'README.md']));
  });

  it('npm install', async () => {
    const r = await npm(['install'], 600_000);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(project, 'node_modules/.bin/summit-plugin'))).toBe(true);
  }, 660_000);

  it('npm run build, then the types check', async () => {
    const r = await npm(['run', 'build']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/built dist\/hello-widget\.wasm\n {2}digest +sha256:[0-9a-f]{64}\n {2}size .*\n {2}imports +summit:widget\/host@0\.1\.0/);
    expect(r.stderr).toMatch(/componentiz|up to date/);
    expect((await npm(['run', 'typecheck'])).code).toBe(0);
  }, 320_000);

  it('npm test renders every sample in the sandbox', async () => {
    const r = await npm(['test']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/(# pass 5|ℹ pass 5)\b/); // TAP (Node 20) or spec (Node 22+) reporter
  }, 320_000);

  it('summit-plugin check passes', async () => {
    const r = await bin(['check', '.', '--json']);
    const report = lastJson(r.stdout);
    expect(report.ok, r.stdout).toBe(true);
    expect(r.code).toBe(0);
    expect(report.samples.map((s: { name: string }) => s.name)).toEqual(['default', 'expanded']);
  }, 320_000);

  describe('summit-plugin dev in Chromium', () => {
    let page: Page;
    let url: string;
    const pageErrors: string[] = [];
    const widgetHtml = () => page.locator('#widget').evaluate((e) => e.shadowRoot?.innerHTML ?? '');
    const source = join(project, 'src/widget.ts');
    let original: string;

    it('serves the widget with meters', async () => {
      expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`).toBe(true);
      dev = spawn(process.execPath, [join(project, 'node_modules/.bin/summit-plugin'), 'dev', '--port', '0', '--json'], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      dev.stderr!.on('data', (c) => (stderr += c));
      const first = await new Promise<string>((resolve, reject) => {
        createInterface({ input: dev!.stdout! }).once('line', resolve);
        dev!.once('exit', (code) => reject(new Error(`dev exited with ${code}: ${stderr}`)));
      });
      url = JSON.parse(first).url;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);

      browser = await launchChromium();
      page = await browser.newPage();
      page.on('pageerror', (e) => pageErrors.push(String(e)));
      page.on('console', (m) => {
        if (m.type() === 'error') pageErrors.push(m.text());
      });
      await page.goto(url);
      await page.waitForFunction(() => (document.querySelector('#widget')?.shadowRoot?.innerHTML ?? '').includes('Hello from'), null, { timeout: 240_000 });
      expect(await widgetHtml()).toContain('<section class="card">');
      expect(await page.locator('#build-status').getAttribute('data-status')).toBe('ok');
      for (const [metric, unit] of [['cpuMs', /^\d+(\.\d+)? ms$/], ['wallMs', /^\d+(\.\d+)? (ms|s)$/], ['memoryBytes', /^\d+(\.\d+)? MiB$/], ['fuel', /^\d+(\.\d+)?[kMG]?$/]] as const) {
        const text = await page.locator(`[data-meter="${metric}"] .value`).textContent();
        expect(text, metric).toMatch(unit);
        expect(await page.locator(`[data-meter="${metric}"] .cap`).textContent()).toMatch(/^[\d.]+% of /);
      }
      expect(await page.locator('#chart polyline').count()).toBeGreaterThanOrEqual(3);
      expect(await page.locator('#logs').textContent()).toContain('[info] showing 3 of 4 items');
      expect(await page.locator('#imports').textContent()).toContain('summit:widget/host');
    }, 300_000);

    it('an edit to the source updates the page without a reload', async () => {
      await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
      const before = Number(await page.locator('#build-status').getAttribute('data-seq'));
      original = readFileSync(source, 'utf8');
      // A statement unique to this run, so the edit really componentizes even when an earlier
      // run (or the Node 26 pass) left this build in the cache.
      const nonce = `\n(globalThis as { editNonce?: string }).editNonce = '${process.pid}-${Date.now()}';\n`;
      writeFileSync(source, original.replace('<h2>${escapeHtml(title)}</h2>', '<h2>${escapeHtml(title)} (edited)</h2>') + nonce);
      await page.waitForFunction(() => (document.querySelector('#widget')?.shadowRoot?.innerHTML ?? '').includes('(edited)</h2>'), null, { timeout: 240_000 });
      expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
      expect(Number(await page.locator('#build-status').getAttribute('data-seq'))).toBeGreaterThan(before);
      expect(await page.locator('#build-meta').textContent()).toContain('changed src/widget.ts');
      // The edit really componentized (Wizer and the WASI stubbing ran), and preparing the new
      // component re-instrumented only the functions that changed: the engine's came from the
      // instrument cache filled by the previous build.
      const state = (await (await fetch(new URL('api/state', url))).json()) as {
        build: { fromCache: boolean; timings: Record<string, number>; instrumented: { reusedBodies: number; rewrittenBodies: number } };
      };
      expect(state.build.fromCache).toBe(false);
      expect(state.build.timings.wizerMs).toBeGreaterThan(0);
      expect(state.build.timings.stubWasiMs).toBeGreaterThan(0);
      expect(state.build.timings.componentizeMs).toBeGreaterThanOrEqual(state.build.timings.wizerMs! + state.build.timings.stubWasiMs!);
      expect(state.build.instrumented.reusedBodies).toBeGreaterThan(10_000);
      expect(state.build.instrumented.rewrittenBodies).toBeLessThan(50);
    }, 300_000);

    it('a click on data-summit-state renders the widget with that state', async () => {
      expect((await widgetHtml()).match(/<li>/g)).toHaveLength(3);
      await page.locator('#widget button:has-text("Show all 4")').click();
      await page.waitForFunction(() => (document.querySelector('#widget')?.shadowRoot?.innerHTML.match(/<li>/g) ?? []).length === 4, null, { timeout: 30_000 });
      expect(await page.locator('#input').inputValue()).toContain('"expanded": true');
    }, 60_000);

    it('a broken build shows its error in the page and the server keeps running', async () => {
      writeFileSync(source, original.replace('const expanded =', 'const expanded = = '));
      await page.locator('#build-error').waitFor({ state: 'visible', timeout: 60_000 });
      const text = await page.locator('#build-error').textContent();
      expect(text).toContain('SPH_ERR_BUILD_FAILED');
      expect(text).toMatch(/src\/widget\.ts:\d+:\d+/);
      expect(await widgetHtml()).toContain('(edited)</h2>'); // the last good build stays on screen
      writeFileSync(source, original);
      await page.locator('#build-error').waitFor({ state: 'hidden', timeout: 240_000 });
      await page.waitForFunction(() => !(document.querySelector('#widget')?.shadowRoot?.innerHTML ?? '').includes('(edited)'), null, { timeout: 60_000 });
      expect(pageErrors).toEqual([]); // no script errors and no CSP violations
    }, 300_000);

    it('stops on SIGINT', async () => {
      const exited = new Promise<number | null>((resolve) => dev!.once('exit', (code) => resolve(code)));
      dev!.kill('SIGINT');
      expect(await exited).toBe(0);
    }, 30_000);
  });
});
