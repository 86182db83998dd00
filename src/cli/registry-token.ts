// summit-plugin registry token --role <role> [--publisher <p>] (--dev [--data-dir <dir>] | --key <pem> --issuer <iss> --audience <aud>)
// Mints a bearer token with the issuer's private key. For development and for operators who
// run their own issuer key; fleets normally get tokens from their identity provider.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROLE_ADMIN, ROLE_PUBLISHER } from '../registry/server/auth.js';
import { ROLE_READER } from '../registry/server/context.js';
import { DEV_AUDIENCE, DEV_ISSUER } from '../registry/server/dev-keys.js';
import { defaultRegistryDataDir } from '../registry/server/options.js';
import { mintToken } from '../registry/tokens.js';
import { parse, positiveInt } from './args.js';
import { EXIT, UsageError, printJson, type Io } from './output.js';

export const TOKEN_HELP = `Usage: summit-plugin registry token --role <admin|publisher|reader> [options]

Mints a registry bearer token (a JWT) and prints it.

Options:
  --role <role>       admin, publisher or reader (repeatable; or the full registry:... name)
  --publisher <p>     the id prefix a publisher token may publish under
  --sub <subject>     who the token is for (default: the role name)
  --ttl-sec <n>       lifetime in seconds (default 3600)
  --dev               sign with the dev registry's issuer key (<data-dir>/dev)
  --data-dir <dir>    the dev registry's data folder (default $SUMMIT_REGISTRY_DATA or ~/.local/share/summit-plugin-host/registry)
  --key <file>        the issuer's private key (PEM), instead of --dev
  --issuer <iss>      with --key
  --audience <aud>    with --key
  --json              print one JSON object as the last line of stdout
  -h, --help          show this help
`;

const ROLE_NAMES: Record<string, string> = { admin: ROLE_ADMIN, publisher: ROLE_PUBLISHER, reader: ROLE_READER };

export async function tokenCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    role: { type: 'string', multiple: true },
    publisher: { type: 'string' },
    sub: { type: 'string' },
    'ttl-sec': { type: 'string' },
    dev: { type: 'boolean', default: false },
    'data-dir': { type: 'string' },
    key: { type: 'string' },
    issuer: { type: 'string' },
    audience: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    io.stdout(TOKEN_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw new UsageError('token takes no arguments');
  const roles = (values.role ?? []).map((r) => ROLE_NAMES[r] ?? r);
  if (roles.length === 0) throw new UsageError('token needs --role');
  for (const r of roles) if (!Object.values(ROLE_NAMES).includes(r)) throw new UsageError(`unknown role "${r}" (admin, publisher, reader)`);
  if (roles.includes(ROLE_PUBLISHER) && !values.publisher) throw new UsageError('a publisher token needs --publisher <prefix>');
  let key: KeyObject;
  let issuer: string;
  let audience: string;
  let file: string;
  if (values.dev) {
    if (values.key) throw new UsageError('pass --dev or --key, not both');
    file = join(values['data-dir'] ?? defaultRegistryDataDir(), 'dev', 'token-issuer-key.pem');
    issuer = DEV_ISSUER;
    audience = DEV_AUDIENCE;
  } else {
    if (!values.key || !values.issuer || !values.audience) throw new UsageError('pass --dev, or --key <pem> with --issuer and --audience');
    file = values.key;
    issuer = values.issuer;
    audience = values.audience;
  }
  try {
    key = createPrivateKey(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`cannot read the issuer private key ${file}${values.dev ? ' (start the dev registry once first)' : ''}: ${(err as Error).message.split('\n')[0]}`);
  }
  const ttlSec = positiveInt('--ttl-sec', values['ttl-sec']) ?? 3600;
  const token = await mintToken(key, { issuer, audience, sub: values.sub ?? roles.map((r) => r.split(':')[1]).join('+'), roles, ttlSec, ...(values.publisher ? { publisher: values.publisher } : {}) });
  if (values.json) printJson(io, { ok: true, token, expiresInSec: ttlSec });
  else io.stdout(`${token}\n`);
  return EXIT.ok;
}
