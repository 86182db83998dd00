  ;; 120x120 f64 matrix multiply in linear memory: loads, stores, float math.
  (data (i32.const 1024) "<p>matmul</p>")
  (func (export "render") (param i32 i32) (result i32)
    (local $i i32) (local $j i32) (local $k i32) (local $acc f64) (local $n i32)
    (local $a i32) (local $b i32) (local $c i32)
    (local.set $n (i32.const 120))
    (local.set $a (i32.const 65536))
    (local.set $b (i32.const 262144))
    (local.set $c (i32.const 458752))
    (if (i32.lt_u (memory.size) (i32.const 12)) (then (drop (memory.grow (i32.sub (i32.const 12) (memory.size))))))
    ;; fill a and b
    (local.set $i (i32.const 0))
    (loop $fill
      (f64.store (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 3))) (f64.convert_i32_u (local.get $i)))
      (f64.store (i32.add (local.get $b) (i32.shl (local.get $i) (i32.const 3))) (f64.const 0.5))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fill (i32.lt_u (local.get $i) (i32.mul (local.get $n) (local.get $n)))))
    (local.set $i (i32.const 0))
    (loop $li
      (local.set $j (i32.const 0))
      (loop $lj
        (local.set $acc (f64.const 0))
        (local.set $k (i32.const 0))
        (loop $lk
          (local.set $acc (f64.add (local.get $acc)
            (f64.mul
              (f64.load (i32.add (local.get $a) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $k)) (i32.const 3))))
              (f64.load (i32.add (local.get $b) (i32.shl (i32.add (i32.mul (local.get $k) (local.get $n)) (local.get $j)) (i32.const 3)))))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $lk (i32.lt_u (local.get $k) (local.get $n))))
        (f64.store (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 3))) (local.get $acc))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $lj (i32.lt_u (local.get $j) (local.get $n))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $li (i32.lt_u (local.get $i) (local.get $n))))
    (call $ok (i32.const 1024) (i32.const 13)))
