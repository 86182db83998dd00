;; no-prelude
  ;; For the egress benchmark (world fetch-timer in fetch-timer.wit): {{COUNT}} calls of the
  ;; cheapest host import there is (monotonic-clock.now), timed by the guest itself; renders the
  ;; mean nanoseconds per call. What is left is the cost of crossing the bindings.
  (import "wasi:clocks/monotonic-clock@0.2.3" "now" (func $now (result i64)))
  (memory (export "memory") 1)
  (global $bump (mut i32) (i32.const 16384))
  (global $out (mut i32) (i32.const 4096))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $p i32)
    (local.set $p (i32.and (i32.add (global.get $bump) (i32.const 7)) (i32.const -8)))
    (global.set $bump (i32.add (local.get $p) (local.get 3)))
    (local.get $p))
  (func $byte (param $b i32)
    (i32.store8 (global.get $out) (local.get $b))
    (global.set $out (i32.add (global.get $out) (i32.const 1))))
  (func $num (param $n i32)
    (local $div i32) (local $started i32)
    (local.set $div (i32.const 100000000))
    (block $done
      (loop $next
        (if (i32.or (local.get $started) (i32.or (i32.ge_u (local.get $n) (local.get $div)) (i32.eq (local.get $div) (i32.const 1))))
          (then
            (call $byte (i32.add (i32.const 48) (i32.div_u (local.get $n) (local.get $div))))
            (local.set $n (i32.rem_u (local.get $n) (local.get $div)))
            (local.set $started (i32.const 1))))
        (br_if $done (i32.eq (local.get $div) (i32.const 1)))
        (local.set $div (i32.div_u (local.get $div) (i32.const 10)))
        (br $next))))
  (func (export "render") (param i32 i32) (result i32)
    (local $i i32) (local $t i64) (local $x i64)
    (global.set $out (i32.const 4096))
    (local.set $t (call $now))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (i32.const {{COUNT}})))
        (local.set $x (i64.add (local.get $x) (call $now)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (call $num (i32.wrap_i64 (i64.div_u (i64.sub (call $now) (local.get $t)) (i64.const {{COUNT}}))))
    (i32.store8 (i32.const 0) (i32.const 0))
    (i32.store (i32.const 4) (i32.const 4096))
    (i32.store (i32.const 8) (i32.sub (global.get $out) (i32.const 4096)))
    (i32.const 0))
