// How to start one of our threads. From the built package the entry is the sibling .js file.
// When the sources run directly (vitest, tsx) the entry is TypeScript: the thread first
// registers tsx's loader in itself, then imports the entry.
export interface ThreadEntry {
  /** A file URL, or bootstrap source when `eval` is true. */
  script: URL | string;
  eval: boolean;
}

export type ThreadName = 'worker-entry' | 'supervisor-thread';

export function threadEntry(name: ThreadName): ThreadEntry {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return { script: new URL(`./${name}.js`, self), eval: false };
  const entry = new URL(`./${name}.ts`, self).href;
  const script = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return { script, eval: true };
}
