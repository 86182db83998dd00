// Seeded generator of random (but always terminating and valid) WAT modules for the
// property test: random nesting of block/loop/if/br/br_if/br_table/return, calls, indirect
// calls, locals, globals, memory and bulk memory. Loops are bounded by counters only the loop touches,
// and branches only go forward (to block labels), so every module terminates.

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Label {
  name: string;
  /** Only block labels are branch targets: branching to a loop could run forever. */
  kind: 'block' | 'loop' | 'if';
}

const VALUE_LOCALS = ['$a', '$b', '$c'];
const BINOPS = ['i32.add', 'i32.sub', 'i32.mul', 'i32.xor', 'i32.and', 'i32.or', 'i32.shl', 'i32.shr_u', 'i32.shr_s', 'i32.rotl', 'i32.lt_u', 'i32.eq'];

export class RandomWat {
  readonly #rand: () => number;
  #counters = 0;
  #labels: Label[] = [];
  #labelSeq = 0;

  readonly #exceptions: boolean;

  /** `exceptions: false` leaves out try/catch/throw (exact fuel comparisons need no unwinding). */
  constructor(seed: number, opts: { exceptions?: boolean } = {}) {
    this.#rand = mulberry32(seed);
    this.#exceptions = opts.exceptions ?? true;
  }

  #int(n: number): number {
    return Math.floor(this.#rand() * n);
  }

  #pick<T>(items: readonly T[]): T {
    return items[this.#int(items.length)]!;
  }

