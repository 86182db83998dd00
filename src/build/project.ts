// A widget project: a directory with summit-plugin.json. Knows where the sources, the
// component and the build record are, and which WASI features the manifest asks for.
import { access, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { InvalidArgError } from '../errors.js';
import { readManifest, type Manifest } from '../manifest/manifest.js';
import { defaultCacheDir } from '../config/host-options.js';
import { sha256Hex } from '../component/digest.js';
import { WidgetBuilder, featuresForManifest, type BuildProgress, type BuiltWidget, type WasiFeature } from './build-widget.js';
import type { Componentizer } from './componentizer.js';

export const MANIFEST_FILE = 'summit-plugin.json';

/** Written beside the component by `build`; `check` compares it with the sources. */
export interface BuildRecord {
  id: string;
  version: string;
  digest: string;
  sizeBytes: number;
  sourceHash: string;
  features: WasiFeature[];
  builtAt: string;
  builtWith: string;
}

export interface Project {
  dir: string;
  manifestPath: string;
  manifest: Manifest;
  /** Absolute path of the component file. */
  componentPath: string;
  recordPath: string;
}

/** Features compiled in: what the manifest lists, plus http when it asks for egress. */
export function featuresFor(manifest: Manifest): WasiFeature[] {
  return featuresForManifest(manifest);
}

export async function loadProject(dirArg: string): Promise<Project> {
  const dir = resolve(dirArg);
  const manifestPath = join(dir, MANIFEST_FILE);
  try {
    await access(manifestPath);
  } catch {
    throw new InvalidArgError(`${dir} has no ${MANIFEST_FILE}: run "summit-plugin init ${dirArg}" to create a widget project, or pass the project directory`);
  }
  const manifest = await readManifest(manifestPath);
  const componentPath = join(dir, manifest.component);
  return { dir, manifestPath, manifest, componentPath, recordPath: recordPathFor(componentPath) };
}

export function recordPathFor(componentPath: string): string {
  return join(dirname(componentPath), `${basename(componentPath, '.wasm')}.build.json`);
}

export function buildCacheDir(): string {
  return join(defaultCacheDir(), 'builds');
}

export function createProjectBuilder(project: Project, componentizer?: Componentizer): WidgetBuilder {
  return new WidgetBuilder(
    {
      entry: project.manifest.build.entry,
      projectDir: project.dir,
      features: featuresFor(project.manifest),
      cacheDir: buildCacheDir(),
      wrap: true,
    },
    componentizer,
  );
}

export interface ProjectBuild {
  built: BuiltWidget;
  digest: string;
  record: BuildRecord;
}

/** Builds the project and writes the component and its build record. */
export async function buildProject(project: Project, builder: WidgetBuilder, onProgress?: (p: BuildProgress) => void): Promise<ProjectBuild> {
  const built = await builder.build(onProgress);
  const digest = sha256Hex(built.bytes);
  const record: BuildRecord = {
    id: project.manifest.id,
    version: project.manifest.version,
    digest,
    sizeBytes: built.bytes.length,
    sourceHash: built.sourceHash,
    features: featuresFor(project.manifest),
    builtAt: new Date().toISOString(),
    builtWith: `summit-plugin-host@${await ownVersion()}`,
  };
  await mkdir(dirname(project.componentPath), { recursive: true });
  await atomicWrite(project.componentPath, built.bytes);
  await atomicWrite(project.recordPath, `${JSON.stringify(record, null, 2)}\n`);
  return { built, digest, record };
}

export async function readBuildRecord(path: string): Promise<BuildRecord | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as BuildRecord;
  } catch {
    return undefined;
  }
}

async function atomicWrite(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

let version: string | undefined;
export async function ownVersion(): Promise<string> {
  version ??= (JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return version;
}
