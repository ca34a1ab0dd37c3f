;; Hot loops of the histogram GBDT in WebAssembly (assembled by scripts/build-wasm.mjs into
;; hist-kernel-wasm.mjs). Plain JavaScript pays a map check, a length load and a bounds check on
;; every typed-array access inside these loops (V8 does not hoist them); wasm pays none.
;; All pointers are byte offsets into the one shared memory of a fit (see histogram-engine.ts).
;; A histogram entry is 24 bytes: sumG f64, sumH f64, count f64; a feature has 256 entries.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; Zeroes the histograms of features [f0, f1) of the slot at $hist: for feature f only the bins a
  ;; value can fall in, [0, nbnm[f]), or [0, missing_bin] when the feature has NaN (missing[f] = 1),
  ;; rounded up to an even count (nbnm: int32 and missing: uint8 per feature). The other bins are
  ;; never written, so they stay zero from the memory's allocation: a feature of 16 distinct values
  ;; costs 16 bins here and in subtract instead of 256. v128 stores: V8's memory.fill on a shared
  ;; memory was about half as fast.
  (func (export "clear") (param $hist i32) (param $nbnm i32) (param $missing i32) (param $missing_bin i32) (param $f0 i32) (param $f1 i32)
    (local $f i32) (local $p i32) (local $end i32)
    (local.set $f (local.get $f0))
    (block $features_done
      (loop $features
        (br_if $features_done (i32.ge_s (local.get $f) (local.get $f1)))
        (local.set $p (i32.add (local.get $hist) (i32.mul (local.get $f) (i32.const 6144))))
        (local.set $end (i32.add (local.get $p)
          (i32.mul (i32.shr_u (i32.add
            (select
              (i32.add (local.get $missing_bin) (i32.const 1))
              (i32.load (i32.add (local.get $nbnm) (i32.shl (local.get $f) (i32.const 2))))
              (i32.load8_u (i32.add (local.get $missing) (local.get $f))))
            (i32.const 1)) (i32.const 1)) (i32.const 48))))
        (block $done
          (loop $pairs
            (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
            (v128.store (local.get $p) (v128.const i64x2 0 0))
            (v128.store offset=16 (local.get $p) (v128.const i64x2 0 0))
            (v128.store offset=32 (local.get $p) (v128.const i64x2 0 0))
            (local.set $p (i32.add (local.get $p) (i32.const 48)))
            (br $pairs)))
        (local.set $f (i32.add (local.get $f) (i32.const 1)))
        (br $features))))

  ;; Histograms of features [f0, f1) over the samples idx[0..count) (i32 at $idx), with ordered
  ;; gradient/hessian pairs (f32 g, f32 h interleaved at $ogh, in idx order). Four features per
  ;; pass over the samples; ΣG and ΣH are updated with one f64x2 add.
  (func (export "build_gather")
    (param $hist i32) (param $bins i32) (param $nrows i32) (param $f0 i32) (param $f1 i32)
    (param $idx i32) (param $count i32) (param $ogh i32)
    (local $f i32) (local $c0 i32) (local $c1 i32) (local $c2 i32) (local $c3 i32)
    (local $h0 i32) (local $h1 i32) (local $h2 i32) (local $h3 i32)
    (local $i i32) (local $r i32) (local $e i32) (local $gh v128)
    (local.set $f (local.get $f0))
    ;; four features per pass over the samples
    (block $quads_done
      (loop $quads
        (br_if $quads_done (i32.ge_s (i32.add (local.get $f) (i32.const 3)) (local.get $f1)))
        (local.set $c0 (i32.add (local.get $bins) (i32.mul (local.get $f) (local.get $nrows))))
        (local.set $c1 (i32.add (local.get $c0) (local.get $nrows)))
        (local.set $c2 (i32.add (local.get $c1) (local.get $nrows)))
        (local.set $c3 (i32.add (local.get $c2) (local.get $nrows)))
        (local.set $h0 (i32.add (local.get $hist) (i32.mul (local.get $f) (i32.const 6144))))
        (local.set $h1 (i32.add (local.get $h0) (i32.const 6144)))
        (local.set $h2 (i32.add (local.get $h1) (i32.const 6144)))
        (local.set $h3 (i32.add (local.get $h2) (i32.const 6144)))
        (local.set $i (i32.const 0))
        (block $done
          (loop $samples
            (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
            (local.set $r (i32.load (i32.add (local.get $idx) (i32.shl (local.get $i) (i32.const 2)))))
            (local.set $gh (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $ogh) (i32.shl (local.get $i) (i32.const 3))))))
            (local.set $e (i32.add (local.get $h0) (i32.mul (i32.load8_u (i32.add (local.get $c0) (local.get $r))) (i32.const 24))))
            (v128.store (local.get $e) (f64x2.add (v128.load (local.get $e)) (local.get $gh)))
            (f64.store offset=16 (local.get $e) (f64.add (f64.load offset=16 (local.get $e)) (f64.const 1)))
            (local.set $e (i32.add (local.get $h1) (i32.mul (i32.load8_u (i32.add (local.get $c1) (local.get $r))) (i32.const 24))))
            (v128.store (local.get $e) (f64x2.add (v128.load (local.get $e)) (local.get $gh)))
            (f64.store offset=16 (local.get $e) (f64.add (f64.load offset=16 (local.get $e)) (f64.const 1)))
            (local.set $e (i32.add (local.get $h2) (i32.mul (i32.load8_u (i32.add (local.get $c2) (local.get $r))) (i32.const 24))))
            (v128.store (local.get $e) (f64x2.add (v128.load (local.get $e)) (local.get $gh)))
            (f64.store offset=16 (local.get $e) (f64.add (f64.load offset=16 (local.get $e)) (f64.const 1)))
            (local.set $e (i32.add (local.get $h3) (i32.mul (i32.load8_u (i32.add (local.get $c3) (local.get $r))) (i32.const 24))))
            (v128.store (local.get $e) (f64x2.add (v128.load (local.get $e)) (local.get $gh)))
            (f64.store offset=16 (local.get $e) (f64.add (f64.load offset=16 (local.get $e)) (f64.const 1)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $samples)))
        (local.set $f (i32.add (local.get $f) (i32.const 4)))
        (br $quads)))
    ;; the remaining 0-3 features one at a time
    (block $singles_done
      (loop $singles
        (br_if $singles_done (i32.ge_s (local.get $f) (local.get $f1)))
        (local.set $c0 (i32.add (local.get $bins) (i32.mul (local.get $f) (local.get $nrows))))
        (local.set $h0 (i32.add (local.get $hist) (i32.mul (local.get $f) (i32.const 6144))))
        (local.set $i (i32.const 0))
        (block $done1
          (loop $samples1
            (br_if $done1 (i32.ge_u (local.get $i) (local.get $count)))
            (local.set $r (i32.load (i32.add (local.get $idx) (i32.shl (local.get $i) (i32.const 2)))))
            (local.set $gh (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $ogh) (i32.shl (local.get $i) (i32.const 3))))))
            (local.set $e (i32.add (local.get $h0) (i32.mul (i32.load8_u (i32.add (local.get $c0) (local.get $r))) (i32.const 24))))
            (v128.store (local.get $e) (f64x2.add (v128.load (local.get $e)) (local.get $gh)))
            (f64.store offset=16 (local.get $e) (f64.add (f64.load offset=16 (local.get $e)) (f64.const 1)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $samples1)))
        (local.set $f (i32.add (local.get $f) (i32.const 1)))
        (br $singles))))

  ;; Same as build_gather for the root: samples 0..count-1 in order (no index array).
  (func (export "build_identity")
    (param $hist i32) (param $bins i32) (param $nrows i32) (param $f0 i32) (param $f1 i32)
    (param $count i32) (param $ogh i32)
    (local $f i32) (local $c0 i32) (local $c1 i32) (local $c2 i32) (local $c3 i32)
    (local $h0 i32) (local $h1 i32) (local $h2 i32) (local $h3 i32)
    (local $i i32) (local $r i32) (local $e i32) (local $gh v128)
    (local.set $f (local.get $f0))
    ;; four features per pass over the samples
    (block $quads_done
      (loop $quads
        (br_if $quads_done (i32.ge_s (i32.add (local.get $f) (i32.const 3)) (local.get $f1)))
        (local.set $c0 (i32.add (local.get $bins) (i32.mul (local.get $f) (local.get $nrows))))
        (local.set $c1 (i32.add (local.get $c0) (local.get $nrows)))
        (local.set $c2 (i32.add (local.get $c1) (local.get $nrows)))
        (local.set $c3 (i32.add (local.get $c2) (local.get $nrows)))
        (local.set $h0 (i32.add (local.get $hist) (i32.mul (local.get $f) (i32.const 6144))))
        (local.set $h1 (i32.add (local.get $h0) (i32.const 6144)))
        (local.set $h2 (i32.add (local.get $h1) (i32.const 6144)))
        (local.set $h3 (i32.add (local.get $h2) (i32.const 6144)))
        (local.set $i (i32.const 0))
        (block $done
          (loop $samples
            (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
            (local.set $gh (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $ogh) (i32.shl (local.get $i) (i32.const 3))))))
            (local.set $e (i32.add (local.get $h0) (i32.mul (i32.load8_u (i32.add (local.get $c0) (local.get $i))) (i32.const 24))))
            (v128.store (local.get $e) (f64x2.add (v128.load (local.get $e)) (local.get $gh)))
            (f64.store offset=16 (local.get $e) (f64.add (f64.load offset=16 (local.get $e)) (f64.const 1)))
            (local.set $e (i32.add (local.get $h1) (i32.mul (i32.load8_u (i32.add (local.get $c1) (local.get $i))) (i32.const 24))))
            (v128.store (local.get $e) (f64x2.add (v128.load (local.get $e)) (local.get $gh)))
            (f64.store offset=16 (local.get $e) (f64.add (f64.load offset=16 (local.get $e)) (f64.const 1)))
            (local.set $e (i32.add (local.get $h2) (i32.mul (i32.load8_u (i32.add (local.get $c2) (local.get $i))) (i32.const 24))))
            (v128.store (local.get $e) (f64x2.add (v128.load (local.get $e)) (local.get $gh)))
            (f64.store offset=16 (local.get $e) (f64.add (f64.load offset=16 (local.get $e)) (f64.const 1)))
            (local.set $e (i32.add (local.get $h3) (i32.mul (i32.load8_u (i32.add (local.get $c3) (local.get $i))) (i32.const 24))))
            (v128.store (local.get $e) (f64x2.add (v128.load (local.get $e)) (local.get $gh)))
            (f64.store offset=16 (local.get $e) (f64.add (f64.load offset=16 (local.get $e)) (f64.const 1)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $samples)))
        (local.set $f (i32.add (local.get $f) (i32.const 4)))
        (br $quads)))
    ;; the remaining 0-3 features one at a time
    (block $singles_done
      (loop $singles
        (br_if $singles_done (i32.ge_s (local.get $f) (local.get $f1)))
        (local.set $c0 (i32.add (local.get $bins) (i32.mul (local.get $f) (local.get $nrows))))
        (local.set $h0 (i32.add (local.get $hist) (i32.mul (local.get $f) (i32.const 6144))))
        (local.set $i (i32.const 0))
        (block $done1
          (loop $samples1
            (br_if $done1 (i32.ge_u (local.get $i) (local.get $count)))
            (local.set $gh (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $ogh) (i32.shl (local.get $i) (i32.const 3))))))
            (local.set $e (i32.add (local.get $h0) (i32.mul (i32.load8_u (i32.add (local.get $c0) (local.get $i))) (i32.const 24))))
            (v128.store (local.get $e) (f64x2.add (v128.load (local.get $e)) (local.get $gh)))
            (f64.store offset=16 (local.get $e) (f64.add (f64.load offset=16 (local.get $e)) (f64.const 1)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $samples1)))
        (local.set $f (i32.add (local.get $f) (i32.const 1)))
        (br $singles))))

  ;; target[j] -= source[j] for the histograms of features [f0, f1) (the sibling by subtraction),
  ;; over the bins clear zeroes (the others are zero in both).
  (func (export "subtract") (param $target i32) (param $source i32) (param $nbnm i32) (param $missing i32) (param $missing_bin i32) (param $f0 i32) (param $f1 i32)
    (local $f i32) (local $t i32) (local $s i32) (local $end i32)
    (local.set $f (local.get $f0))
    (block $features_done
      (loop $features
        (br_if $features_done (i32.ge_s (local.get $f) (local.get $f1)))
        (local.set $t (i32.add (local.get $target) (i32.mul (local.get $f) (i32.const 6144))))
        (local.set $s (i32.add (local.get $source) (i32.mul (local.get $f) (i32.const 6144))))
        (local.set $end (i32.add (local.get $t)
          (i32.mul (i32.shr_u (i32.add
            (select
              (i32.add (local.get $missing_bin) (i32.const 1))
              (i32.load (i32.add (local.get $nbnm) (i32.shl (local.get $f) (i32.const 2))))
              (i32.load8_u (i32.add (local.get $missing) (local.get $f))))
            (i32.const 1)) (i32.const 1)) (i32.const 48))))
        (block $done
          (loop $pairs
            (br_if $done (i32.ge_u (local.get $t) (local.get $end)))
            (v128.store (local.get $t) (f64x2.sub (v128.load (local.get $t)) (v128.load (local.get $s))))
            (v128.store offset=16 (local.get $t) (f64x2.sub (v128.load offset=16 (local.get $t)) (v128.load offset=16 (local.get $s))))
            (v128.store offset=32 (local.get $t) (f64x2.sub (v128.load offset=32 (local.get $t)) (v128.load offset=32 (local.get $s))))
            (local.set $t (i32.add (local.get $t) (i32.const 48)))
            (local.set $s (i32.add (local.get $s) (i32.const 48)))
            (br $pairs)))
        (local.set $f (i32.add (local.get $f) (i32.const 1)))
        (br $features))))

  ;; Best split of one feature (histogram at $base); see findSplit in hist-kernel.mjs for the
  ;; rules. Writes [gain, bin, missingLeft, sumGLeft, sumHLeft, countLeft] as f64 at $out.
  ;; Two-lane arithmetic, the same IEEE operations as one lane at a time (so the same bits): the
  ;; running (ΣG, ΣH) of one side is one f64x2, the other side is (sumG, sumH) minus it, and the
  ;; score G_L²/(H_L+λ) + G_R²/(H_R+λ) takes one f64x2 division for both children (the divider's
  ;; throughput bounded the one-lane loop: two divisions per bin).
  (func (export "find_split")
    (param $base i32) (param $nbnm i32) (param $has_missing i32)
    (param $sum_g f64) (param $sum_h f64) (param $count f64) (param $loss_current f64)
    (param $msl f64) (param $min_hessian f64) (param $l2 f64) (param $min_gain f64) (param $out i32)
    (param $bound f64) (result f64)
    (local $lambda f64) (local $best f64) (local $best_bin i32) (local $best_gl f64) (local $best_hl f64)
    (local $best_nl f64) (local $missing_left i32)
    (local $gl f64) (local $hl f64) (local $nl f64) (local $gr f64) (local $hr f64) (local $nr f64)
    (local $c f64) (local $e i32) (local $b i32) (local $end i32) (local $score f64) (local $gain f64)
    (local $total v128) (local $lam2 v128) (local $acc v128) (local $rest v128) (local $q v128)
    (local $best_acc v128) (local $better i32) (local $g2 v128) (local $hh v128) (local $p v128) (local $cut f64)
    (local.set $lambda (f64.add (local.get $l2) (f64.const 1e-15)))
    (local.set $lam2 (f64x2.splat (local.get $lambda)))
    (local.set $total (f64x2.replace_lane 1 (f64x2.splat (local.get $sum_g)) (local.get $sum_h)))
    (local.set $best (f64.const -inf))
    (local.set $best_bin (i32.const -1))
    (local.set $cut (f64.mul (local.get $bound) (f64.const 0.999999998)))
    ;; left to right: bins 0 .. nbnm - 2 (+ the last non-missing bin when NaN exists)
    ;; $acc = (gl, hl), $rest = (gr, hr)
    (local.set $end (i32.add (i32.sub (local.get $nbnm) (i32.const 1)) (local.get $has_missing)))
    (local.set $b (i32.const 0))
    (local.set $e (local.get $base))
    (local.set $acc (v128.const i64x2 0 0))
    (block $ltr_done
      (loop $ltr
        (br_if $ltr_done (i32.ge_s (local.get $b) (local.get $end)))
        ;; Branch-free over empty bins (their random pattern in small nodes defeated the branch
        ;; predictor): an empty bin adds zeros, and its candidate is the previous bin's (same
        ;; sums, same checks, same score, which cannot beat itself).
        (local.set $c (f64.load offset=16 (local.get $e)))
        (local.set $nl (f64.add (local.get $nl) (local.get $c)))
        (local.set $acc (f64x2.add (local.get $acc)
          (v128.and (v128.load (local.get $e)) (f64x2.ne (f64x2.splat (local.get $c)) (v128.const i64x2 0 0)))))
        (if (i32.and (f64.ge (local.get $nl) (local.get $msl))
                     (f64.ge (f64x2.extract_lane 1 (local.get $acc)) (local.get $min_hessian)))
          (then
            (local.set $rest (f64x2.sub (local.get $total) (local.get $acc)))
            (br_if $ltr_done (f64.lt (f64.sub (local.get $count) (local.get $nl)) (local.get $msl)))
            (br_if $ltr_done (f64.lt (f64x2.extract_lane 1 (local.get $rest)) (local.get $min_hessian)))
            ;; (gl, gr)² and (hl, hr) + λ
            (local.set $g2 (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $acc) (local.get $rest)))
            (local.set $g2 (f64x2.mul (local.get $g2) (local.get $g2)))
            (local.set $hh (f64x2.add
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $acc) (local.get $rest))
              (local.get $lam2)))
            ;; Division-free filter: the score S / D (S = gl²(hr+λ) + gr²(hl+λ), D = (hl+λ)(hr+λ))
            ;; is computed exactly only when it may reach $cut, max(best, bound) lowered by 2e-9
            ;; relative (rounding of S, D and the score is ~1e-15): a skipped bin cannot beat this
            ;; feature's best, nor reach the bound (see runFeatureRange).
            (local.set $p (f64x2.mul (local.get $g2) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $hh) (local.get $hh))))
            (if (f64.ge
                  (f64.add (f64x2.extract_lane 0 (local.get $p)) (f64x2.extract_lane 1 (local.get $p)))
                  (f64.mul (local.get $cut) (f64.mul (f64x2.extract_lane 0 (local.get $hh)) (f64x2.extract_lane 1 (local.get $hh)))))
              (then
                (local.set $q (f64x2.div (local.get $g2) (local.get $hh)))
                (local.set $score (f64.add (f64x2.extract_lane 0 (local.get $q)) (f64x2.extract_lane 1 (local.get $q))))
                (if (f64.gt (local.get $score) (local.get $best))
                  (then
                    (local.set $best (local.get $score))
                    (local.set $best_bin (local.get $b))
                    (local.set $best_acc (local.get $acc))
                    (local.set $best_nl (local.get $nl))
                    (local.set $cut (f64.mul (f64.max (local.get $best) (local.get $bound)) (f64.const 0.999999998)))))))))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (local.set $e (i32.add (local.get $e) (i32.const 24)))
        (br $ltr)))
    (local.set $best_gl (f64x2.extract_lane 0 (local.get $best_acc)))
    (local.set $best_hl (f64x2.extract_lane 1 (local.get $best_acc)))
    ;; right to left (missing values go left): bins nbnm-1 .. 1 added to the right child
    ;; $acc = (gr, hr), $rest = (gl, hl)
    (if (local.get $has_missing)
      (then
        (local.set $acc (v128.const i64x2 0 0))
        (local.set $nr (f64.const 0))
        (local.set $b (i32.sub (local.get $nbnm) (i32.const 2)))
        (local.set $e (i32.add (local.get $base) (i32.mul (i32.add (local.get $b) (i32.const 1)) (i32.const 24))))
        (block $rtl_done
          (loop $rtl
            (br_if $rtl_done (i32.lt_s (local.get $b) (i32.const 0)))
            (local.set $c (f64.load offset=16 (local.get $e)))
            (local.set $nr (f64.add (local.get $nr) (local.get $c)))
            (local.set $acc (f64x2.add (local.get $acc)
              (v128.and (v128.load (local.get $e)) (f64x2.ne (f64x2.splat (local.get $c)) (v128.const i64x2 0 0)))))
            (if (i32.and (f64.ge (local.get $nr) (local.get $msl))
                         (f64.ge (f64x2.extract_lane 1 (local.get $acc)) (local.get $min_hessian)))
              (then
                (local.set $rest (f64x2.sub (local.get $total) (local.get $acc)))
                (br_if $rtl_done (f64.lt (f64.sub (local.get $count) (local.get $nr)) (local.get $msl)))
                (br_if $rtl_done (f64.lt (f64x2.extract_lane 1 (local.get $rest)) (local.get $min_hessian)))
                ;; (gl, gr)² and (hl, hr) + λ
                (local.set $g2 (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $rest) (local.get $acc)))
                (local.set $g2 (f64x2.mul (local.get $g2) (local.get $g2)))
                (local.set $hh (f64x2.add
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $rest) (local.get $acc))
                  (local.get $lam2)))
                ;; Division-free filter: the score S / D (S = gl²(hr+λ) + gr²(hl+λ), D = (hl+λ)(hr+λ))
                ;; is computed exactly only when it may reach $cut, max(best, bound) lowered by 2e-9
                ;; relative (rounding of S, D and the score is ~1e-15): a skipped bin cannot beat this
                ;; feature's best, nor reach the bound (see runFeatureRange).
                (local.set $p (f64x2.mul (local.get $g2) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $hh) (local.get $hh))))
                (if (f64.ge
                      (f64.add (f64x2.extract_lane 0 (local.get $p)) (f64x2.extract_lane 1 (local.get $p)))
                      (f64.mul (local.get $cut) (f64.mul (f64x2.extract_lane 0 (local.get $hh)) (f64x2.extract_lane 1 (local.get $hh)))))
                  (then
                    (local.set $q (f64x2.div (local.get $g2) (local.get $hh)))
                    (local.set $score (f64.add (f64x2.extract_lane 0 (local.get $q)) (f64x2.extract_lane 1 (local.get $q))))
                    (if (f64.gt (local.get $score) (local.get $best))
                      (then
                        (local.set $best (local.get $score))
                        (local.set $best_bin (local.get $b))
                        (local.set $best_acc (local.get $rest))
                        (local.set $best_nl (f64.sub (local.get $count) (local.get $nr)))
                        (local.set $missing_left (i32.const 1))
                        (local.set $cut (f64.mul (f64.max (local.get $best) (local.get $bound)) (f64.const 0.999999998)))))))))
            (local.set $b (i32.sub (local.get $b) (i32.const 1)))
            (local.set $e (i32.sub (local.get $e) (i32.const 24)))
            (br $rtl)))
        (local.set $best_gl (f64x2.extract_lane 0 (local.get $best_acc)))
        (local.set $best_hl (f64x2.extract_lane 1 (local.get $best_acc)))))
    ;; gain of the best candidate, computed like scikit-learn: lossCurrent - gl*vl - gr*vr
    (local.set $gain (f64.const -1))
    (if (i32.ge_s (local.get $best_bin) (i32.const 0))
      (then
        (local.set $gr (f64.sub (local.get $sum_g) (local.get $best_gl)))
        (local.set $hr (f64.sub (local.get $sum_h) (local.get $best_hl)))
        (local.set $score
          (f64.sub
            (f64.sub
              (local.get $loss_current)
              (f64.mul (local.get $best_gl) (f64.div (f64.neg (local.get $best_gl)) (f64.add (local.get $best_hl) (local.get $lambda)))))
            (f64.mul (local.get $gr) (f64.div (f64.neg (local.get $gr)) (f64.add (local.get $hr) (local.get $lambda))))))
        (if (i32.and (f64.gt (local.get $score) (f64.const -1)) (f64.gt (local.get $score) (local.get $min_gain)))
          (then (local.set $gain (local.get $score))))))
    (f64.store (local.get $out) (local.get $gain))
    (f64.store offset=8 (local.get $out) (f64.convert_i32_s (local.get $best_bin)))
    (f64.store offset=16 (local.get $out) (f64.convert_i32_s (local.get $missing_left)))
    (f64.store offset=24 (local.get $out) (local.get $best_gl))
    (f64.store offset=32 (local.get $out) (local.get $best_hl))
    (f64.store offset=40 (local.get $out) (local.get $best_nl))
    (local.get $best))

  ;; Stable partition of the node's samples idx[0..count) by a split (bin <= $bin goes left; the
  ;; NaN bin goes left iff $missing_left): left ones stay in place in order, right ones follow in
  ;; order (through $buffer). Branch-free: every index is written to both sides' next slot.
  (func (export "partition")
    (param $idx i32) (param $count i32) (param $col i32) (param $bin i32) (param $missing_bin i32)
    (param $missing_left i32) (param $buffer i32) (result i32)
    (local $p i32) (local $end i32) (local $r i32) (local $b i32) (local $left i32) (local $nl i32) (local $nr i32)
    (local.set $p (local.get $idx))
    (local.set $end (i32.add (local.get $idx) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (loop $samples
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $r (i32.load (local.get $p)))
        (local.set $b (i32.load8_u (i32.add (local.get $col) (local.get $r))))
        (local.set $left
          (select (local.get $missing_left) (i32.le_u (local.get $b) (local.get $bin)) (i32.eq (local.get $b) (local.get $missing_bin))))
        (i32.store (i32.add (local.get $idx) (i32.shl (local.get $nl) (i32.const 2))) (local.get $r))
        (i32.store (i32.add (local.get $buffer) (i32.shl (local.get $nr) (i32.const 2))) (local.get $r))
        (local.set $nl (i32.add (local.get $nl) (local.get $left)))
        (local.set $nr (i32.add (local.get $nr) (i32.xor (local.get $left) (i32.const 1))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $samples)))
    (memory.copy (i32.add (local.get $idx) (i32.shl (local.get $nl) (i32.const 2))) (local.get $buffer) (i32.shl (local.get $nr) (i32.const 2)))
    (local.get $nl))

  ;; The root of a tree over rows 0..n-1: idx[i] = i, ordered pairs ogh[i] = (g[i], h[i]), and the
  ;; float64 sums of g and h in row order, stored at $out and $out + 8.
  (func (export "root") (param $idx i32) (param $g i32) (param $h i32) (param $ogh i32) (param $n i32) (param $out i32)
    (local $i i32) (local $gv f32) (local $hv f32) (local $sum_g f64) (local $sum_h f64)
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store (i32.add (local.get $idx) (i32.shl (local.get $i) (i32.const 2))) (local.get $i))
        (local.set $gv (f32.load (i32.add (local.get $g) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $hv (f32.load (i32.add (local.get $h) (i32.shl (local.get $i) (i32.const 2)))))
        (f32.store (i32.add (local.get $ogh) (i32.shl (local.get $i) (i32.const 3))) (local.get $gv))
        (f32.store offset=4 (i32.add (local.get $ogh) (i32.shl (local.get $i) (i32.const 3))) (local.get $hv))
        (local.set $sum_g (f64.add (local.get $sum_g) (f64.promote_f32 (local.get $gv))))
        (local.set $sum_h (f64.add (local.get $sum_h) (f64.promote_f32 (local.get $hv))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows)))
    (f64.store (local.get $out) (local.get $sum_g))
    (f64.store offset=8 (local.get $out) (local.get $sum_h)))

  ;; Ordered (gradient, hessian) pairs of the samples idx[0..count): ogh[i] = (g[idx[i]], h[idx[i]]).
  (func (export "gather") (param $ogh i32) (param $idx i32) (param $count i32) (param $g i32) (param $h i32)
    (local $i i32) (local $r i32)
    (block $done
      (loop $samples
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $r (i32.shl (i32.load (i32.add (local.get $idx) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 2)))
        (f32.store (i32.add (local.get $ogh) (i32.shl (local.get $i) (i32.const 3))) (f32.load (i32.add (local.get $g) (local.get $r))))
        (f32.store offset=4 (i32.add (local.get $ogh) (i32.shl (local.get $i) (i32.const 3))) (f32.load (i32.add (local.get $h) (local.get $r))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $samples))))

  ;; Raw predictions of rows [0, rows) (float32, row-major, $cols per row, at $x) by trees
  ;; [0, n_trees) of a compiled ensemble (tree-predictor.ts). A node is 16 bytes: f64 threshold,
  ;; i32 feature, i32 word = byte offset of the left child from $nodes | missingLeft; the right
  ;; child is 16 bytes after the left one. x goes left iff f64(x) <= threshold, or x is NaN and
  ;; missingLeft: the comparison of the JavaScript walk, so the same leaf. A leaf is its own left
  ;; child (threshold +inf, feature 0, missingLeft), so every row takes exactly depth[t] steps,
  ;; branch-free, four rows at a time (four independent load chains in flight; a data-dependent
  ;; branch per level mispredicted about every other level). Leaf values are f64 at
  ;; $values + node index * 8. Adds them to raw[(t mod k) * rows + i] (f64 at $raw), trees in order
  ;; for every row (the sums of a plain walk, bit for bit); 64 rows at a time so a block of rows
  ;; stays in L1 while every tree visits it.
  (func (export "predict")
    (param $nodes i32) (param $values i32) (param $roots i32) (param $depths i32) (param $n_trees i32) (param $k i32)
    (param $x i32) (param $rows i32) (param $cols i32) (param $raw i32)
    (local $b0 i32) (local $b1 i32) (local $t i32) (local $c i32) (local $root i32) (local $depth i32) (local $d i32)
    (local $out i32) (local $row i32) (local $end4 i32) (local $end i32) (local $stride i32)
    (local $n0 i32) (local $r0 i32) (local $w0 i32) (local $v0 f32) (local $n1 i32) (local $r1 i32) (local $w1 i32) (local $v1 f32) (local $n2 i32) (local $r2 i32) (local $w2 i32) (local $v2 f32) (local $n3 i32) (local $r3 i32) (local $w3 i32) (local $v3 f32) (local $n4 i32) (local $r4 i32) (local $w4 i32) (local $v4 f32) (local $n5 i32) (local $r5 i32) (local $w5 i32) (local $v5 f32) (local $n6 i32) (local $r6 i32) (local $w6 i32) (local $v6 f32) (local $n7 i32) (local $r7 i32) (local $w7 i32) (local $v7 f32)
    (local.set $stride (i32.shl (local.get $cols) (i32.const 2)))
    (block $blocks_done
      (loop $blocks
        (br_if $blocks_done (i32.ge_u (local.get $b0) (local.get $rows)))
        (local.set $b1 (select (i32.add (local.get $b0) (i32.const 64)) (local.get $rows)
          (i32.lt_u (i32.add (local.get $b0) (i32.const 64)) (local.get $rows))))
        (local.set $t (i32.const 0))
        (local.set $c (i32.const 0))
        (block $trees_done
          (loop $trees
            (br_if $trees_done (i32.ge_u (local.get $t) (local.get $n_trees)))
            (local.set $root (i32.add (local.get $nodes) (i32.load (i32.add (local.get $roots) (i32.shl (local.get $t) (i32.const 2))))))
            (local.set $depth (i32.load (i32.add (local.get $depths) (i32.shl (local.get $t) (i32.const 2)))))
            (local.set $out (i32.add (local.get $raw)
              (i32.shl (i32.add (i32.mul (local.get $c) (local.get $rows)) (local.get $b0)) (i32.const 3))))
            (local.set $row (i32.add (local.get $x) (i32.mul (local.get $b0) (local.get $stride))))
            (local.set $end (i32.add (local.get $x) (i32.mul (local.get $b1) (local.get $stride))))
            (local.set $end4 (i32.mul (i32.const 7) (local.get $stride))) ;; a group needs row + 7 strides < end
            ;; four rows at a time
            (block $quads_done
              (loop $quads
                (br_if $quads_done (i32.ge_u (i32.add (local.get $row) (local.get $end4)) (local.get $end)))
                (local.set $r0 (local.get $row))
                (local.set $r1 (i32.add (local.get $r0) (local.get $stride)))
                (local.set $r2 (i32.add (local.get $r1) (local.get $stride)))
                (local.set $r3 (i32.add (local.get $r2) (local.get $stride)))
                (local.set $r4 (i32.add (local.get $r3) (local.get $stride)))
                (local.set $r5 (i32.add (local.get $r4) (local.get $stride)))
                (local.set $r6 (i32.add (local.get $r5) (local.get $stride)))
                (local.set $r7 (i32.add (local.get $r6) (local.get $stride)))
                (local.set $n0 (local.get $root))
                (local.set $n1 (local.get $root))
                (local.set $n2 (local.get $root))
                (local.set $n3 (local.get $root))
                (local.set $n4 (local.get $root))
                (local.set $n5 (local.get $root))
                (local.set $n6 (local.get $root))
                (local.set $n7 (local.get $root))
                (local.set $d (local.get $depth))
                (block $walk_done
                  (loop $walk
                    (br_if $walk_done (i32.eqz (local.get $d)))
                    (local.set $v0 (f32.load (i32.add (local.get $r0) (i32.shl (i32.load offset=8 (local.get $n0)) (i32.const 2)))))
                    (local.set $w0 (i32.load offset=12 (local.get $n0)))
                    (local.set $n0 (i32.add
                      (i32.add (local.get $nodes) (i32.and (local.get $w0) (i32.const -2)))
                      (select (i32.const 0) (i32.const 16)
                        (i32.or
                          (f64.le (f64.promote_f32 (local.get $v0)) (f64.load (local.get $n0)))
                          (i32.and (f32.ne (local.get $v0) (local.get $v0)) (local.get $w0))))))
                    (local.set $v1 (f32.load (i32.add (local.get $r1) (i32.shl (i32.load offset=8 (local.get $n1)) (i32.const 2)))))
                    (local.set $w1 (i32.load offset=12 (local.get $n1)))
                    (local.set $n1 (i32.add
                      (i32.add (local.get $nodes) (i32.and (local.get $w1) (i32.const -2)))
                      (select (i32.const 0) (i32.const 16)
                        (i32.or
                          (f64.le (f64.promote_f32 (local.get $v1)) (f64.load (local.get $n1)))
                          (i32.and (f32.ne (local.get $v1) (local.get $v1)) (local.get $w1))))))
                    (local.set $v2 (f32.load (i32.add (local.get $r2) (i32.shl (i32.load offset=8 (local.get $n2)) (i32.const 2)))))
                    (local.set $w2 (i32.load offset=12 (local.get $n2)))
                    (local.set $n2 (i32.add
                      (i32.add (local.get $nodes) (i32.and (local.get $w2) (i32.const -2)))
                      (select (i32.const 0) (i32.const 16)
                        (i32.or
                          (f64.le (f64.promote_f32 (local.get $v2)) (f64.load (local.get $n2)))
                          (i32.and (f32.ne (local.get $v2) (local.get $v2)) (local.get $w2))))))
                    (local.set $v3 (f32.load (i32.add (local.get $r3) (i32.shl (i32.load offset=8 (local.get $n3)) (i32.const 2)))))
                    (local.set $w3 (i32.load offset=12 (local.get $n3)))
                    (local.set $n3 (i32.add
                      (i32.add (local.get $nodes) (i32.and (local.get $w3) (i32.const -2)))
                      (select (i32.const 0) (i32.const 16)
                        (i32.or
                          (f64.le (f64.promote_f32 (local.get $v3)) (f64.load (local.get $n3)))
                          (i32.and (f32.ne (local.get $v3) (local.get $v3)) (local.get $w3))))))
                    (local.set $v4 (f32.load (i32.add (local.get $r4) (i32.shl (i32.load offset=8 (local.get $n4)) (i32.const 2)))))
                    (local.set $w4 (i32.load offset=12 (local.get $n4)))
                    (local.set $n4 (i32.add
                      (i32.add (local.get $nodes) (i32.and (local.get $w4) (i32.const -2)))
                      (select (i32.const 0) (i32.const 16)
                        (i32.or
                          (f64.le (f64.promote_f32 (local.get $v4)) (f64.load (local.get $n4)))
                          (i32.and (f32.ne (local.get $v4) (local.get $v4)) (local.get $w4))))))
                    (local.set $v5 (f32.load (i32.add (local.get $r5) (i32.shl (i32.load offset=8 (local.get $n5)) (i32.const 2)))))
                    (local.set $w5 (i32.load offset=12 (local.get $n5)))
                    (local.set $n5 (i32.add
                      (i32.add (local.get $nodes) (i32.and (local.get $w5) (i32.const -2)))
                      (select (i32.const 0) (i32.const 16)
                        (i32.or
                          (f64.le (f64.promote_f32 (local.get $v5)) (f64.load (local.get $n5)))
                          (i32.and (f32.ne (local.get $v5) (local.get $v5)) (local.get $w5))))))
                    (local.set $v6 (f32.load (i32.add (local.get $r6) (i32.shl (i32.load offset=8 (local.get $n6)) (i32.const 2)))))
                    (local.set $w6 (i32.load offset=12 (local.get $n6)))
                    (local.set $n6 (i32.add
                      (i32.add (local.get $nodes) (i32.and (local.get $w6) (i32.const -2)))
                      (select (i32.const 0) (i32.const 16)
                        (i32.or
                          (f64.le (f64.promote_f32 (local.get $v6)) (f64.load (local.get $n6)))
                          (i32.and (f32.ne (local.get $v6) (local.get $v6)) (local.get $w6))))))
                    (local.set $v7 (f32.load (i32.add (local.get $r7) (i32.shl (i32.load offset=8 (local.get $n7)) (i32.const 2)))))
                    (local.set $w7 (i32.load offset=12 (local.get $n7)))
                    (local.set $n7 (i32.add
                      (i32.add (local.get $nodes) (i32.and (local.get $w7) (i32.const -2)))
                      (select (i32.const 0) (i32.const 16)
                        (i32.or
                          (f64.le (f64.promote_f32 (local.get $v7)) (f64.load (local.get $n7)))
                          (i32.and (f32.ne (local.get $v7) (local.get $v7)) (local.get $w7))))))
                    (local.set $d (i32.sub (local.get $d) (i32.const 1)))
                    (br $walk)))
                (f64.store offset=0 (local.get $out) (f64.add (f64.load offset=0 (local.get $out))
                  (f64.load (i32.add (local.get $values) (i32.shr_u (i32.sub (local.get $n0) (local.get $nodes)) (i32.const 1))))))
                (f64.store offset=8 (local.get $out) (f64.add (f64.load offset=8 (local.get $out))
                  (f64.load (i32.add (local.get $values) (i32.shr_u (i32.sub (local.get $n1) (local.get $nodes)) (i32.const 1))))))
                (f64.store offset=16 (local.get $out) (f64.add (f64.load offset=16 (local.get $out))
                  (f64.load (i32.add (local.get $values) (i32.shr_u (i32.sub (local.get $n2) (local.get $nodes)) (i32.const 1))))))
                (f64.store offset=24 (local.get $out) (f64.add (f64.load offset=24 (local.get $out))
                  (f64.load (i32.add (local.get $values) (i32.shr_u (i32.sub (local.get $n3) (local.get $nodes)) (i32.const 1))))))
                (f64.store offset=32 (local.get $out) (f64.add (f64.load offset=32 (local.get $out))
                  (f64.load (i32.add (local.get $values) (i32.shr_u (i32.sub (local.get $n4) (local.get $nodes)) (i32.const 1))))))
                (f64.store offset=40 (local.get $out) (f64.add (f64.load offset=40 (local.get $out))
                  (f64.load (i32.add (local.get $values) (i32.shr_u (i32.sub (local.get $n5) (local.get $nodes)) (i32.const 1))))))
                (f64.store offset=48 (local.get $out) (f64.add (f64.load offset=48 (local.get $out))
                  (f64.load (i32.add (local.get $values) (i32.shr_u (i32.sub (local.get $n6) (local.get $nodes)) (i32.const 1))))))
                (f64.store offset=56 (local.get $out) (f64.add (f64.load offset=56 (local.get $out))
                  (f64.load (i32.add (local.get $values) (i32.shr_u (i32.sub (local.get $n7) (local.get $nodes)) (i32.const 1))))))
                (local.set $out (i32.add (local.get $out) (i32.const 64)))
                (local.set $row (i32.add (local.get $r7) (local.get $stride)))
                (br $quads)))
            ;; the last rows of the block, one at a time
            (block $singles_done
              (loop $singles
                (br_if $singles_done (i32.ge_u (local.get $row) (local.get $end)))
                (local.set $r0 (local.get $row))
                (local.set $n0 (local.get $root))
                (local.set $d (local.get $depth))
                (block $walk1_done
                  (loop $walk1
                    (br_if $walk1_done (i32.eqz (local.get $d)))
                    (local.set $v0 (f32.load (i32.add (local.get $r0) (i32.shl (i32.load offset=8 (local.get $n0)) (i32.const 2)))))
                    (local.set $w0 (i32.load offset=12 (local.get $n0)))
                    (local.set $n0 (i32.add
                      (i32.add (local.get $nodes) (i32.and (local.get $w0) (i32.const -2)))
                      (select (i32.const 0) (i32.const 16)
                        (i32.or
                          (f64.le (f64.promote_f32 (local.get $v0)) (f64.load (local.get $n0)))
                          (i32.and (f32.ne (local.get $v0) (local.get $v0)) (local.get $w0))))))
                    (local.set $d (i32.sub (local.get $d) (i32.const 1)))
                    (br $walk1)))
                (f64.store offset=0 (local.get $out) (f64.add (f64.load offset=0 (local.get $out))
                  (f64.load (i32.add (local.get $values) (i32.shr_u (i32.sub (local.get $n0) (local.get $nodes)) (i32.const 1))))))
                (local.set $out (i32.add (local.get $out) (i32.const 8)))
                (local.set $row (i32.add (local.get $row) (local.get $stride)))
                (br $singles)))
            (local.set $t (i32.add (local.get $t) (i32.const 1)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (if (i32.eq (local.get $c) (local.get $k)) (then (local.set $c (i32.const 0))))
            (br $trees)))
        (local.set $b0 (local.get $b1))
        (br $blocks))))

  ;; Gradients and hessians of the half multinomial loss for rows [r0, r1) (softmax-gradients.mjs),
  ;; two rows per step: max over the classes of raw (f64, class-major, k classes of n rows), the
  ;; exps of raw - max (clamped at -708, where the exp is 0 to float32 anyway) and their sum in
  ;; class order, then p = exp / sum, g = (p - [y = class]) * w, h = p (1 - p) * w, stored as float32
  ;; (class-major). y: int32 per row; $w: float64 weight per row, or 0 for unit weights; $exps: the
  ;; calling thread's own scratch of k x 16 bytes (the exps of the current two rows). Rows are written
  ;; lane-exact, so threads can share the rows of one call's arrays by blocks; loads may read one
  ;; row past r1 (the arrays need 16 bytes of padding after them).
  ;; The exp of the softmax, for two float64 lanes (x <= 0, clamped at -708): k =
  ;; nearest(x / ln 2), r = x - k ln 2 (ln 2 in two parts, k * LN2_HI exact), e^r by its Taylor
  ;; polynomial to degree 13 (|r| <= 0.35, truncation < 1e-17) in Estrin's scheme, times 2^k built
  ;; from its bits. Within 2 ulp of Math.exp; the same bits on every thread and every platform (no
  ;; fused multiply-add in wasm).
  (func (export "softmax")
    (param $y i32) (param $raw i32) (param $w i32) (param $k i32) (param $n i32) (param $g i32) (param $h i32)
    (param $exps i32) (param $r0 i32) (param $r1 i32)
    (local $i i32) (local $c i32) (local $o i32) (local $two i32) (local $x v128) (local $kk v128) (local $r v128) (local $r2 v128) (local $r4 v128) (local $v v128) (local $p v128) (local $grad v128) (local $hess v128)
    (local.set $i (local.get $r0))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $i) (local.get $r1)))
        (local.set $two (i32.lt_u (i32.add (local.get $i) (i32.const 1)) (local.get $r1)))
        ;; max (Math.max semantics: NaN wins, +0 above -0)
        (local.set $v (v128.load (i32.add (local.get $raw) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $c (i32.const 1))
        (block $mx_done
          (loop $mx
            (br_if $mx_done (i32.ge_u (local.get $c) (local.get $k)))
            (local.set $o (i32.add (i32.mul (local.get $c) (local.get $n)) (local.get $i)))
            (local.set $v (f64x2.max (local.get $v) (v128.load (i32.add (local.get $raw) (i32.shl (local.get $o) (i32.const 3))))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $mx)))
        ;; exps and their sum (kept in $p)
        (local.set $p (v128.const f64x2 0 0))
        (local.set $c (i32.const 0))
        (block $ex_done
          (loop $ex
            (br_if $ex_done (i32.ge_u (local.get $c) (local.get $k)))
            (local.set $o (i32.add (i32.mul (local.get $c) (local.get $n)) (local.get $i)))
            (local.set $x (f64x2.max
              (f64x2.sub (v128.load (i32.add (local.get $raw) (i32.shl (local.get $o) (i32.const 3)))) (local.get $v))
              (v128.const f64x2 -708 -708)))
            (local.set $grad
              (block (result v128)
                  (local.set $kk (f64x2.nearest (f64x2.mul (local.get $x) (v128.const f64x2 1.4426950408889634 1.4426950408889634))))
                  (local.set $r (f64x2.sub
                    (f64x2.sub (local.get $x) (f64x2.mul (local.get $kk) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01)))
                    (f64x2.mul (local.get $kk) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10))))
                  (local.set $r2 (f64x2.mul (local.get $r) (local.get $r)))
                  (local.set $r4 (f64x2.mul (local.get $r2) (local.get $r2)))
                  (f64x2.mul
                    (f64x2.add
                      (f64x2.add
                        (f64x2.add (f64x2.add (v128.const f64x2 1.0 1.0) (f64x2.mul (v128.const f64x2 1.0 1.0) (local.get $r)))
                                   (f64x2.mul (local.get $r2) (f64x2.add (v128.const f64x2 0.5 0.5) (f64x2.mul (v128.const f64x2 0.16666666666666666 0.16666666666666666) (local.get $r)))))
                        (f64x2.mul (local.get $r4)
                          (f64x2.add (f64x2.add (v128.const f64x2 0.041666666666666664 0.041666666666666664) (f64x2.mul (v128.const f64x2 0.008333333333333333 0.008333333333333333) (local.get $r)))
                                     (f64x2.mul (local.get $r2) (f64x2.add (v128.const f64x2 0.001388888888888889 0.001388888888888889) (f64x2.mul (v128.const f64x2 0.0001984126984126984 0.0001984126984126984) (local.get $r)))))))
                      (f64x2.mul (f64x2.mul (local.get $r4) (local.get $r4))
                        (f64x2.add
                          (f64x2.add (f64x2.add (v128.const f64x2 2.48015873015873e-05 2.48015873015873e-05) (f64x2.mul (v128.const f64x2 2.7557319223985893e-06 2.7557319223985893e-06) (local.get $r)))
                                     (f64x2.mul (local.get $r2) (f64x2.add (v128.const f64x2 2.755731922398589e-07 2.755731922398589e-07) (f64x2.mul (v128.const f64x2 2.505210838544172e-08 2.505210838544172e-08) (local.get $r)))))
                          (f64x2.mul (local.get $r4) (f64x2.add (v128.const f64x2 2.08767569878681e-09 2.08767569878681e-09) (f64x2.mul (v128.const f64x2 1.6059043836821613e-10 1.6059043836821613e-10) (local.get $r)))))))
                    ;; 2^k: (k + 1023) << 52 as the bits of a float64 (k >= -1021 after the clamp)
                    (i64x2.shl
                      (i64x2.add (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $kk))) (v128.const i64x2 1023 1023))
                      (i32.const 52)))))
            (v128.store (i32.add (local.get $exps) (i32.shl (local.get $c) (i32.const 4))) (local.get $grad))
            (local.set $p (f64x2.add (local.get $p) (local.get $grad)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $ex)))
        (local.set $v (local.get $p))
        ;; probabilities, gradients, hessians
        (local.set $c (i32.const 0))
        (block $gr_done
          (loop $gr
            (br_if $gr_done (i32.ge_u (local.get $c) (local.get $k)))
            (local.set $o (i32.add (i32.mul (local.get $c) (local.get $n)) (local.get $i)))
            (local.set $p (f64x2.div (v128.load (i32.add (local.get $exps) (i32.shl (local.get $c) (i32.const 4)))) (local.get $v)))
            ;; p - 1 where y = c: the int32 lanes of y compared with c, widened to 64-bit masks
            (local.set $grad (f64x2.sub (local.get $p)
              (v128.and (v128.const f64x2 1 1)
                (i64x2.extend_low_i32x4_s (i32x4.eq (v128.load64_zero (i32.add (local.get $y) (i32.shl (local.get $i) (i32.const 2)))) (i32x4.splat (local.get $c)))))))
            (local.set $hess (f64x2.mul (local.get $p) (f64x2.sub (v128.const f64x2 1 1) (local.get $p))))
            (if (local.get $w)
              (then
                (local.set $p (v128.load (i32.add (local.get $w) (i32.shl (local.get $i) (i32.const 3)))))
                (local.set $grad (f64x2.mul (local.get $grad) (local.get $p)))
                (local.set $hess (f64x2.mul (local.get $hess) (local.get $p)))))
            (if (local.get $two)
              (then
                (v128.store64_lane 0 (i32.add (local.get $g) (i32.shl (local.get $o) (i32.const 2))) (f32x4.demote_f64x2_zero (local.get $grad)))
                (v128.store64_lane 0 (i32.add (local.get $h) (i32.shl (local.get $o) (i32.const 2))) (f32x4.demote_f64x2_zero (local.get $hess))))
              (else
                (v128.store32_lane 0 (i32.add (local.get $g) (i32.shl (local.get $o) (i32.const 2))) (f32x4.demote_f64x2_zero (local.get $grad)))
                (v128.store32_lane 0 (i32.add (local.get $h) (i32.shl (local.get $o) (i32.const 2))) (f32x4.demote_f64x2_zero (local.get $hess)))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $gr)))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $rows))))
)
