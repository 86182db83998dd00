import { WasmRewriteError } from './errors.js';
import { opcodeName } from './opcodes.js';

/**
 * Fuel cost per opcode. Without a `costOf` every original instruction costs 1 and no lookup
 * happens; with one, each distinct opcode is asked about once and cached by opcode key, so
 * a 12 MB module costs a few hundred calls, not millions.
 */
export class CostModel {
  readonly #costOf: ((opcode: string) => number) | undefined;
  readonly #cache = new Map<number, number>();

  constructor(costOf?: (opcode: string) => number) {
    this.#costOf = costOf;
  }

  get uniform(): boolean {
    return this.#costOf === undefined;
  }

  of(key: number): number {
    const costOf = this.#costOf;
    if (costOf === undefined) return 1;
    let c = this.#cache.get(key);
    if (c === undefined) {
      const name = opcodeName(key);
      c = costOf(name);
      // Costs become i64.const immediates and run sums: keep them exact integers.
      if (typeof c !== 'number' || !Number.isSafeInteger(c) || c < 0 || c > 0xffffffff) {
        throw new WasmRewriteError(`costOf(${JSON.stringify(name)}) returned ${String(c)}; costs must be integers in 0..2^32-1`);
      }
      this.#cache.set(key, c);
    }
    return c;
  }
}
