// Watches a set of files for `dev`. It watches their directories, not the files: editors save
// by writing a temporary file and renaming it over the original, which replaces the inode a
// file watcher holds. Events are filtered to the set and debounced, so a burst of writes
// (format on save, several files) is one change.
import { watch, type FSWatcher } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface SourceWatcherOptions {
  debounceMs: number;
  onChange: (files: string[]) => void;
}

export class SourceWatcher {
  readonly #opts: SourceWatcherOptions;
  #files = new Set<string>();
  readonly #dirs = new Map<string, FSWatcher>();
  #pending = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(opts: SourceWatcherOptions) {
    this.#opts = opts;
  }

  /** Replaces the watched set (what went into the last bundle, plus the manifest). */
  watch(files: Iterable<string>): void {
    if (this.#closed) return;
    this.#files = new Set([...files].map((f) => resolve(f)).filter((f) => !f.includes('/node_modules/')));
    const dirs = new Set([...this.#files].map((f) => dirname(f)));
    for (const [dir, w] of this.#dirs) {
      if (!dirs.has(dir)) {
        w.close();
        this.#dirs.delete(dir);
      }
    }
    for (const dir of dirs) {
      if (this.#dirs.has(dir)) continue;
      try {
        const w = watch(dir, { persistent: false }, (_event, name) => {
          if (name) this.#saw(join(dir, name.toString()));
        });
        w.on('error', () => {
          // The directory went away (renamed, deleted): forget it; the next build re-arms.
          w.close();
          this.#dirs.delete(dir);
        });
        this.#dirs.set(dir, w);
      } catch {
        // A directory that does not exist (yet): nothing to watch there.
      }
    }
  }

  #saw(file: string): void {
    if (!this.#files.has(file)) return;
    this.#pending.add(file);
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      const files = [...this.#pending];
      this.#pending.clear();
      if (!this.#closed) this.#opts.onChange(files);
    }, this.#opts.debounceMs);
  }

  get directories(): string[] {
    return [...this.#dirs.keys()];
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const w of this.#dirs.values()) w.close();
    this.#dirs.clear();
  }
}
