import { describe, expect, it } from 'vitest';
import { ALLOWED_INTERFACES, buildImports, deniedImports } from '../../../src/sandbox/capabilities/index.js';
import { PluginLog, type PluginLogLine } from '../../../src/sandbox/plugin-log.js';

describe('capabilities', () => {
  it('deny by default: sockets, env, exit, serving http and unknown interfaces are refused with a reason', () => {
    const denied = deniedImports([
      'summit:widget/host',
      'wasi:io/streams@0.2.3',
      'wasi:sockets/tcp@0.2.3',
      'wasi:cli/environment',
      'wasi:cli/exit',
      'wasi:http/outgoing-handler@0.2.10',
      'wasi:http/types@0.2.10',
      'wasi:http/incoming-handler@0.2.10',
      'acme:spy/peek',
    ]);
    expect(denied.map((d) => d.name)).toEqual([
      'wasi:sockets/tcp@0.2.3',
      'wasi:cli/environment',
      'wasi:cli/exit',
      'wasi:http/incoming-handler@0.2.10',
      'acme:spy/peek',
    ]);
    expect(denied[0]!.reason).toMatch(/sockets/);
    expect(denied[3]!.reason).toMatch(/not serve HTTP/);
    expect(denied[4]!.reason).toMatch(/allowlist/);
  });

  it('the import object holds only what the component imports', () => {
    const ctx = { log: () => {}, stdout: () => {}, stderr: () => {} };
    const imports = buildImports(ctx, ['summit:widget/host', 'wasi:cli/stdin@0.2.3']);
    expect(Object.keys(imports).sort()).toEqual(['summit:widget/host', 'wasi:cli/stdin']);
    expect(ALLOWED_INTERFACES.has('wasi:filesystem/preopens')).toBe(true);
    expect(ALLOWED_INTERFACES.has('wasi:sockets/tcp')).toBe(false);
  });

  it('stdin is empty, preopens are none, stdout goes to the log', () => {
    const lines: PluginLogLine[] = [];
    const log = new PluginLog({ maxLines: 10, maxLineBytes: 100, emit: (l) => lines.push(l) });
    const imports = buildImports(log, ['wasi:cli/stdin', 'wasi:cli/stdout', 'wasi:filesystem/preopens']) as Record<string, Record<string, () => unknown>>;
    const stdin = imports['wasi:cli/stdin']!.getStdin!() as { read(n: bigint): unknown };
    expect(() => stdin.read(10n)).toThrow(expect.objectContaining({ tag: 'closed' }));
    expect(imports['wasi:filesystem/preopens']!.getDirectories!()).toEqual([]);
    const out = imports['wasi:cli/stdout']!.getStdout!() as { blockingWriteAndFlush(b: Uint8Array): void };
    out.blockingWriteAndFlush(new TextEncoder().encode('hello\nwor'));
    out.blockingWriteAndFlush(new TextEncoder().encode('ld\n'));
    expect(lines).toEqual([
      { level: 'info', message: 'hello', stream: 'stdout' },
      { level: 'info', message: 'world', stream: 'stdout' },
    ]);
  });
});

describe('plug-in log', () => {
  it('keeps a bounded number of lines, truncates long ones and counts the rest', () => {
    const lines: PluginLogLine[] = [];
    const log = new PluginLog({ maxLines: 3, maxLineBytes: 5, emit: (l) => lines.push(l) });
    for (let i = 0; i < 10; i++) log.log('info', `line ${i}`);
    expect(lines.map((l) => l.message)).toEqual(['line … [truncated]', 'line … [truncated]', 'line … [truncated]']);
    expect(log.dropped).toBe(7);
  });
});
