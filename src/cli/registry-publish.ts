// summit-plugin registry publish <dir|component.wasm> [--manifest <file>]
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { sha256Hex } from '../component/digest.js';
import { parseManifest } from '../manifest/manifest.js';
import { parse } from './args.js';
import { EXIT, UsageError, printJson, type Io } from './output.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, callRegistry, connection } from './registry-http.js';
import { reportFailure } from './registry-report.js';

export const PUBLISH_HELP = `Usage: summit-plugin registry publish <dir | component.wasm> [options]

Publishes a plug-in version: its manifest (summit-plugin.json) and component bytes. A folder
is read as <dir>/summit-plugin.json and the component its "component" field names; a .wasm
file takes the manifest beside it (or --manifest). Versions are immutable: publishing the same
bytes again is a no-op, other bytes under the same version are refused (SPH_ERR_CONFLICT).
Needs a registry:publisher token whose "publisher" claim is the id's prefix.

Options:
  --manifest <file>   the manifest (default: summit-plugin.json in the folder / beside the file)
${CONNECTION_HELP}  --json              print one JSON object as the last line of stdout
  -h, --help          show this help
`;

async function isDir(p: string): Promise<boolean | undefined> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return undefined;
  }
}

export async function publishCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { ...CONNECTION_OPTIONS, manifest: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } });
  if (values.help) {
    io.stdout(PUBLISH_HELP);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new UsageError('publish needs one folder or component file');
  const target = resolve(positionals[0]!);
  const dir = await isDir(target);
  if (dir === undefined) throw new UsageError(`cannot read ${positionals[0]}`);
  const manifestPath = values.manifest ?? (dir ? join(target, 'summit-plugin.json') : join(dirname(target), 'summit-plugin.json'));
  let manifestText: string;
  try {
    manifestText = await readFile(manifestPath, 'utf8');
  } catch {
    throw new UsageError(`cannot read manifest ${manifestPath}${values.manifest ? '' : ' (pass --manifest)'}`);
  }
  const conn = connection(values);
  try {
    let raw: unknown;
    try {
      raw = JSON.parse(manifestText);
    } catch (err) {
      throw new UsageError(`manifest ${manifestPath} is not JSON: ${(err as Error).message}`);
    }
    const manifest = parseManifest(raw, manifestPath);
    let componentPath = target;
    if (dir) {
      if (!manifest.component) throw new UsageError(`${manifestPath} has no "component" field: pass the .wasm file instead of the folder`);
      componentPath = resolve(dirname(manifestPath), manifest.component);
    }
    let bytes: Buffer;
    try {
      bytes = await readFile(componentPath);
    } catch {
      throw new UsageError(`cannot read component file ${componentPath}`);
    }
    const digest = sha256Hex(bytes);
    const r = await callRegistry<{ created: boolean; plugin: { id: string; version: string; digest: string; status: string } }>(conn, 'POST', 'v1/plugins', {
      manifest: raw,
      component: bytes.toString('base64'),
      digest,
    });
    if (values.json) printJson(io, { ok: true, created: r.created, plugin: r.plugin });
    else io.stdout(`${r.created ? 'published' : 'already published'} ${r.plugin.id}@${r.plugin.version} sha256:${r.plugin.digest} (${r.plugin.status})\n`);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    return reportFailure(io, values.json, err);
  }
}
