// What `npm start` runs: the whole product on one machine. A dev registry (SQLite and dev keys
// under the data directory), the sample widgets built and published to it with a publisher
// token, the hostile demo widgets beside them, a production-mode host pinned to the
// registry's snapshot key, the host service with the demo page and its admin panel, and the
// mesh egress proxy when one is configured. Every piece talks to the others over HTTP as it
// would across machines.
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { request } from 'undici';
import { Componentizer } from '../../build/componentizer.js';
import { buildProject, createProjectBuilder, loadProject } from '../../build/project.js';
import { createHost, type PluginHost } from '../../host/plugin-host.js';
import { ROLE_READER } from '../../registry/server/context.js';
import { createRegistryServer, type RegistryServer } from '../../registry/server/create-registry-server.js';
import { createHostServer, type HostServer } from '../create-server.js';
import { RegistryCatalog } from '../registry-catalog.js';
import { demoRoutes, type DemoCard } from './demo-routes.js';
import { demoWidgets } from './demo-widgets.js';

export interface StartDemoOptions {
  /** Registry database and dev keys live here (kept across runs). */
  dataDir: string;
  /** Folder of sample widget projects (each with a summit-plugin.json). */
  samplesDir: string;
  /** Port of the host service and demo page; 0 picks a free one. */
  port: number;
  /** The mesh egress proxy, e.g. http://127.0.0.1:3128; none: widgets get no egress. */
  egressProxyUrl?: string;
  logger: Logger;
  /** Progress lines for the person waiting. */
  say?: (line: string) => void;
}

export interface DemoHandle {
  url: string;
  registryUrl: string;
  adminTokenFile: string;
  registry: RegistryServer;
  host: PluginHost;
  server: HostServer;
  close(): Promise<void>;
}

interface Publishable {
  manifest: Record<string, unknown> & { id: string; version: string };
  bytes: Uint8Array;
  card: DemoCard;
}

async function publish(registryUrl: string, token: string, p: Publishable): Promise<'published' | 'unchanged' | string> {
  const res = await request(new URL('v1/plugins', registryUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ manifest: p.manifest, component: Buffer.from(p.bytes).toString('base64') }),
  });
  const body = (await res.body.json()) as { created?: boolean; error?: { code: string; message: string } };
  if (res.statusCode === 201) return 'published';
  if (res.statusCode === 200) return 'unchanged';
  return `${body.error?.code ?? res.statusCode}: ${body.error?.message ?? 'refused'}`;
}

/**
 * Builds every sample (cached by source hash) in one componentize thread: the first build in a
 * thread costs ~10 s (on Node 20 the splicer's memory growth, see README), later ones ~2 s
 * (the splice and the compiled engine are reused), so a second lane would cost more than it
 * saves.
 */
