// Where the host service finds the widget to serve for an id: in production the registry
// (the version it marks current, its digest and bytes); in development a directory of built
// widgets. The render route only sees this interface.
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Limits } from '../config/limits.js';
import { sha256Hex } from '../component/digest.js';
import { readManifest } from '../manifest/manifest.js';

export interface CatalogEntry {
  id: string;
  version: string;
  /** sha256 of the component bytes, hex: the loader refuses bytes that do not match. */
  digest: string;
  /** Lower caps from the manifest. */
  limits?: Partial<Limits>;
  /** Egress hosts the manifest asks for. */
  allowedHosts?: readonly string[];
  bytes(): Promise<Uint8Array>;
}

export interface WidgetCatalog {
  /** The version to serve for a widget id, or undefined when the catalog has no such widget. */
  resolve(id: string): Promise<CatalogEntry | undefined>;
  /** Every widget the catalog serves (the demo page lists them). */
  list(): Promise<CatalogEntry[]>;
  /** Forget what is cached: called when the kill-switch snapshot changes. */
  invalidate?(): void;
}

interface DirEntry extends CatalogEntry {
  mtimeMs: number;
  path: string;
  /** When the component file's mtime was last compared (performance.now()). */
  checkedAt: number;
}

/** How stale a directory entry may be: a stat per render would cost a thread-pool round trip. */
const REVALIDATE_MS = 500;

/**
 * Development catalog: every subdirectory of `root` holding a summit-plugin.json whose
 * `component` file exists. Re-read when the component file changes (looked at most every
 * REVALIDATE_MS per widget), so `serve --widgets` picks up rebuilds.
 */
export class DirectoryCatalog implements WidgetCatalog {
  readonly #root: string;
  readonly #byId = new Map<string, DirEntry>();

  constructor(root: string) {
    this.#root = resolve(root);
  }

  async list(): Promise<CatalogEntry[]> {
    const out: CatalogEntry[] = [];
    for (const d of await readdir(this.#root, { withFileTypes: true })) {
      if (!d.isDirectory()) continue;
      const entry = await this.#read(join(this.#root, d.name)).catch(() => undefined);
      if (entry) out.push(entry);
    }
    return out;
  }

  async resolve(id: string): Promise<CatalogEntry | undefined> {
    const known = this.#byId.get(id);
    if (known) {
      const now = performance.now();
      if (now - known.checkedAt < REVALIDATE_MS) return known;
      const s = await stat(known.path).catch(() => null);
      if (s && s.mtimeMs === known.mtimeMs) {
        known.checkedAt = now;
        return known;
      }
    }
    await this.list();
    return this.#byId.get(id);
  }

  async #read(dir: string): Promise<DirEntry | undefined> {
    const manifestPath = join(dir, 'summit-plugin.json');
    if (!(await stat(manifestPath).catch(() => null))) return undefined;
    const manifest = await readManifest(manifestPath);
    if (!manifest.component) return undefined;
    const path = resolve(dir, manifest.component);
    const s = await stat(path).catch(() => null);
    if (!s) return undefined;
    const known = this.#byId.get(manifest.id);
    if (known && known.path === path && known.mtimeMs === s.mtimeMs) return known;
    const data = new Uint8Array(await readFile(path));
    const entry: DirEntry = {
      id: manifest.id,
      version: manifest.version,
      digest: sha256Hex(data),
      limits: manifest.limits,
      allowedHosts: manifest.capabilities.egress.allowedHosts,
      bytes: async () => data,
      mtimeMs: s.mtimeMs,
      path,
      checkedAt: performance.now(),
    };
    this.#byId.set(manifest.id, entry);
    return entry;
  }
}
