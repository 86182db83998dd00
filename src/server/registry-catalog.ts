// The production catalog of the host service: the registry says which version of a widget to
// serve (the highest version that is neither revoked nor at end of support), its digest, and
// its bytes. The list is kept for `refreshMs` and fetched again on a miss (a widget published a
// moment ago) and whenever the kill-switch snapshot changes (a revocation or a restore); the
// kill switch itself still checks every instantiation.
import { Agent, request } from 'undici';
import { InternalError, NotFoundError, RegistryUnavailableError } from '../errors.js';
import type { Limits } from '../config/limits.js';
import type { CatalogEntry, WidgetCatalog } from './widget-catalog.js';

export interface RegistryCatalogOptions {
  /** Base URL of the registry. */
  url: string;
  /** A bearer token with any registry role (registry:reader is enough). */
  token: string;
  /** How long a fetched list is used before it is fetched again. Default 5 s. */
  refreshMs?: number;
  requestTimeoutMs?: number;
}

interface RegistryPlugin {
  id: string;
  version: string;
  digest: string;
  status: string;
  manifest: { limits?: Partial<Limits>; capabilities?: { egress?: { allowedHosts?: string[] } } };
  revoked: unknown;
}

const SERVED = new Set(['active', 'maintenance', 'deprecated']);

/** Semantic version order; a pre-release sorts before its release. */
export function compareSemver(a: string, b: string): number {
  const parse = (v: string) => {
    const [core, pre] = v.split('+')[0]!.split(/-(.*)/s) as [string, string | undefined];
    return { nums: core.split('.').map(Number), pre };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) if (x.nums[i] !== y.nums[i]) return (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  const xs = x.pre.split('.');
  const ys = y.pre.split('.');
  for (let i = 0; i < Math.max(xs.length, ys.length); i++) {
    const p = xs[i];
    const q = ys[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    if (pn && qn && Number(p) !== Number(q)) return Number(p) - Number(q);
    if (pn !== qn) return pn ? -1 : 1;
    if (p !== q) return p < q ? -1 : 1;
  }
  return 0;
}

export class RegistryCatalog implements WidgetCatalog {
  readonly #base: URL;
  readonly #token: string;
  readonly #refreshMs: number;
  readonly #timeoutMs: number;
  readonly #agent: Agent;
  #entries = new Map<string, CatalogEntry>();
  #fetchedAt = -Infinity;
  #fetching: Promise<void> | null = null;
  /** Component bytes by digest: a version's bytes never change. */
  readonly #bytes = new Map<string, Promise<Uint8Array>>();

  constructor(o: RegistryCatalogOptions) {
    this.#base = new URL(o.url.endsWith('/') ? o.url : `${o.url}/`);
    this.#token = o.token;
    this.#refreshMs = o.refreshMs ?? 5000;
    this.#timeoutMs = o.requestTimeoutMs ?? 5000;
    this.#agent = new Agent({ connectTimeout: this.#timeoutMs, headersTimeout: this.#timeoutMs, bodyTimeout: this.#timeoutMs });
  }

  /** The next list() or resolve() asks the registry again (call on every snapshot change). */
  invalidate(): void {
    this.#fetchedAt = -Infinity;
  }

  async list(): Promise<CatalogEntry[]> {
    await this.#refresh(false);
    return [...this.#entries.values()];
  }

  async resolve(id: string): Promise<CatalogEntry | undefined> {
    await this.#refresh(false);
    if (!this.#entries.has(id)) await this.#refresh(true);
    return this.#entries.get(id);
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }

  async #refresh(force: boolean): Promise<void> {
    if (!force && performance.now() - this.#fetchedAt < this.#refreshMs) return;
    this.#fetching ??= this.#fetchList().finally(() => (this.#fetching = null));
    await this.#fetching;
  }

  async #get(path: string): Promise<{ status: number; body: Uint8Array }> {
    let res;
    try {
      res = await request(new URL(path, this.#base), { dispatcher: this.#agent, headers: { authorization: `Bearer ${this.#token}` } });
    } catch (err) {
      throw new RegistryUnavailableError(`the registry at ${this.#base.origin} cannot be reached: ${(err as Error).message}`);
    }
    const body = new Uint8Array(await res.body.arrayBuffer());
    return { status: res.statusCode, body };
  }

  async #fetchList(): Promise<void> {
    const { status, body } = await this.#get('v1/plugins');
    if (status !== 200) throw new RegistryUnavailableError(`the registry answered ${status} to the widget list: check the host service's registry token`);
    const plugins = (JSON.parse(Buffer.from(body).toString('utf8')) as { plugins: RegistryPlugin[] }).plugins;
    // The highest version that may be served; when every version is revoked, the highest
    // revoked one, so that renders are refused as revoked (SPH_ERR_REVOKED), not unknown.
    const best = new Map<string, RegistryPlugin>();
    const bestRevoked = new Map<string, RegistryPlugin>();
    for (const p of plugins) {
      if (!SERVED.has(p.status)) continue;
      const into = p.revoked ? bestRevoked : best;
      const cur = into.get(p.id);
      if (!cur || compareSemver(p.version, cur.version) > 0) into.set(p.id, p);
    }
    for (const [id, p] of bestRevoked) if (!best.has(id)) best.set(id, p);
    const entries = new Map<string, CatalogEntry>();
    for (const p of best.values()) {
      const [publisher, name] = p.id.split('/') as [string, string];
      const path = `v1/plugins/${publisher}/${name}/versions/${encodeURIComponent(p.version)}/component`;
      entries.set(p.id, {
        id: p.id,
        version: p.version,
        digest: p.digest,
        ...(p.manifest.limits ? { limits: p.manifest.limits } : {}),
        allowedHosts: p.manifest.capabilities?.egress?.allowedHosts ?? [],
        bytes: () => this.#component(p.id, p.version, p.digest, path),
      });
    }
    this.#entries = entries;
    this.#fetchedAt = performance.now();
  }

  #component(id: string, version: string, digest: string, path: string): Promise<Uint8Array> {
    let p = this.#bytes.get(digest);
    if (!p) {
      p = this.#get(path).then(({ status, body }) => {
        if (status === 404) throw new NotFoundError(`${id}@${version} is no longer in the registry`);
        if (status !== 200) throw new InternalError(`the registry answered ${status} for the component of ${id}@${version}`);
        return body;
      });
      p.catch(() => this.#bytes.delete(digest));
      this.#bytes.set(digest, p);
    }
    return p;
  }
}
