// Prepared components on disk, so a second process (or a restart) skips transpiling and
// instrumenting: only WebAssembly.compile remains. Entries are written to a temporary folder
// and renamed into place, so readers never see half an entry; a damaged entry is rebuilt.
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface CachedEntry {
  meta: CacheMeta;
  js: string;
  coreModules: Map<string, Uint8Array>;
}

export interface CacheMeta {
  format: 1;
  digest: string;
  imports: string[];
  exports: [string, string][];
  initialMemoryPages: number;
  initialTableElements: number;
  coreModules: string[];
}

const ENTRY_DIR = 'prepared-v1';

export class DiskCache {
  readonly #root: string;
  constructor(cacheDir: string) {
    this.#root = join(cacheDir, ENTRY_DIR);
  }

  async read(key: string): Promise<CachedEntry | undefined> {
    const dir = join(this.#root, key);
    try {
      const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as CacheMeta;
      if (meta.format !== 1 || !Array.isArray(meta.coreModules)) return undefined;
      const js = await readFile(join(dir, 'component.js'), 'utf8');
      const coreModules = new Map<string, Uint8Array>();
      for (const name of meta.coreModules) {
        coreModules.set(name, new Uint8Array(await readFile(join(dir, `core-${name}`))));
      }
      return { meta, js, coreModules };
    } catch {
      return undefined;
    }
  }

  /** Best effort: a cache that cannot be written only costs time, never correctness. */
  async write(key: string, entry: CachedEntry): Promise<boolean> {
    const tmp = join(this.#root, `.tmp-${key.slice(0, 16)}-${randomBytes(6).toString('hex')}`);
    try {
      await mkdir(tmp, { recursive: true });
      for (const [name, bytes] of entry.coreModules) await writeFile(join(tmp, `core-${name}`), bytes);
      await writeFile(join(tmp, 'component.js'), entry.js);
      await writeFile(join(tmp, 'meta.json'), JSON.stringify(entry.meta));
      await rename(tmp, join(this.#root, key));
      return true;
    } catch {
      await rm(tmp, { recursive: true, force: true }).catch(() => {});
      return false;
    }
  }

  async keys(): Promise<string[]> {
    return (await readdir(this.#root).catch(() => [] as string[])).filter((n) => !n.startsWith('.'));
  }
}
