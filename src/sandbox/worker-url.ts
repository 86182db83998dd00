// How to start a sandbox worker. From the built package the entry is the sibling .js file.
// When the sources run directly (vitest, tsx) the entry is TypeScript: the worker first
// registers tsx's loader in its own thread, then imports the entry.
export interface WorkerEntry {
  /** A file URL, or bootstrap source when `eval` is true. */
  script: URL | string;
  eval: boolean;
}

export function workerEntry(): WorkerEntry {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return { script: new URL('./worker-entry.js', self), eval: false };
  const entry = new URL('./worker-entry.ts', self).href;
  const script = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return { script, eval: true };
}
