// WAT modules exercising every construct the rewriter has to get right. `runs` lists calls
// whose results must be identical before and after instrumentation (differential tests);
// modules whose proposals Node 20's V8 lacks have none (they are only validated).

export interface CorpusEntry {
  name: string;
  wat: string;
  runs?: [exportName: string, args: (number | bigint)[]][];
  /** Extra imports besides the meter (for both the original and the instrumented module). */
  imports?: () => WebAssembly.Imports;
  /** Exported memory to compare after the runs. */
  memory?: string;
}

export const corpus: CorpusEntry[] = [
  {
    name: 'fib (recursion, if/else with result)',
    wat: `(module
      (func $fib (export "fib") (param i32) (result i32)
        (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
          (then (local.get 0))
          (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                         (call $fib (i32.sub (local.get 0) (i32.const 2))))))))`,
    runs: [['fib', [0]], ['fib', [1]], ['fib', [15]], ['fib', [20]]],
  },
  {
    name: 'nested loops with counters, br out of the function',
    wat: `(module
      (func (export "sum") (param $n i32) (result i64) (local $i i32) (local $j i32) (local $acc i64)
        (block $done
          (loop $outer
            (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
            (local.set $j (i32.const 0))
            (loop $inner
              (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (i32.mul (local.get $i) (local.get $j)))))
              (local.set $j (i32.add (local.get $j) (i32.const 1)))
              (br_if $inner (i32.lt_u (local.get $j) (local.get $i))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $outer)))
        (local.get $acc))
      (func (export "early") (param i32) (result i32)
        (block $b
          (br_if 1 (i32.const 7) (i32.eqz (local.get 0)))
          (br_if $b (i32.eq (local.get 0) (i32.const 1)))
          (if (i32.eq (local.get 0) (i32.const 2)) (then (return (i32.const 22))))
          (br 1 (i32.const 33)))
        (i32.const 11))
      (func (export "countdown") (param i32) (result i32)
        (loop $l (result i32)
          (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
          (br_if $l (i32.gt_s (local.get 0) (i32.const 0)))
          (local.get 0))))`,
    runs: [['sum', [0]], ['sum', [50]], ['early', [0]], ['early', [1]], ['early', [2]], ['early', [3]], ['countdown', [100]]],
  },
  {
    name: 'br_table dispatch, including to the function label',
    wat: `(module
      (func (export "dispatch") (param i32) (result i32) (local $r i32)
        (block $out
          (block $c2
            (block $c1
              (block $c0
                (br_table $c0 $c1 $c2 $out 3 (local.get 0)))
              (local.set $r (i32.const 100))
              (br $out))
            (local.set $r (i32.const 200))
            (br $out))
          (return (i32.const 300)))
        (local.get $r))
      (func (export "exit") (param i32) (result i32)
        (i32.const 5)
        (br_table 0 0 (i32.const 9) (local.get 0))
        (drop)))`,
    runs: [['dispatch', [0]], ['dispatch', [1]], ['dispatch', [2]], ['dispatch', [3]], ['dispatch', [99]], ['exit', [0]], ['exit', [1]]],
  },
  {
    name: 'multi-value blocks and functions',
    wat: `(module
      (func $pair (param i32) (result i32 i32) (local.get 0) (i32.mul (local.get 0) (i32.const 2)))
      (func (export "mv") (param i32) (result i32)
        (call $pair (local.get 0))
        (block (param i32 i32) (result i32 i32 i32)
          (i32.const 3))
        (i32.add) (i32.add))
      (func (export "mvif") (param i32) (result i32)
        (i32.const 10) (i32.const 20)
        (if (param i32 i32) (result i32) (local.get 0)
          (then (i32.sub))
          (else (i32.add))))
      (func (export "mvloop") (param i32) (result i32)
        (i32.const 0) (local.get 0)
        (loop $l (param i32 i32) (result i32)
          (local.set 0)
          (i32.add (local.get 0))
          (local.get 0) (i32.sub (i32.const 1)) (local.tee 0)
          (br_if $l (i32.gt_s (local.get 0) (i32.const 0))) (drop)))
      )`,
    runs: [['mv', [5]], ['mvif', [0]], ['mvif', [1]], ['mvloop', [10]]],
  },
  {
    name: 'call_indirect through a table with an element segment at a global offset',
    wat: `(module
      (import "env" "base" (global $base i32))
      (type $un (func (param i32) (result i32)))
      (table 8 funcref)
      (elem (global.get $base) $double $square $neg)
      (func $double (type $un) (i32.mul (local.get 0) (i32.const 2)))
      (func $square (type $un) (i32.mul (local.get 0) (local.get 0)))
      (func $neg (type $un) (i32.sub (i32.const 0) (local.get 0)))
      (func (export "apply") (param i32 i32) (result i32)
        (call_indirect (type $un) (local.get 1) (i32.add (global.get $base) (local.get 0)))))`,
    imports: () => ({ env: { base: 2 } }),
    runs: [['apply', [0, 7]], ['apply', [1, 7]], ['apply', [2, 7]]],
  },
  {
    name: 'tail calls',
    wat: `(module
      (type $t (func (param i64 i64) (result i64)))
      (table funcref (elem $acc))
      (func $acc (type $t)
        (if (result i64) (i64.eqz (local.get 0)) (then (local.get 1))
          (else (return_call_indirect (type $t) (i64.sub (local.get 0) (i64.const 1)) (i64.add (local.get 1) (local.get 0)) (i32.const 0)))))
      (func $count (param i64 i64) (result i64)
        (if (result i64) (i64.eqz (local.get 0)) (then (local.get 1))
          (else (return_call $count (i64.sub (local.get 0) (i64.const 1)) (i64.add (local.get 1) (i64.const 2))))))
      (func (export "tri") (param i64) (result i64) (return_call $acc (local.get 0) (i64.const 0)))
      (func (export "count") (param i64) (result i64) (call $count (local.get 0) (i64.const 0))))`,
    runs: [['tri', [100000n]], ['count', [1000000n]]],
  },
  {
    name: 'SIMD',
    wat: `(module
      (memory (export "mem") 1)
      (func (export "simd") (param i32) (result i32) (local $v v128)
        (local.set $v (i32x4.splat (local.get 0)))
        (local.set $v (i32x4.add (local.get $v) (v128.const i32x4 1 2 3 4)))
        (local.set $v (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 (local.get $v) (local.get $v)))
        (v128.store offset=16 (i32.const 0) (local.get $v))
        (local.set $v (v128.load32_lane 1 (i32.const 16) (local.get $v)))
        (local.set $v (f32x4.mul (f32x4.convert_i32x4_s (local.get $v)) (f32x4.splat (f32.const 1.5))))
        (i32.add (i32x4.extract_lane 3 (i32x4.trunc_sat_f32x4_s (local.get $v)))
                 (i32.add (i8x16.bitmask (local.get $v)) (i32.load offset=20 (i32.const 0))))))`,
    runs: [['simd', [7]], ['simd', [-100]]],
    memory: 'mem',
  },
  {
    name: 'bulk memory and table operations with a data count section',
    wat: `(module
      (memory (export "mem") 1)
      (table $t 4 funcref)
      (data $d "hello, world")
      (elem $e func $f $g)
      (func $f (result i32) (i32.const 1))
      (func $g (result i32) (i32.const 2))
      (func (export "bulk") (result i32)
        (memory.init $d (i32.const 100) (i32.const 0) (i32.const 12))
        (memory.copy (i32.const 200) (i32.const 100) (i32.const 12))
        (memory.fill (i32.const 300) (i32.const 42) (i32.const 8))
        (data.drop $d)
        (table.init $t $e (i32.const 1) (i32.const 0) (i32.const 2))
        (table.copy $t $t (i32.const 0) (i32.const 1) (i32.const 2))
        (elem.drop $e)
        (i32.add (i32.load8_u (i32.const 204))
          (i32.add (i32.load8_u (i32.const 307)) (call_indirect (result i32) (i32.const 0))))))`,
    runs: [['bulk', []]],
    memory: 'mem',
  },
  {
    name: 'atomics on a shared memory',
    wat: `(module
      (memory (export "mem") 1 4 shared)
      (func (export "atomics") (param i32) (result i32)
        (i32.atomic.store (i32.const 0) (local.get 0))
        (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 5)))
        (drop (i64.atomic.rmw32.cmpxchg_u (i32.const 8) (i64.const 0) (i64.const 9)))
        (atomic.fence)
        (drop (memory.atomic.notify (i32.const 0) (i32.const 1)))
        (drop (memory.grow (i32.const 1)))
        (i32.add (i32.atomic.load (i32.const 0)) (i32.add (memory.size) (i32.atomic.load8_u (i32.const 8))))))`,
    runs: [['atomics', [10]]],
  },
  {
    name: 'legacy exception handling',
    wat: `(module
      (tag $e (param i32))
      (tag $f)
      (func $thrower (param i32) (if (local.get 0) (then (throw $e (local.get 0)))))
      (func (export "legacy") (param i32) (result i32)
        try (result i32)
          (call $thrower (local.get 0))
          (i32.const -1)
        catch $e
          (i32.add (i32.const 1000))
        catch_all
          (i32.const -2)
        end)
      (func (export "nested") (param i32) (result i32)
        try (result i32)
          try (result i32)
            (call $thrower (local.get 0))
            (i32.const 0)
          delegate 0
        catch $e
        end)
      (func (export "rethrown") (param i32) (result i32)
        try (result i32)
          try (result i32)
            (call $thrower (local.get 0))
            (i32.const 5)
          catch $e
            (drop)
            (rethrow 0)
          end
        catch $e
          (i32.add (i32.const 77))
        end))`,
    runs: [['legacy', [0]], ['legacy', [3]], ['nested', [0]], ['nested', [4]], ['rethrown', [0]], ['rethrown', [6]]],
  },
  {
    name: 'exception handling with exnref (try_table, throw_ref)',
    wat: `(module
      (tag $e (param i32))
      (func $thrower (param i32) (if (local.get 0) (then (throw $e (local.get 0)))))
      (func (export "f") (param i32) (result i32)
        (block $h (result i32)
          (try_table (catch $e $h) (call $thrower (local.get 0)))
          (i32.const -1)))
      (func (export "g") (param i32) (result i32)
        (block $h (result exnref)
          (try_table (catch_all_ref $h) (call $thrower (local.get 0)))
          (return (i32.const 0)))
        (drop)
        (i32.const 1))
      (func (export "h") (param i32) (result i32)
        (block $outer (result i32)
          (try_table (result i32) (catch $e $outer)
            (block $h (result i32 exnref)
              (try_table (catch_ref $e $h) (call $thrower (local.get 0)))
              (return (i32.const 0)))
            (throw_ref)))))`,
  },
  {
    name: 'multi-memory',
    wat: `(module
      (memory $a (export "a") 1)
      (memory $b 2 3)
      (data (memory $b) (i32.const 8) "xyz")
      (func (export "mm") (result i32)
        (i32.store $b offset=4 (i32.const 0) (i32.const 77))
        (memory.copy $a $b (i32.const 0) (i32.const 0) (i32.const 16))
        (drop (memory.grow $b (i32.const 1)))
        (i32.add (i32.load $a offset=4 (i32.const 0)) (i32.add (memory.size $b) (i32.load8_u $a (i32.const 8))))))`,
  },
  {
    name: 'reference types: externref, typed select, table.grow/get/set/fill',
    wat: `(module
      (table $ext (export "ext") 2 externref)
      (table $fn 1 10 funcref)
      (func $one (result i32) (i32.const 1))
      (elem declare func $one)
      (func (export "refs") (param $x externref) (result i32)
        (table.set $ext (i32.const 0) (local.get $x))
        (drop (table.grow $ext (ref.null extern) (i32.const 3)))
        (table.fill $ext (i32.const 2) (ref.null extern) (i32.const 3))
        (drop (table.grow $fn (ref.func $one) (i32.const 2)))
        (i32.add (table.size $ext)
          (i32.add (table.size $fn)
            (i32.add (ref.is_null (table.get $ext (i32.const 0)))
              (select (result i32) (i32.const 10) (i32.const 20) (ref.is_null (local.get $x))))))))`,
    runs: [['refs', [0]]],
  },
  {
    name: 'start function writing memory',
    wat: `(module
      (memory (export "mem") 1)
      (global $counter (mut i32) (i32.const 0))
      (func $start (local $i i32)
        (loop $l
          (i32.store8 (local.get $i) (i32.add (local.get $i) (i32.const 3)))
          (global.set $counter (i32.add (global.get $counter) (local.get $i)))
          (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 200)))))
      (start $start)
      (func (export "read") (param i32) (result i32) (i32.add (i32.load (local.get 0)) (global.get $counter))))`,
    runs: [['read', [0]], ['read', [100]]],
    memory: 'mem',
  },
  {
    name: 'globals: imported, defined, exported, in data offsets and initialisers',
    wat: `(module
      (import "env" "off" (global $off i32))
      (import "env" "mut" (global $mut (mut i32)))
      (memory (export "mem") 1)
      (global $copy (export "copy") i32 (global.get $off))
      (global $g1 (mut i32) (i32.const 5))
      (global $g2 (export "g2") (mut i64) (i64.const 9))
      (global $fref funcref (ref.func $f))
      (data (global.get $off) "abc")
      (func $f (export "f") (result i32)
        (global.set $g1 (i32.add (global.get $g1) (global.get $mut)))
        (global.set $mut (i32.const 100))
        (global.set $g2 (i64.add (global.get $g2) (i64.const 1)))
        (i32.add (i32.add (global.get $g1) (global.get $copy)) (i32.add (i32.wrap_i64 (global.get $g2)) (i32.load8_u (global.get $off))))))`,
    imports: () => ({ env: { off: 16, mut: new WebAssembly.Global({ value: 'i32', mutable: true }, 3) } }),
    runs: [['f', []], ['f', []]],
    memory: 'mem',
  },
  {
    name: 'extended constant expressions with defined globals',
    wat: `(module
      (import "env" "base" (global $base i32))
      (memory 1)
      (global $a i32 (i32.add (global.get $base) (i32.const 8)))
      (global $b i32 (i32.mul (global.get $a) (i32.const 2)))
      (data (i32.add (global.get $b) (i32.const 1)) "z")
      (table 64 funcref)
      (elem (i32.sub (global.get $a) (i32.const 1)) func $f)
      (func $f (result i32) (global.get $b))
      (func (export "ext") (result i32) (i32.add (call_indirect (result i32) (i32.sub (global.get $a) (i32.const 1))) (i32.load8_u (i32.add (global.get $b) (i32.const 1))))))`,
    imports: () => ({ env: { base: 4 } }),
    runs: [['ext', []]],
  },
  {
    name: 'relaxed SIMD',
    wat: `(module
      (func (export "relaxed") (param i32) (result i32)
        (i32x4.extract_lane 2
          (i32x4.relaxed_trunc_f32x4_s
            (f32x4.relaxed_madd (f32x4.splat (f32.convert_i32_s (local.get 0))) (f32x4.splat (f32.const 2)) (f32x4.splat (f32.const 1)))))))`,
    runs: [['relaxed', [5]], ['relaxed', [-40]]],
  },
  {
    name: 'element segments of every kind',
    wat: `(module
      (import "env" "fref" (global $fref funcref))
      (import "env" "off" (global $off i32))
      (type $un (func (result i32)))
      (table $t1 8 funcref)
      (table $t2 8 funcref)
      (func $a (result i32) (i32.const 1))
      (func $b (result i32) (i32.const 2))
      (elem (i32.const 0) $a)
      (elem (table $t2) (global.get $off) func $b $a)
      (elem (i32.const 2) funcref (ref.func $b) (ref.null func))
      (elem (table $t2) (i32.const 5) funcref (global.get $fref) (ref.func $a))
      (elem $p funcref (ref.func $a) (global.get $fref))
      (elem $q func $b)
      (elem declare funcref (ref.func $b))
      (global $mine (mut i32) (i32.const 0))
      (func (export "elems") (result i32)
        (table.init $t1 $p (i32.const 4) (i32.const 0) (i32.const 2))
        (table.init $t1 $q (i32.const 6) (i32.const 0) (i32.const 1))
        (global.set $mine (i32.const 100))
        (i32.add (global.get $mine)
          (i32.add (call_indirect $t1 (type $un) (i32.const 0))
            (i32.add (call_indirect $t2 (type $un) (i32.const 3))
              (i32.add (call_indirect $t2 (type $un) (i32.const 6))
                (i32.add (call_indirect $t1 (type $un) (i32.const 4)) (call_indirect $t1 (type $un) (i32.const 6)))))))))`,
    imports: () => {
      const helper = new WebAssembly.Instance(
        new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 127, 3, 2, 1, 0, 7, 5, 1, 1, 102, 0, 0, 10, 6, 1, 4, 0, 65, 9, 11])),
      );
      return { env: { fref: helper.exports.f as WebAssembly.ExportValue, off: 3 } };
    },
    runs: [['elems', []]],
  },
  {
    name: 'tables with initialiser expressions',
    wat: `(module
      (type $un (func (result i32)))
      (import "env" "g" (global $g funcref))
      (func $f (type $un) (i32.const 42))
      (elem declare func $f)
      (table $t 3 (ref null $un) (ref.func $f))
      (table $u 2 funcref (global.get $g))
      (global $after (mut i32) (i32.const 1))
      (func (export "ti") (result i32)
        (global.set $after (i32.const 2))
        (i32.add (global.get $after) (call_ref $un (table.get $t (i32.const 2))))))`,
  },
  {
    name: 'sign extension and saturating truncation',
    wat: `(module
      (func (export "ops") (param i32 f64) (result i64)
        (i64.add (i64.extend32_s (i64.extend_i32_u (i32.extend8_s (local.get 0))))
                 (i64.trunc_sat_f64_s (local.get 1)))))`,
    runs: [['ops', [0xff, 1e30]], ['ops', [0x7f, -3.7]]],
  },
  {
    name: 'memory.grow and table.grow in code',
    wat: `(module
      (memory (export "mem") 1 8)
      (table $t 1 funcref)
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
      (func (export "tgrow") (param i32) (result i32) (table.grow $t (ref.null func) (local.get 0)))
      (func (export "size") (result i32) (i32.add (memory.size) (table.size $t))))`,
    runs: [['grow', [2]], ['grow', [100]], ['tgrow', [3]], ['size', []]],
  },
  {
    name: 'function references: call_ref, br_on_null, typed tables',
    wat: `(module
      (type $t (func (param i32) (result i32)))
      (func $inc (type $t) (i32.add (local.get 0) (i32.const 1)))
      (elem declare func $inc)
      (table $tt 2 (ref null $t))
      (func (export "cr") (param i32) (result i32)
        (table.set $tt (i32.const 0) (ref.func $inc))
        (block $null
          (return (call_ref $t (local.get 0) (br_on_null $null (table.get $tt (local.get 0))))))
        (i32.const -1))
      (func (export "tg") (result i32) (table.grow $tt (ref.null $t) (i32.const 1))))`,
  },
  {
    name: 'GC structs and arrays',
    wat: `(module
      (rec (type $node (struct (field i32) (field (ref null $node)))))
      (type $arr (array (mut i32)))
      (type $sub (sub (struct (field i32))))
      (func (export "gc") (param i32) (result i32) (local $a (ref null $arr)) (local $n (ref null $node))
        (local.set $n (struct.new $node (local.get 0) (struct.new $node (i32.const 1) (ref.null $node))))
        (local.set $a (array.new $arr (i32.const 3) (i32.const 4)))
        (array.set $arr (local.get $a) (i32.const 1) (i32.const 9))
        (block $fail (result anyref)
          (drop (br_on_cast_fail $fail anyref (ref $node) (local.get $n)))
          (ref.null any))
        (drop)
        (i32.add (struct.get $node 0 (local.get $n))
          (i32.add (array.get $arr (local.get $a) (i32.const 1))
            (i32.add (array.len (local.get $a)) (i31.get_s (ref.i31 (i32.const -5))))))))`,
  },
  {
    name: 'name section with global names',
    wat: `(module
      (import "env" "g" (global $imported i32))
      (global $first (mut i32) (i32.const 1))
      (global $second (mut i32) (i32.const 2))
      (func $bump (export "bump") (result i32)
        (global.set $second (i32.add (global.get $second) (global.get $first)))
        (i32.add (global.get $second) (global.get $imported))))`,
    imports: () => ({ env: { g: 40 } }),
    runs: [['bump', []], ['bump', []]],
  },
  {
    name: 'empty module',
    wat: `(module)`,
  },
  {
    name: 'unreachable code after branches',
    wat: `(module
      (func (export "dead") (param i32) (result i32)
        (block $b (result i32)
          (br $b (i32.const 1))
          (i32.add (i32.const 1) (i32.const 2))
          (if (then (nop)) (else (nop)))
          (loop $l (br $l))
          (call $noop)
          (drop (i32.const 3)))
        (if (result i32) (local.get 0) (then (return (i32.const 8)) (i32.const 9)) (else (unreachable)))
        (i32.add))
      (func $noop))`,
    runs: [['dead', [1]]],
  },
  {
    name: 'matmul, hash mixing and memory ops',
    wat: `(module
      (memory (export "mem") 4)
      (func (export "matmul") (param $n i32) (result f64) (local $i i32) (local $j i32) (local $k i32) (local $s f64)
        (loop $li (local.set $j (i32.const 0))
          (loop $lj
            (f64.store (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 3))
              (f64.convert_i32_s (i32.add (local.get $i) (local.get $j))))
            (f64.store offset=65536 (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 3))
              (f64.convert_i32_s (i32.sub (local.get $i) (local.get $j))))
            (br_if $lj (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $n))))
          (br_if $li (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
        (local.set $i (i32.const 0))
        (loop $li (local.set $j (i32.const 0))
          (loop $lj (local.set $s (f64.const 0)) (local.set $k (i32.const 0))
            (loop $lk
              (local.set $s (f64.add (local.get $s) (f64.mul
                (f64.load (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $k)) (i32.const 3)))
                (f64.load offset=65536 (i32.shl (i32.add (i32.mul (local.get $k) (local.get $n)) (local.get $j)) (i32.const 3))))))
              (br_if $lk (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 1))) (local.get $n))))
            (f64.store offset=131072 (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 3)) (local.get $s))
            (br_if $lj (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $n))))
          (br_if $li (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
        (f64.load offset=131072 (i32.const 8)))
      (func (export "hash") (param $n i32) (result i64) (local $i i32) (local $h i64)
        (local.set $h (i64.const 0xcbf29ce484222325))
        (loop $l
          (local.set $h (i64.mul (i64.xor (local.get $h) (i64.extend_i32_u (local.get $i))) (i64.const 0x100000001b3)))
          (local.set $h (i64.xor (local.get $h) (i64.shr_u (local.get $h) (i64.const 29))))
          (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
        (local.get $h))
      (func (export "memops") (param $n i32) (result i32) (local $i i32) (local $sum i32)
        (memory.fill (i32.const 1024) (i32.const 1) (local.get $n))
        (loop $l
          (i32.store16 offset=4096 (i32.shl (local.get $i) (i32.const 1)) (i32.add (local.get $i) (i32.load8_u offset=1024 (local.get $i))))
          (local.set $sum (i32.add (local.get $sum) (i32.load16_s offset=4096 (i32.shl (local.get $i) (i32.const 1)))))
          (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
        (memory.copy (i32.const 20000) (i32.const 4096) (i32.shl (local.get $n) (i32.const 1)))
        (local.get $sum)))`,
    runs: [['matmul', [20]], ['hash', [10000]], ['memops', [1000]]],
    memory: 'mem',
  },
];
