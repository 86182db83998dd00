import { describe, expect, it } from 'vitest';
import { applyEmbedding, learnEmbedding, sameBytes } from '../../../src/component/embedding.js';
import { componentLayout } from '../../../src/component/component-shape.js';
import { WIDGET_WIT, watToWasm } from '../../support/build.js';
import { fixtureWat } from '../../support/fixtures.js';

/** A core module with the widget world embedded (what a toolchain hands wit-component), and the component made of it. */
async function build(iterations: number): Promise<{ source: Uint8Array; embedded: Uint8Array }> {
  const { parse, componentEmbed, componentNew } = await import('@bytecodealliance/jco-transpile/wasm-tools');
  const binary = await parse(await fixtureWat('fuel-work', { ITERATIONS: iterations }));
  const source = await componentEmbed({ binary, witSource: await WIDGET_WIT(), world: 'widget', stringEncoding: 'utf8' } as never);
  const component = await componentNew(source, [] as never);
  return { source, embedded: componentLayout(component)!.coreModules[0]! };
}

const mod = (customs: string, body = '(func (export "f") (result i32) (i32.const 1))') => watToWasm(`(module ${customs} ${body})`);

describe('how a component embeds the core module it was made from', () => {
  it('learns it from one wit-component build and predicts the next build, byte for byte', async () => {
    const first = await build(10);
    const next = await build(20);
    expect(sameBytes(first.source, first.embedded)).toBe(false); // wit-component does change it
    const rule = learnEmbedding(first.source, first.embedded);
    expect(rule).toBeDefined();
    expect(rule!.rules.get('custom:component-type')).toBe('drop');
    const predicted = applyEmbedding(rule!, next.source);
    expect(sameBytes(predicted!, next.embedded)).toBe(true);
    expect(sameBytes(predicted!, first.embedded)).toBe(false);
  });

  it('custom sections kept, replaced in place, dropped, and added', async () => {
    const source = await mod('(@custom "keep" (after code) "k") (@custom "swap" (after code) "old") (@custom "gone" (after code) "x")');
    const embedded = await mod('(@custom "added" (before first) "new") (@custom "keep" (after code) "k") (@custom "swap" (after code) "NEW")');
    const rule = learnEmbedding(source, embedded)!;
    expect(rule).toBeDefined();
    expect(rule.rules.get('custom:keep')).toBe('keep');
    expect(rule.rules.get('custom:gone')).toBe('drop');
    const other = await mod('(@custom "keep" (after code) "k2") (@custom "swap" (after code) "old") (@custom "gone" (after code) "y")', '(func (export "f") (result i32) (i32.const 2))');
    const expected = await mod('(@custom "added" (before first) "new") (@custom "keep" (after code) "k2") (@custom "swap" (after code) "NEW")', '(func (export "f") (result i32) (i32.const 2))');
    expect(sameBytes(applyEmbedding(rule, other)!, expected)).toBe(true);
  });

  it('no rule when code or data differ, or a custom name repeats', async () => {
    expect(learnEmbedding(await mod(''), await mod('', '(func (export "f") (result i32) (i32.const 2))'))).toBeUndefined();
    expect(learnEmbedding(await mod('(@custom "a" "1") (@custom "a" "2")'), await mod('(@custom "a" "1")'))).toBeUndefined();
    expect(learnEmbedding(new Uint8Array([1, 2, 3]), await mod(''))).toBeUndefined();
  });

  it('no prediction for a module the rule does not fit', async () => {
    const rule = learnEmbedding(await mod('(@custom "a" (after code) "1")'), await mod('(@custom "a" (after code) "1") (@custom "b" (after code) "2")'))!;
    expect(rule).toBeDefined();
    expect(applyEmbedding(rule, await mod('(@custom "unknown" "1")'))).toBeUndefined(); // unknown custom section
    expect(applyEmbedding(rule, await mod(''))).toBeUndefined(); // the section "b" goes after is missing
    expect(applyEmbedding(rule, new Uint8Array([0, 1]))).toBeUndefined();
  });
});
