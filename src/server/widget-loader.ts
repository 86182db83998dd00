// Prepared plug-ins of the host service, one per component digest. Concurrent requests for a
// widget that is not loaded yet share one load; a component that fails to load fails the same
// way every time (its digest fixes its bytes), so the failure is remembered instead of paying
// for transpiling and instrumenting again on every request.
import type { Plugin, PluginHost } from '../host/plugin-host.js';
import { SphError } from '../errors.js';
import type { CatalogEntry } from './widget-catalog.js';

/** Load failures fixed by the component's bytes. */
const INTRINSIC = new Set(['SPH_ERR_INVALID_COMPONENT', 'SPH_ERR_IMPORT_DENIED', 'SPH_ERR_MEMORY_LIMIT']);

export class WidgetLoader {
  readonly #host: PluginHost;
  readonly #byDigest = new Map<string, Promise<Plugin>>();
  readonly #failed = new Map<string, SphError>();

  constructor(host: PluginHost) {
    this.#host = host;
  }

  async get(entry: CatalogEntry): Promise<Plugin> {
    const failed = this.#failed.get(entry.digest);
    if (failed) throw failed;
    const cached = this.#byDigest.get(entry.digest);
    if (cached) {
      const plugin = await cached.catch(() => undefined);
      // A plug-in the kill switch dropped is loaded again: refused while revoked, back once restored.
      if (plugin?.loaded) return plugin;
      if (this.#byDigest.get(entry.digest) === cached) this.#byDigest.delete(entry.digest);
    }
    let p = this.#byDigest.get(entry.digest);
    if (!p) {
      p = this.#load(entry);
      this.#byDigest.set(entry.digest, p);
    }
    return p;
  }

  async #load(entry: CatalogEntry): Promise<Plugin> {
    try {
      return await this.#host.load(await entry.bytes(), {
        id: entry.id,
        version: entry.version,
        digest: entry.digest,
        ...(entry.limits ? { limits: entry.limits } : {}),
        ...(entry.allowedHosts ? { egress: { allowedHosts: [...entry.allowedHosts] } } : {}),
      });
    } catch (err) {
      this.#byDigest.delete(entry.digest);
      // Only the component's own faults are deterministic; a revocation, a registry outage or
      // a host failure may pass.
      if (SphError.isSphError(err) && INTRINSIC.has(err.code)) this.#failed.set(entry.digest, err);
      throw err;
    }
  }

  /** Drops every loaded plug-in that matches (revocation): the host frees its compiled code. */
  async evict(match: (plugin: Plugin) => boolean): Promise<number> {
    let n = 0;
    for (const [digest, p] of this.#byDigest) {
      const plugin = await p.catch(() => undefined);
      if (plugin && match(plugin)) {
        this.#byDigest.delete(digest);
        this.#host.unload(plugin);
        n++;
      }
    }
    return n;
  }

  get size(): number {
    return this.#byDigest.size;
  }
}