async function buildSamples(samplesDir: string, say: (l: string) => void): Promise<Publishable[]> {
  const dirs = (await readdir(samplesDir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => join(samplesDir, d.name));
  const out: (Publishable | undefined)[] = new Array(dirs.length);
  let next = 0;
  const lane = async () => {
    const componentizer = new Componentizer();
    try {
      await buildLane(componentizer);
    } finally {
      await componentizer.close();
    }
  };
  const buildLane = async (componentizer: Componentizer) => {
    for (let i = next++; i < dirs.length; i = next++) {
      const project = await loadProject(dirs[i]!);
      const builder = createProjectBuilder(project, componentizer);
      const t0 = performance.now();
      try {
        const { built } = await buildProject(project, builder);
        const m = project.manifest;
        say(`  built ${m.id}@${m.version} (${(built.bytes.length / 1048576).toFixed(1)} MiB${built.fromCache ? ', cached' : `, ${((performance.now() - t0) / 1000).toFixed(1)} s`})`);
        const raw = JSON.parse(await readFile(project.manifestPath, 'utf8')) as Publishable['manifest'];
        const sample = m.samples[0]?.input;
        out[i] = {
          manifest: raw,
          bytes: built.bytes,
          card: { id: m.id, displayName: m.displayName ?? m.id, description: m.description ?? '', kind: 'sample', props: sample?.props ?? {}, context: sample?.context ?? {} },
        };
      } catch (err) {
        say(`  could not build ${dirs[i]}: ${(err as Error).message}`);
      } finally {
        await builder.close();
      }
    }
  };
  await lane();
  return out.filter((p): p is Publishable => p !== undefined);
}

export async function startDemo(o: StartDemoOptions): Promise<DemoHandle> {
  const say = o.say ?? (() => {});
  await mkdir(o.dataDir, { recursive: true });
  const registry = await createRegistryServer({ dev: true, dataDir: join(o.dataDir, 'registry'), host: '127.0.0.1', port: 0, logger: o.logger });
  const registryUrl = await registry.listen();
  const dev = registry.dev!;
  let host: PluginHost | undefined;
  let server: HostServer | undefined;
  try {
    say(`registry ${registryUrl} (SQLite and dev keys in ${join(o.dataDir, 'registry')})`);
    say('building the sample widgets (the first build takes a while, then they are cached)…');
    const samples = await buildSamples(o.samplesDir, say);
    const hostile: Publishable[] = (await demoWidgets()).map((w) => ({
      manifest: w.manifest,
      bytes: w.bytes,
      card: { id: w.manifest.id, displayName: w.manifest.displayName, description: w.manifest.description, kind: 'hostile' },
    }));
    const all = [...samples, ...hostile];
    const tokens = new Map<string, string>();
    for (const p of all) {
      const publisher = p.manifest.id.split('/')[0]!;
      if (!tokens.has(publisher)) tokens.set(publisher, await dev.mintToken({ sub: `dev-publisher-${publisher}`, roles: ['registry:publisher'], publisher, ttlSec: 3600 }));
      const r = await publish(registryUrl, tokens.get(publisher)!, p);
      if (r.startsWith('SPH_ERR_CONFLICT')) {
        // A rebuild (another cache, a changed source) under a version the registry already has:
        // versions are immutable, so the registry keeps serving the bytes published first.
        say(`  ${p.manifest.id}@${p.manifest.version}: the registry keeps the build published earlier (bump the version to publish this one)`);
      } else if (r !== 'published' && r !== 'unchanged') say(`  ${p.manifest.id}@${p.manifest.version} not published: ${r}`);
    }
    say(`published ${all.length} widgets`);

    host = createHost({
      mode: 'production',
      logger: o.logger,
      registry: { url: registryUrl, publicKeys: registry.publicKey.publicKey },
      egress: o.egressProxyUrl ? { proxyUrl: o.egressProxyUrl } : {},
    });
    await host.ready(10_000);
    const readerToken = await dev.mintToken({ sub: 'host-service', roles: [ROLE_READER], ttlSec: 30 * 24 * 3600 });
    const catalog = new RegistryCatalog({ url: registryUrl, token: readerToken });
    server = createHostServer({ host, catalog, logger: o.logger });
    // Prepare every widget now (transpile, instrument, compile; cached on disk by digest after
    // the first run), so the first page view does not wait for it.
    const t0 = performance.now();
    const loader = server.context.loader;
    await Promise.all(
      all.map(async (p) => {
        const entry = await catalog.resolve(p.manifest.id).catch(() => undefined);
        if (entry) await loader.get(entry).catch(() => {}); // a revoked widget shows its placeholder
      }),
    );
    // One render of each partner widget's first sample: V8 compiles wasm functions lazily, on
    // their first call, so the first render of a StarlingMonkey widget costs ~100 cpu-ms more
    // than the next. (Hostile widgets are left alone: their first render is the demo.)
    const h = host;
    await Promise.all(
      samples.map(async (p) => {
        const entry = await catalog.resolve(p.manifest.id).catch(() => undefined);
        const plugin = entry && (await loader.get(entry).catch(() => undefined));
        if (plugin) await h.render(plugin, { props: p.card.props ?? {}, context: { tenant: 'demo-warmup', ...p.card.context }, state: null }, { tenant: 'demo-warmup' }).catch(() => {});
      }),
    );
    // And let the warm pool make an instance of each, so the first renders find one ready.
    for (let waited = 0; host.stats.warm < host.stats.plugins && waited < 10_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    say(`prepared the widgets for the sandbox in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    demoRoutes(server.app, server.context, { cards: all.map((p) => p.card), registryUrl, adminToken: dev.adminToken });
    const url = await listenOrAnyPort(server, o.port);
    const s = server;
    return {
      url,
      registryUrl,
      adminTokenFile: dev.adminTokenFile,
      registry,
      host: h,
      server: s,
      async close() {
        await s.close();
        await h.close();
        await registry.close();
      },
    };
  } catch (err) {
    await server?.close().catch(() => {});
    await host?.close().catch(() => {});
    await registry.close().catch(() => {});
    throw err;
  }
}

/** The port asked for, or any free one when it is taken (a second demo on the same machine). */
async function listenOrAnyPort(server: HostServer, port: number): Promise<string> {
  try {
    return await server.listen({ port });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0) throw err;
    return server.listen({ port: 0 });
  }
}