  #chance(p: number): boolean {
    return this.#rand() < p;
  }

  #expr(depth: number): string {
    const leaf = depth <= 0 || this.#chance(0.3);
    if (leaf) {
      return this.#chance(0.5) ? `(local.get ${this.#pick(VALUE_LOCALS)})` : `(i32.const ${this.#int(2000) - 1000})`;
    }
    const d = depth - 1;
    switch (this.#int(9)) {
      case 0:
      case 1:
      case 2:
        return `(${this.#pick(BINOPS)} ${this.#expr(d)} ${this.#expr(d)})`;
      case 3:
        return `(call $h${this.#int(3)} ${this.#expr(d)})`;
      case 4:
        return `(call_indirect (type $un) ${this.#expr(d)} (i32.and ${this.#expr(d)} (i32.const 3)))`;
      case 5:
        return `(i32.load offset=${this.#int(64) * 4} (i32.and ${this.#expr(d)} (i32.const 1020)))`;
      case 6:
        return `(select ${this.#expr(d)} ${this.#expr(d)} ${this.#expr(d)})`;
      case 7:
        return `(if (result i32) ${this.#expr(d)} (then ${this.#expr(d)}) (else ${this.#expr(d)}))`;
      default: {
        // A value-carrying block left early by br_if.
        const l = `$v${this.#labelSeq++}`;
        return `(block ${l} (result i32) (drop (br_if ${l} ${this.#expr(d)} ${this.#expr(d)})) ${this.#expr(d)})`;
      }
    }
  }

  #branchTarget(): string | null {
    const blocks = this.#labels.filter((l) => l.kind === 'block');
    return blocks.length ? this.#pick(blocks).name : null;
  }

  #stmts(depth: number, count: number): string {
    const out: string[] = [];
    for (let i = 0; i < count; i++) out.push(this.#stmt(depth));
    return out.join('\n');
  }

  #withLabel(kind: Label['kind'], body: (name: string) => string): string {
    const name = `$l${this.#labelSeq++}`;
    this.#labels.push({ name, kind });
    try {
      return body(name);
    } finally {
      this.#labels.pop();
    }
  }

  #stmt(depth: number): string {
    const e = (): string => this.#expr(Math.min(depth + 1, 3));
    const nested = depth > 0;
    const n = nested ? this.#int(this.#exceptions ? 14 : 13) : this.#int(6);
    switch (n) {
      case 0:
      case 1:
        return `(local.set ${this.#pick(VALUE_LOCALS)} ${e()})`;
      case 2:
        if (this.#chance(0.2)) {
          // Bulk memory with random in-bounds lengths (metered by length in the host's mode).
          return this.#chance(0.5)
            ? `(memory.fill (i32.and ${e()} (i32.const 1023)) ${e()} (i32.and ${e()} (i32.const 4095)))`
            : `(memory.copy (i32.and ${e()} (i32.const 4095)) (i32.and ${e()} (i32.const 4095)) (i32.and ${e()} (i32.const 8191)))`;
        }
        return `(i32.store offset=${this.#int(64) * 4} (i32.and ${e()} (i32.const 1020)) ${e()})`;
      case 3:
        return `(global.set $g${this.#int(2)} ${e()})`;
      case 4: {
        const t = this.#branchTarget();
        return t ? `(br_if ${t} ${e()})` : `(drop ${e()})`;
      }
      case 5:
        return this.#chance(0.1) ? `(drop (memory.grow (i32.const 0)))` : `(drop (call $h${this.#int(3)} ${e()}))`;
      case 6:
      case 7:
        return this.#withLabel('block', (l) => `(block ${l}\n${this.#stmts(depth - 1, 1 + this.#int(4))})`);
      case 8:
        return this.#withLabel('if', () => `(if ${e()} (then ${this.#stmts(depth - 1, 1 + this.#int(3))}) (else ${this.#stmts(depth - 1, this.#int(3))}))`);
      case 9: {
        const k = `$k${this.#counters++}`;
        return this.#withLabel(
          'loop',
          (l) =>
            `(local.set ${k} (i32.const ${1 + this.#int(5)}))\n(loop ${l}\n${this.#stmts(depth - 1, 1 + this.#int(4))}\n` +
            `(br_if ${l} (i32.gt_s (local.tee ${k} (i32.sub (local.get ${k}) (i32.const 1))) (i32.const 0))))`,
        );
      }
      case 10: {
        const t = this.#branchTarget();
        if (!t) return `(nop)`;
        const targets = Array.from({ length: 1 + this.#int(3) }, () => this.#branchTarget()!);
        return `(br_table ${targets.join(' ')} ${t} (i32.and ${e()} (i32.const 3)))`;
      }
      case 11: {
        const t = this.#branchTarget();
        return this.#chance(0.3) || !t ? `(if ${e()} (then (return ${e()})))` : `(if ${e()} (then (br ${t})))`;
      }
      case 12:
        return `(if (i32.eqz (i32.and ${e()} (i32.const 7))) (then (local.set $a (call $rec (i32.and ${e()} (i32.const 7))))))`;
      default:
        // Legacy exception handling (what Node 20 runs): a throw, directly or from a callee.
        return this.#withLabel(
          'if',
          () =>
            `try\n${this.#stmts(depth - 1, this.#int(3))}\n` +
            (this.#chance(0.5) ? `(if ${e()} (then (throw $ex ${e()})))` : `(call $thrower ${e()})`) +
            `\ncatch $ex\n(local.set $b)\n${this.#stmts(depth - 1, this.#int(2))}\ncatch_all\n${this.#stmts(depth - 1, this.#int(2))}\nend`,
        );
    }
  }

  /** A module exporting `main (param i32) (result i32)` and its memory. */
  module(): string {
    this.#counters = 0;
    this.#labels = [];
    const body = this.#stmts(3, 3 + this.#int(6));
    const counters = Array.from({ length: this.#counters }, (_, i) => `(local $k${i} i32)`).join(' ');
    return `(module
  (type $un (func (param i32) (result i32)))
  (memory (export "mem") 1)
  (global $g0 (mut i32) (i32.const ${this.#int(100)}))
  (global $g1 (mut i32) (i32.const ${this.#int(100)}))
  (table 4 funcref)
  (elem (i32.const 0) $h0 $h1 $h2 $h0)
  (func $h0 (type $un) (i32.add (local.get 0) (i32.const 7)))
  (func $h1 (type $un) (i32.mul (local.get 0) (global.get $g0)))
  (func $h2 (type $un) (local $i i32)
    (loop $l (local.set 0 (i32.xor (i32.rotl (local.get 0) (i32.const 5)) (local.get $i)))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 4))))
    (local.get 0))
  (tag $ex (param i32))
  (func $thrower (param i32) (if (i32.and (local.get 0) (i32.const 1)) (then (throw $ex (i32.mul (local.get 0) (i32.const 3))))))
  (func $rec (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 1))
      (else (i32.add (local.get 0) (call $rec (i32.sub (local.get 0) (i32.const 1)))))))
  (func (export "main") (param $a i32) (result i32) (local $b i32) (local $c i32) ${counters}
${body}
    (i32.add (local.get $a) (i32.add (i32.mul (local.get $b) (i32.const 31))
      (i32.add (i32.mul (local.get $c) (i32.const 961)) (i32.add (global.get $g0) (global.get $g1)))))))`;
  }
}
