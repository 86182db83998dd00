// Reusing jco's bindings for a component of the same shape must give exactly what jco gives
// (after the same rewrites, sync-fast-path.ts).
import { transpileBytes } from '@bytecodealliance/jco-transpile';
import { describe, expect, it } from 'vitest';
import { componentLayout } from '../../../src/component/component-shape.js';
import { rewriteBindings } from '../../../src/component/sync-fast-path.js';
import { transpileComponent } from '../../../src/component/transpile.js';
import { fixtureComponent } from '../../support/fixtures.js';

describe('component shape', () => {
  it('is the same for widgets that differ only inside their core module, and different otherwise', async () => {
    const good = componentLayout(await fixtureComponent('good'))!;
    const echo = componentLayout(await fixtureComponent('echo'))!;
    const unsafe = componentLayout(await fixtureComponent('unsafe-output'))!;
    expect(good.coreModules.length).toBeGreaterThan(0);
    expect(echo.shape).toBe(good.shape);
    expect(unsafe.shape).toBe(good.shape);
    expect(Buffer.from(echo.coreModules[0]!).equals(Buffer.from(good.coreModules[0]!))).toBe(false);
    const hostile = componentLayout(await fixtureComponent('not-a-widget').catch(() => new Uint8Array()));
    if (hostile) expect(hostile.shape).not.toBe(good.shape);
  });

  it('gives up on anything it does not understand', () => {
    expect(componentLayout(new Uint8Array())).toBeUndefined();
    expect(componentLayout(Uint8Array.from([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0, 1, 0xff, 0xff]))).toBeUndefined();
  });

  it('reused bindings and modules equal a fresh jco transpile', async () => {
    const first = await transpileComponent(await fixtureComponent('good'));
    const echoBytes = await fixtureComponent('echo');
    const second = await transpileComponent(echoBytes);
    expect(second.reused).toBe(true);
    const fresh = (await transpileBytes(echoBytes, { name: 'component', instantiation: 'async', noComponentErrorWrapping: false })) as { files: Record<string, Uint8Array>; imports: string[]; exports: [string, string][] };
    expect(second.js).toBe(rewriteBindings(new TextDecoder().decode(fresh.files['component.js'])).js);
    expect(second.slowPathReason).toBeUndefined();
    expect(second.imports).toEqual(fresh.imports);
    expect(second.exports).toEqual(fresh.exports);
    const wasm = Object.entries(fresh.files).filter(([f]) => f.endsWith('.wasm'));
    expect([...second.coreModules.keys()]).toEqual(wasm.map(([f]) => f));
    for (const [name, bytes] of wasm) expect(Buffer.from(second.coreModules.get(name)!).equals(Buffer.from(bytes))).toBe(true);
    expect(first.js).toBe(second.js);
  });
});
