import { describe, expect, it } from 'vitest';
import { watToWasm } from '../../support/build.js';
import { describeModule } from '../../../src/wasm/index.js';
import { naiveMetering } from './naive-metering.js';
import { call, createMeter, fuelLeft, instantiateMetered, instrument } from './meter-helpers.js';
import { RandomWat } from './random-wat.js';

// The rewriter charges whole runs up front and merges runs across calls, untargeted block
// ends and blocks nothing leaves early. Check that this is exact: a naive reference that
// charges the fuel global before every single instruction (after it, for the `end` of a
// block, if or loop, which is where branches land) must count the same on every execution
// that neither traps nor throws, and never more.

async function compare(wat: string, inputs: number[], exact: boolean): Promise<number> {
  const original = await watToWasm(wat);
  const noFuel = instrument(original, { fuel: false });
  const info = describeModule(original);
  const imports = (kind: string): number => info.imports.filter((i) => i.kind === kind).length;
  const reference = naiveMetering(noFuel, imports('global'), info.functionCount - imports('func'));
  const ours = instrument(original);
  let compared = 0;
  for (const input of inputs) {
    const mr = createMeter();
    const mo = createMeter();
    const er = await instantiateMetered(reference, mr);
    const eo = await instantiateMetered(ours, mo);
    let failed = false;
    try {
      call(er, 'main', input);
    } catch {
      failed = true;
    }
    try {
      call(eo, 'main', input);
    } catch {
      failed = true;
    }
    const naive = 10n ** 15n - fuelLeft(mr);
    const charged = 10n ** 15n - fuelLeft(mo);
    if (exact && !failed) {
      expect(charged, `input ${input}`).toBe(naive);
      compared++;
    } else {
      // Traps and exceptions may leave part of a pre-charged run unexecuted: over-charge only.
      expect(charged, `input ${input}`).toBeGreaterThanOrEqual(naive);
    }
  }
  return compared;
}

describe('exact fuel accounting', () => {
  it('matches per-instruction counting on 150 random modules without exceptions', async () => {
    let compared = 0;
    for (let seed = 5000; seed < 5150; seed++) {
      compared += await compare(new RandomWat(seed, { exceptions: false }).module(), [0, 1, 99, -5], true);
    }
    expect(compared).toBeGreaterThan(500);
  }, 120_000);

  it('never counts less than per-instruction counting when exceptions unwind', async () => {
    for (let seed = 7000; seed < 7060; seed++) {
      await compare(new RandomWat(seed).module(), [0, 1, 3], false);
    }
  }, 120_000);
});
