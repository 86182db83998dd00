  ;; Byte-wise checksum over 2 MiB of memory, twice: load-heavy tight loop.
  (data (i32.const 1024) "<p>bytes</p>")
  (global $sink (mut i32) (i32.const 0))
  (func (export "render") (param i32 i32) (result i32)
    (local $i i32) (local $h i32) (local $round i32)
    (if (i32.lt_u (memory.size) (i32.const 40)) (then (drop (memory.grow (i32.sub (i32.const 40) (memory.size))))))
    (loop $rounds
      (local.set $i (i32.const 65536))
      (loop $next
        (local.set $h (i32.add (i32.mul (local.get $h) (i32.const 31)) (i32.load8_u (local.get $i))))
        (i32.store8 (local.get $i) (local.get $h))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $next (i32.lt_u (local.get $i) (i32.const 2162688))))
      (local.set $round (i32.add (local.get $round) (i32.const 1)))
      (br_if $rounds (i32.lt_u (local.get $round) (i32.const 2))))
    (global.set $sink (local.get $h))
    (call $ok (i32.const 1024) (i32.const 12)))
