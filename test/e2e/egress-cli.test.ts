// `summit-plugin run` with egress (DESIGN.md 4.2), driving the service-status sample as built from
// its own manifest: allowed hosts from the manifest, the proxy from --egress-proxy or
// SUMMIT_EGRESS_PROXY, and no egress at all when neither is given. The sample's host
// (status.acme.example:443) is routed by the test proxy to an https origin on loopback, the way
// a mesh maps a service name to an endpoint.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWidget, featuresForManifest } from '../../src/build/build-widget.js';
import { parseManifest } from '../../src/manifest/manifest.js';
import { cacheRoot } from '../support/build.js';
import { makeCerts, onlyFromProxy, startOrigin, startProxy, type TestCerts, type TestOrigin, type TestProxy } from '../support/egress-env.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/summit-plugin.js');
const sampleDir = join(root, 'sample-plugins/service-status');
const dir = mkdtempSync(join(tmpdir(), 'sph-egress-cli-'));
const component = join(dir, 'service-status.wasm');

let certs: TestCerts;
let origin: TestOrigin;
let proxy: TestProxy;

const SUMMARY = {
  status: { indicator: 'minor', description: 'Partially degraded service' },
  components: [
    { name: 'API', status: 'operational' },
    { name: 'Payments <EU>', status: 'degraded_performance' },
  ],
};

beforeAll(async () => {
  certs = makeCerts();
  const manifest = parseManifest(JSON.parse(readFileSync(join(sampleDir, 'summit-plugin.json'), 'utf8')));
  expect(featuresForManifest(manifest)).toEqual(['http']);
  const built = await buildWidget({ entry: join(sampleDir, 'src/widget.ts'), features: featuresForManifest(manifest), cacheDir: cacheRoot });
  writeFileSync(component, built.bytes);
  copyFileSync(join(sampleDir, 'summit-plugin.json'), join(dir, 'summit-plugin.json'));
  origin = await startOrigin(
    (req, res) => {
      if (req.url === '/api/v2/summary.json') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(SUMMARY));
      } else {
        res.statusCode = 404;
        res.end();
      }
    },
    { tls: { cert: certs.originCert, key: certs.originKey }, name: 'status.acme.example' },
  );
  proxy = await startProxy(undefined, { routes: { 'status.acme.example:443': `127.0.0.1:${origin.port}` } });
});

afterAll(async () => {
  await Promise.all([proxy?.stop(), origin?.close()]);
});

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  // The origin's certificate comes from the test CA; the host trusts it the way an operator adds
  // a CA to Node (NODE_EXTRA_CA_CERTS), since `run` takes no origin CA flag.
  const fullEnv = { ...process.env, SUMMIT_CACHE_DIR: join(dir, 'cache'), NODE_EXTRA_CA_CERTS: certs.ca, SUMMIT_EGRESS_PROXY: '', ...env };
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, 'run', ...args], { env: fullEnv, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, any>;

const RENDERED =
  '<div class="status-card status-degraded"><span class="status-title">Payments</span><span class="status-text">Partially degraded service</span><ul><li class="status-ok">API</li><li class="status-degraded">Payments &lt;EU&gt;</li></ul></div>';

describe('summit-plugin run with egress', () => {
  it('--egress-proxy: the sample fetches its status through the proxy, as its manifest allows', async () => {
    const before = proxy.traffic().length;
    const r = await cli([component, '--egress-proxy', proxy.url, '--input', '{"props":{"title":"Payments"}}', '--json']);
    expect(r.code).toBe(0);
    const out = lastJson(r.stdout);
    expect(out.output).toBe(RENDERED);
    expect(out.usage.egress).toMatchObject({ requests: 1, denied: 0, failed: 0, errors: [] });
    expect(proxy.traffic().slice(before)).toEqual([expect.objectContaining({ event: 'connect', target: 'status.acme.example:443' })]);
    expect(onlyFromProxy(origin)).toBe(true);
  });

  it('SUMMIT_EGRESS_PROXY does the same; people get an egress line on stderr', async () => {
    const r = await cli([component, '--input', '{"props":{"title":"Payments"}}'], { SUMMIT_EGRESS_PROXY: proxy.url });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(RENDERED);
    expect(r.stderr).toMatch(/egress: 1 requests · 0 refused · 0 failed/);
  });

  it('neither: no egress; the request is refused before it leaves the host and the widget shows its placeholder', async () => {
    const requests = origin.requests.length;
    const traffic = proxy.traffic().length;
    const r = await cli([component]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Status unavailable');
    expect(r.stderr).toMatch(/egress SPH_ERR_EGRESS_DENIED \(no-proxy\): GET https:\/\/status\.acme\.example: no mesh proxy is configured/);
    expect(r.stderr).toMatch(/\[plugin warn\] service-status: the status API could not be reached/);
    expect(origin.requests.length).toBe(requests);
    expect(proxy.traffic().length).toBe(traffic);
  });

  it('a host the manifest does not list is refused even with a proxy', async () => {
    const r = await cli([component, '--egress-proxy', proxy.url, '--input', JSON.stringify({ props: { statusUrl: 'https://status.evil.example/x' } }), '--json']);
    const out = lastJson(r.stdout);
    expect(out.output).toContain('Status unavailable');
    expect(out.usage.egress).toMatchObject({ requests: 0, denied: 1, errors: [{ code: 'SPH_ERR_EGRESS_DENIED', reason: 'host-not-allowed' }] });
  });

  it.each([
    [['--egress-proxy', 'socks5://127.0.0.1:1080'], /must be an http:\/\/ or https:\/\/ URL/],
    [['--egress-proxy', 'http://127.0.0.1:1', '--egress-proxy-ca', '/nonexistent.pem'], /--egress-proxy-ca: cannot read/],
    [['--egress-proxy', 'http://127.0.0.1:1', '--egress-proxy-cert', __filename], /go together/],
  ])('bad egress flags %j exit 2', async (flags, message) => {
    const r = await cli([component, ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
