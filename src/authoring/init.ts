// `summit-plugin init <dir>`: writes a widget project from templates.ts. Refuses a directory
// that has anything in it: scaffolding never overwrites an author's files.
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgError } from '../errors.js';
import { parseManifest } from '../manifest/manifest.js';
import { projectFiles } from './templates.js';

const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface InitOptions {
  /** publisher/name; default my-org/<directory name>. */
  id?: string;
  displayName?: string;
  /** Dependency spec for summit-plugin-host; default: this package (see hostDependency). */
  hostSpec?: string;
}

export interface InitResult {
  dir: string;
  id: string;
  name: string;
  hostSpec: string;
  files: string[];
}

/** npm-safe, id-safe name from a directory name. */
export function projectName(dir: string): string {
  const n = basename(resolve(dir)).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64);
  return n || 'widget';
}

/**
 * How a new project depends on this package: the same version range when this copy was
 * installed from a registry, otherwise (a source checkout) a file: link to it, so a project
 * made from a checkout installs without a published package.
 */
export async function hostDependency(): Promise<string> {
  const pkg = JSON.parse(await readFile(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
  if (PACKAGE_ROOT.includes(`${sep}node_modules${sep}`)) return `^${pkg.version}`;
  return `file:${PACKAGE_ROOT.replace(/[\\/]$/, '')}`;
}

async function toolVersions() {
  const pkg = JSON.parse(await readFile(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
    devDependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };
  const dev = pkg.devDependencies ?? {};
  return {
    componentizeJs: dev['@bytecodealliance/componentize-js'] ?? pkg.peerDependencies?.['@bytecodealliance/componentize-js'] ?? '0.23.0',
    esbuild: dev.esbuild ?? '0.28.2',
    typescript: dev.typescript ?? '5.9.3',
  };
}

export async function initProject(dirArg: string, opts: InitOptions = {}): Promise<InitResult> {
  const dir = resolve(dirArg);
  const existing = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    if (err.code === 'ENOTDIR') throw new InvalidArgError(`${dirArg} is a file: pass a new or empty directory`);
    throw new InvalidArgError(`cannot read ${dirArg}: ${err.code ?? err.message}`);
  });
  if (existing.length > 0) {
    throw new InvalidArgError(`${dirArg} is not empty (${existing.slice(0, 3).join(', ')}${existing.length > 3 ? ', ...' : ''}): init only writes into a new or empty directory`);
  }
  const name = projectName(dir);
  const id = opts.id ?? `my-org/${name}`;
  const displayName = opts.displayName ?? name.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');
  const hostSpec = opts.hostSpec ?? (await hostDependency());
  const files = projectFiles({
    name,
    id,
    displayName,
    hostSpec,
    versions: await toolVersions(),
    widgetTypes: await readFile(join(PACKAGE_ROOT, 'types', 'summit-widget.d.ts'), 'utf8'),
  });
  // The manifest we are about to write must pass our own validation (a bad --id fails here).
  parseManifest(JSON.parse(files['summit-plugin.json']!), '--id/--name');
  for (const [rel, text] of Object.entries(files)) {
    const path = join(dir, rel);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text, { flag: 'wx' });
  }
  return { dir, id, name, hostSpec, files: Object.keys(files) };
}
