// (e) The peer a Node user would pick: @extism/extism with runInWorker and timeoutMs, running
// an equivalent CPU-bound core wasm workload (the same hash loop), next to our host.
import createPlugin from '@extism/extism';
import type { PluginHost } from '../dist/index.js';
import { watToWasm } from '../test/support/build.js';
import { fixtureComponent } from '../test/support/fixtures.js';
import { fmt, median, quantile, table } from './support/stats.js';

const hashLoop = (iterations: number | string) => `(module
  (global $sink (mut i32) (i32.const 0))
  (func $work (param $n i32)
    (local $i i32) (local $h i32)
    (local.set $h (i32.const 0x9e3779b9))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $h (i32.mul (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 15))) (i32.const 0x2c1b3c6d)))
        (local.set $h (i32.add (local.get $h) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (global.set $sink (local.get $h)))
  (func (export "small") (result i32) (call $work (i32.const 1000)) (i32.const 0))
  (func (export "big") (result i32) (call $work (i32.const ${iterations})) (i32.const 0))
  (func (export "forever") (result i32) (loop $l (br $l)) (i32.const 0)))`;

export async function extismPeer(host: PluginHost, n = 200) {
  const BIG = 3_000_000;
  const wasm = await watToWasm(hashLoop(BIG));
  const plugin = await createPlugin({ wasm: [{ data: wasm }] }, { useWasi: false, runInWorker: true, timeoutMs: 1500 } as never);
  const small = await host.load(await fixtureComponent('fuel-work', { ITERATIONS: 1000 }), { id: 'bench/small' });
  const big = await host.load(await fixtureComponent('fuel-work', { ITERATIONS: BIG }), { id: 'bench/big' });

  const measure = async (fn: () => Promise<unknown>, count: number) => {
    for (let i = 0; i < 10; i++) await fn();
    const xs: number[] = [];
    for (let i = 0; i < count; i++) {
      const t = performance.now();
      await fn();
      xs.push(performance.now() - t);
    }
    return xs;
  };
  const ex1 = await measure(() => plugin.call('small'), n);
  const us1 = await measure(() => host.render(small, '{}'), n);
  const ex2 = await measure(() => plugin.call('big'), 20);
  const us2 = await measure(() => host.render(big, '{}'), 20);

  // Infinite loop: Extism's only control is the wall-clock timeout on the host's main thread.
  const t0 = performance.now();
  let exStop = NaN;
  let exAfter = 'ok';
  try {
    await plugin.call('forever');
  } catch {
    exStop = performance.now() - t0;
  }
  try {
    await plugin.call('small');
  } catch (e) {
    exAfter = `fails: ${String((e as Error).message).slice(0, 60)}`;
  }
  const loop = await host.load(await fixtureComponent('infinite-loop'), { id: 'bench/loop' });
  let ours = { wallMs: NaN, cpuMs: NaN, code: '' };
  try {
    await host.render(loop, '{}');
  } catch (e) {
    const err = e as { usage: { wallMs: number; cpuMs: number }; code: string };
    ours = { ...err.usage, code: err.code };
  }
  await plugin.close();
  table(
    '(e) peer: @extism/extism 2.0.0-rc13 (runInWorker, timeoutMs 1500) vs this host, same hash loop',
    ['case', 'extism p50 ms', 'extism p99 ms', 'ours p50 ms', 'ours p99 ms'],
    [
      ['1k iterations per call (round trip)', fmt(median(ex1), 3), fmt(quantile(ex1, 0.99), 3), fmt(median(us1), 3), fmt(quantile(us1, 0.99), 3)],
      [`${BIG / 1e6}M iterations per call`, fmt(median(ex2), 1), fmt(quantile(ex2, 0.99), 1), fmt(median(us2), 1), fmt(quantile(us2, 0.99), 1)],
    ],
  );
  console.log(
    `infinite loop: extism stopped it after ${fmt(exStop, 0)} ms wall (timeout 1500, no CPU or fuel cap; next call ${exAfter}); ` +
      `ours: ${ours.code} after ${fmt(ours.cpuMs, 0)} cpu-ms / ${fmt(ours.wallMs, 0)} ms wall.`,
  );
  for (const p of [small, big, loop]) host.unload(p);
}
