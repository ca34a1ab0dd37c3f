// Generates src/simd-kernels.wat (WebAssembly SIMD kernels that work in place on the tfjs wasm
// backend's heap: they import its memory) and assembles it into src/simd-kernels-wasm.ts (the module's
// bytes in base64). The .wat is generated because its register-tiled GEMM comes in 6 tile variants.
// Run after editing this file: `pnpm --filter @pipeline/tf build:wasm`; test/simd-kernels-sync.test.ts
// checks that both committed files match this generator.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';

const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

// ---- gemm ------------------------------------------------------------------------------------------
// C[i, j] (i < m, j < n) at c + i·ldc + 4j  =  (flags & 1 ? C[i, j] : 0)
//     + Σ_{q < nb} Σ_{p < k} A(q, i, p) · B(q, p, j)  (+ bias[j] if flags & 2; max(·, 0) if flags & 4)
// A(q, i, p) at a + q·sab + i·sar + p·sap, B(q, p, j) at b + q·sbb + p·ldb + 4j; all in bytes.
// Tiles of R = 4 or 1 rows × 8, 4 or 1 columns; the sum runs q-major, then p, one product at a time
// (no FMA), so the result does not depend on the tiling: the same bits for any m, n.

const TILE_PARAMS = '(param $c i32) (param $ldc i32) (param $a i32) (param $sar i32) (param $sap i32) (param $b i32) (param $ldb i32) (param $k i32) (param $nb i32) (param $sab i32) (param $sbb i32) (param $bias i32) (param $flags i32)';

/** One tile: R rows × V vectors of 4 columns (V = 0: one scalar column). */
function tile(R, V) {
  const vec = V > 0;
  const cols = vec ? V : 1;
  const ty = vec ? 'v128' : 'f32';
  const L = [];
  L.push(`  (func $tile_${R}_${V} ${TILE_PARAMS}`);
  for (let r = 0; r < R; r++) for (let v = 0; v < cols; v++) L.push(`    (local $acc${r}_${v} ${ty})`);
  for (let v = 0; v < cols; v++) L.push(`    (local $b${v} ${ty})`);
  L.push(`    (local $s ${ty}) (local $q i32) (local $p i32) (local $pb i32)`);
  for (let r = 0; r < R; r++) L.push(`    (local $pa${r} i32)`);
  L.push('    (local $t v128) (local $u f32)');
  if (vec) for (let r = 0; r < R; r++) for (let v = 0; v < cols; v++) L.push(`    (local.set $acc${r}_${v} (v128.const i32x4 0 0 0 0))`);
  L.push('    (local.set $q (i32.const 0))');
  L.push('    (block $qdone (loop $qloop');
  L.push('      (br_if $qdone (i32.ge_u (local.get $q) (local.get $nb)))');
  L.push('      (local.set $pb (i32.add (local.get $b) (i32.mul (local.get $q) (local.get $sbb))))');
  L.push('      (local.set $pa0 (i32.add (local.get $a) (i32.mul (local.get $q) (local.get $sab))))');
  for (let r = 1; r < R; r++) L.push(`      (local.set $pa${r} (i32.add (local.get $pa${r - 1}) (local.get $sar)))`);
  L.push('      (local.set $p (local.get $k))');
  L.push('      (block $pdone (loop $ploop');
  L.push('        (br_if $pdone (i32.eqz (local.get $p)))');
  for (let v = 0; v < cols; v++) L.push(vec ? `        (local.set $b${v} (v128.load offset=${16 * v} align=4 (local.get $pb)))` : `        (local.set $b0 (f32.load (local.get $pb)))`);
  for (let r = 0; r < R; r++) {
    L.push(vec ? `        (local.set $s (v128.load32_splat (local.get $pa${r})))` : `        (local.set $s (f32.load (local.get $pa${r})))`);
    for (let v = 0; v < cols; v++) {
      L.push(
        vec
          ? `        (local.set $acc${r}_${v} (f32x4.add (local.get $acc${r}_${v}) (f32x4.mul (local.get $s) (local.get $b${v}))))`
          : `        (local.set $acc${r}_${v} (f32.add (local.get $acc${r}_${v}) (f32.mul (local.get $s) (local.get $b${v}))))`,
      );
    }
    L.push(`        (local.set $pa${r} (i32.add (local.get $pa${r}) (local.get $sap)))`);
  }
  L.push('        (local.set $pb (i32.add (local.get $pb) (local.get $ldb)))');
  L.push('        (local.set $p (i32.sub (local.get $p) (i32.const 1)))');
  L.push('        (br $ploop)))');
  L.push('      (local.set $q (i32.add (local.get $q) (i32.const 1)))');
  L.push('      (br $qloop)))');
  // epilogue
  for (let r = 0; r < R; r++) {
    for (let v = 0; v < cols; v++) {
      const addr = `(i32.add (local.get $c) (i32.const ${16 * v}))`;
      const rowAddr = r === 0 ? addr : `(i32.add ${addr} (i32.mul (local.get $ldc) (i32.const ${r})))`;
      if (vec) {
        L.push(`    (local.set $t (local.get $acc${r}_${v}))`);
        L.push(`    (if (i32.and (local.get $flags) (i32.const 1)) (then (local.set $t (f32x4.add (v128.load align=4 ${rowAddr}) (local.get $t)))))`);
        L.push(`    (if (i32.and (local.get $flags) (i32.const 2)) (then (local.set $t (f32x4.add (local.get $t) (v128.load offset=${16 * v} align=4 (local.get $bias))))))`);
        L.push(`    (if (i32.and (local.get $flags) (i32.const 4)) (then (local.set $t (f32x4.pmax (v128.const i32x4 0 0 0 0) (local.get $t)))))`);
        L.push(`    (v128.store align=4 ${rowAddr} (local.get $t))`);
      } else {
        L.push(`    (local.set $u (local.get $acc${r}_${v}))`);
        L.push(`    (if (i32.and (local.get $flags) (i32.const 1)) (then (local.set $u (f32.add (f32.load ${rowAddr}) (local.get $u)))))`);
        L.push(`    (if (i32.and (local.get $flags) (i32.const 2)) (then (local.set $u (f32.add (local.get $u) (f32.load (local.get $bias))))))`);
        L.push(`    (if (i32.and (local.get $flags) (i32.const 4)) (then (if (f32.lt (local.get $u) (f32.const 0)) (then (local.set $u (f32.const 0))))))`);
        L.push(`    (f32.store ${rowAddr} (local.get $u))`);
      }
    }
  }
  L.push('  )');
  return L.join('\n');
}

/**
 * Register tile of the main loop: rows × vectors of 4 columns. 4 × 2 keeps 8 accumulators + 2 B
 * vectors + 1 splat in V8's 16 xmm registers and measured 40–47 GFLOP/s per CPU-second on the LSTM step
 * and CNN shapes; 6 × 2, 4 × 3, 3 × 3 and 8 × 1 spill and measured 17–28.
 */
const MAIN_ROWS = 4;
const MAIN_VECTORS = 2;

function rowBlock(R) {
  const call = (V) =>
    `(call $tile_${R}_${V} (local.get $cj) (local.get $ldc) (local.get $ai) (local.get $sar) (local.get $sap) (local.get $bj) (local.get $ldb) (local.get $k) (local.get $nb) (local.get $sab) (local.get $sbb) (local.get $biasj) (local.get $flags))`;
  const step = (bytes) =>
    `(local.set $j (i32.add (local.get $j) (i32.const ${bytes / 4}))) (local.set $cj (i32.add (local.get $cj) (i32.const ${bytes}))) (local.set $bj (i32.add (local.get $bj) (i32.const ${bytes}))) (local.set $biasj (i32.add (local.get $biasj) (i32.const ${bytes})))`;
  return `
      (local.set $j (i32.const 0)) (local.set $cj (local.get $ci)) (local.set $bj (local.get $b)) (local.set $biasj (local.get $bias))
      (block $j8done (loop $j8
        (br_if $j8done (i32.gt_u (i32.add (local.get $j) (i32.const ${4 * MAIN_VECTORS})) (local.get $n)))
        ${call(MAIN_VECTORS)}
        ${step(16 * MAIN_VECTORS)}
        (br $j8)))
      (block $j4done (loop $j4
        (br_if $j4done (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $n)))
        ${call(1)}
        ${step(16)}
        (br $j4)))
      (block $j1done (loop $j1
        (br_if $j1done (i32.ge_u (local.get $j) (local.get $n)))
        ${call(0)}
        ${step(4)}
        (br $j1)))`;
}

function gemm() {
  return `  (func $gemm (export "gemm") (param $c i32) (param $ldc i32) (param $a i32) (param $sar i32) (param $sap i32) (param $b i32) (param $ldb i32) (param $m i32) (param $n i32) (param $k i32) (param $nb i32) (param $sab i32) (param $sbb i32) (param $bias i32) (param $flags i32)
    (local $i i32) (local $j i32) (local $ci i32) (local $ai i32) (local $cj i32) (local $bj i32) (local $biasj i32)
    (local.set $i (i32.const 0)) (local.set $ci (local.get $c)) (local.set $ai (local.get $a))
    (block $i4done (loop $i4
      (br_if $i4done (i32.gt_u (i32.add (local.get $i) (i32.const ${MAIN_ROWS})) (local.get $m)))${rowBlock(MAIN_ROWS)}
      (local.set $i (i32.add (local.get $i) (i32.const ${MAIN_ROWS})))
      (local.set $ci (i32.add (local.get $ci) (i32.mul (local.get $ldc) (i32.const ${MAIN_ROWS}))))
      (local.set $ai (i32.add (local.get $ai) (i32.mul (local.get $sar) (i32.const ${MAIN_ROWS}))))
      (br $i4)))
    (block $i1done (loop $i1
      (br_if $i1done (i32.ge_u (local.get $i) (local.get $m)))${rowBlock(1)}
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (local.set $ci (i32.add (local.get $ci) (local.get $ldc)))
      (local.set $ai (i32.add (local.get $ai) (local.get $sar)))
      (br $i1)))
  )`;
}

// ---- reductions and pooling ------------------------------------------------------------------------

// out[o, j] = (Σ_{r < rows} x[(o·rows + r)·inner + j]) / divisor, for o < outer, j < inner (f32 adds in
// order of r; the divisor is 1 for a sum).
const reduceMiddle = `  (func (export "reduce_middle") (param $out i32) (param $x i32) (param $outer i32) (param $rows i32) (param $inner i32) (param $divisor f32)
    (local $o i32) (local $j i32) (local $r i32) (local $p i32) (local $acc v128) (local $s f32) (local $src i32) (local $dst i32) (local $stride i32) (local $d v128)
    (local.set $stride (i32.shl (local.get $inner) (i32.const 2)))
    (local.set $d (f32x4.splat (local.get $divisor)))
    (local.set $o (i32.const 0))
    (block $odone (loop $oloop
      (br_if $odone (i32.ge_u (local.get $o) (local.get $outer)))
      (local.set $src (i32.add (local.get $x) (i32.mul (i32.mul (local.get $o) (local.get $rows)) (local.get $stride))))
      (local.set $dst (i32.add (local.get $out) (i32.mul (local.get $o) (local.get $stride))))
      (local.set $j (i32.const 0))
      (block $jdone (loop $jloop
        (br_if $jdone (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $inner)))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $p (i32.add (local.get $src) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $r (local.get $rows))
        (block $rdone (loop $rloop
          (br_if $rdone (i32.eqz (local.get $r)))
          (local.set $acc (f32x4.add (local.get $acc) (v128.load align=4 (local.get $p))))
          (local.set $p (i32.add (local.get $p) (local.get $stride)))
          (local.set $r (i32.sub (local.get $r) (i32.const 1)))
          (br $rloop)))
        (v128.store align=4 (i32.add (local.get $dst) (i32.shl (local.get $j) (i32.const 2))) (f32x4.div (local.get $acc) (local.get $d)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $jloop)))
      (block $j1done (loop $j1loop
        (br_if $j1done (i32.ge_u (local.get $j) (local.get $inner)))
        (local.set $s (f32.const 0))
        (local.set $p (i32.add (local.get $src) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $r (local.get $rows))
        (block $r1done (loop $r1loop
          (br_if $r1done (i32.eqz (local.get $r)))
          (local.set $s (f32.add (local.get $s) (f32.load (local.get $p))))
          (local.set $p (i32.add (local.get $p) (local.get $stride)))
          (local.set $r (i32.sub (local.get $r) (i32.const 1)))
          (br $r1loop)))
        (f32.store (i32.add (local.get $dst) (i32.shl (local.get $j) (i32.const 2))) (f32.div (local.get $s) (local.get $divisor)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $j1loop)))
      (local.set $o (i32.add (local.get $o) (i32.const 1)))
      (br $oloop)))
  )`;

// Max-pool gradient over disjoint 1D windows (window = stride = pool, no padding), channels % 4 = 0:
// for every output position and channel, dy goes to the first maximum of its window (the cpu backend's
// rule: strict >, starting from -∞, so a window of NaNs gets nothing); every other input of the window
// gets 0. Rows: rows × inW × ch inputs, rows × outW × ch gradients; inputs past outW·pool are untouched.
const maxPoolGrad1d = `  (func (export "max_pool_grad_1d") (param $dx i32) (param $x i32) (param $dy i32) (param $rows i32) (param $inW i32) (param $outW i32) (param $pool i32) (param $ch i32)
    (local $row i32) (local $o i32) (local $c i32) (local $w i32) (local $best v128) (local $at v128) (local $v v128) (local $m v128) (local $g v128)
    (local $xrow i32) (local $dxrow i32) (local $dyrow i32) (local $start i32) (local $chb i32) (local $off i32)
    (local.set $chb (i32.shl (local.get $ch) (i32.const 2)))
    (local.set $row (i32.const 0))
    (block $rdone (loop $rloop
      (br_if $rdone (i32.ge_u (local.get $row) (local.get $rows)))
      (local.set $xrow (i32.add (local.get $x) (i32.mul (i32.mul (local.get $row) (local.get $inW)) (local.get $chb))))
      (local.set $dxrow (i32.add (local.get $dx) (i32.mul (i32.mul (local.get $row) (local.get $inW)) (local.get $chb))))
      (local.set $dyrow (i32.add (local.get $dy) (i32.mul (i32.mul (local.get $row) (local.get $outW)) (local.get $chb))))
      (local.set $o (i32.const 0))
      (block $odone (loop $oloop
        (br_if $odone (i32.ge_u (local.get $o) (local.get $outW)))
        (local.set $start (i32.mul (i32.mul (local.get $o) (local.get $pool)) (local.get $chb)))
        (local.set $c (i32.const 0))
        (block $cdone (loop $cloop
          (br_if $cdone (i32.ge_u (local.get $c) (local.get $chb)))
          (local.set $best (v128.const f32x4 -inf -inf -inf -inf))
          (local.set $at (v128.const i32x4 -1 -1 -1 -1))
          (local.set $w (i32.const 0))
          (local.set $off (i32.add (local.get $start) (local.get $c)))
          (block $wdone (loop $wloop
            (br_if $wdone (i32.ge_u (local.get $w) (local.get $pool)))
            (local.set $v (v128.load align=4 (i32.add (local.get $xrow) (local.get $off))))
            (local.set $m (f32x4.gt (local.get $v) (local.get $best)))
            (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $m)))
            (local.set $at (v128.bitselect (i32x4.splat (local.get $w)) (local.get $at) (local.get $m)))
            (local.set $off (i32.add (local.get $off) (local.get $chb)))
            (local.set $w (i32.add (local.get $w) (i32.const 1)))
            (br $wloop)))
          (local.set $g (v128.load align=4 (i32.add (local.get $dyrow) (i32.add (i32.mul (local.get $o) (local.get $chb)) (local.get $c)))))
          (local.set $w (i32.const 0))
          (local.set $off (i32.add (local.get $start) (local.get $c)))
          (block $w2done (loop $w2loop
            (br_if $w2done (i32.ge_u (local.get $w) (local.get $pool)))
            (v128.store align=4 (i32.add (local.get $dxrow) (local.get $off))
              (v128.and (local.get $g) (i32x4.eq (local.get $at) (i32x4.splat (local.get $w)))))
            (local.set $off (i32.add (local.get $off) (local.get $chb)))
            (local.set $w (i32.add (local.get $w) (i32.const 1)))
            (br $w2loop)))
          (local.set $c (i32.add (local.get $c) (i32.const 16)))
          (br $cloop)))
        (local.set $o (i32.add (local.get $o) (i32.const 1)))
        (br $oloop)))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $rloop)))
  )`;


// ---- LSTM cell ---------------------------------------------------------------------------------------
// exp(x) for 4 lanes (Cephes expf: x = n·ln2 + r, |r| ≤ ln2/2, degree-6 polynomial, 2^n through the
// exponent bits; x clamped to [-87.3, 88.3]): within ~2 ulp of Math.exp. σ(x) = 1 / (1 + exp(−x)),
// tanh(x) = 2σ(2x) − 1 (as the previous tfjs path computed it).
const expSigmoid = `  (func $exp4 (param $x v128) (result v128) (local $n v128) (local $r v128) (local $r2 v128) (local $p v128)
    (local.set $x (f32x4.pmin (f32x4.pmax (local.get $x) (v128.const f32x4 -87.3 -87.3 -87.3 -87.3)) (v128.const f32x4 88.3 88.3 88.3 88.3)))
    (local.set $n (f32x4.nearest (f32x4.mul (local.get $x) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))))
    (local.set $r (f32x4.sub (local.get $x) (f32x4.mul (local.get $n) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))))
    (local.set $r (f32x4.sub (local.get $r) (f32x4.mul (local.get $n) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
    (local.set $r2 (f32x4.mul (local.get $r) (local.get $r)))
    (local.set $p (f32x4.add (f32x4.mul (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4) (local.get $r)) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
    (local.set $p (f32x4.add (f32x4.add (f32x4.mul (local.get $p) (local.get $r2)) (local.get $r)) (v128.const f32x4 1 1 1 1)))
    (f32x4.mul (local.get $p)
      (i32x4.shl (i32x4.sub (f32x4.add (local.get $n) (v128.const f32x4 8388735 8388735 8388735 8388735)) (v128.const i32x4 0x4b000000 0x4b000000 0x4b000000 0x4b000000)) (i32.const 23)))
  )
  (func $sigmoid4 (param $x v128) (result v128)
    (f32x4.div (v128.const f32x4 1 1 1 1) (f32x4.add (v128.const f32x4 1 1 1 1) (call $exp4 (f32x4.neg (local.get $x)))))
  )
  (func $tanh4 (param $x v128) (result v128)
    (f32x4.sub (f32x4.mul (v128.const f32x4 2 2 2 2) (call $sigmoid4 (f32x4.add (local.get $x) (local.get $x)))) (v128.const f32x4 1 1 1 1))
  )
  (func (export "sigmoid") (param $out i32) (param $x i32) (param $n i32)
    (local $k i32)
    (block $done (loop $l
      (br_if $done (i32.ge_u (i32.add (local.get $k) (i32.const 4)) (i32.add (local.get $n) (i32.const 1))))
      (v128.store align=4 (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2))) (call $sigmoid4 (v128.load align=4 (i32.add (local.get $x) (i32.shl (local.get $k) (i32.const 2))))))
      (local.set $k (i32.add (local.get $k) (i32.const 4)))
      (br $l)))
  )`;


/** Inline σ(x) of the v128 expression `x` into local `dst` (locals $ex_x $ex_n $ex_r $ex_p): V8 does not inline wasm calls. */
function sigmoidInline(dst, x) {
  const c = (v) => `(v128.const f32x4 ${v} ${v} ${v} ${v})`;
  return `
        (local.set $ex_x (f32x4.pmin (f32x4.pmax (f32x4.neg ${x}) ${c(-87.3)}) ${c(88.3)}))
        (local.set $ex_n (f32x4.nearest (f32x4.mul (local.get $ex_x) ${c('1.44269504088896341')})))
        (local.set $ex_r (f32x4.sub (f32x4.sub (local.get $ex_x) (f32x4.mul (local.get $ex_n) ${c(0.693359375)})) (f32x4.mul (local.get $ex_n) ${c('-2.12194440e-4')})))
        (local.set $ex_p (f32x4.add (f32x4.mul ${c('1.9875691500e-4')} (local.get $ex_r)) ${c('1.3981999507e-3')}))
        (local.set $ex_p (f32x4.add (f32x4.mul (local.get $ex_p) (local.get $ex_r)) ${c('8.3334519073e-3')}))
        (local.set $ex_p (f32x4.add (f32x4.mul (local.get $ex_p) (local.get $ex_r)) ${c('4.1665795894e-2')}))
        (local.set $ex_p (f32x4.add (f32x4.mul (local.get $ex_p) (local.get $ex_r)) ${c('1.6666665459e-1')}))
        (local.set $ex_p (f32x4.add (f32x4.mul (local.get $ex_p) (local.get $ex_r)) ${c('5.0000001201e-1')}))
        (local.set $ex_p (f32x4.add (f32x4.add (f32x4.mul (local.get $ex_p) (f32x4.mul (local.get $ex_r) (local.get $ex_r))) (local.get $ex_r)) ${c(1)}))
        (local.set $ex_p (f32x4.mul (local.get $ex_p) (i32x4.shl (i32x4.sub (f32x4.add (local.get $ex_n) (v128.const f32x4 8388735 8388735 8388735 8388735)) (v128.const i32x4 0x4b000000 0x4b000000 0x4b000000 0x4b000000)) (i32.const 23))))
        (local.set ${dst} (f32x4.div ${c(1)} (f32x4.add ${c(1)} (local.get $ex_p))))`;
}

/** Inline tanh(x) = 2σ(2x) − 1 into local `dst`. */
function tanhInline(dst, x) {
  return `${sigmoidInline(dst, `(f32x4.add ${x} ${x})`)}
        (local.set ${dst} (f32x4.sub (f32x4.add (local.get ${dst}) (local.get ${dst})) (v128.const f32x4 1 1 1 1)))`;
}

// One LSTM timestep after the gate product z = [h, x, 1]·[U; W; b] (rows of 4U: i, f, g, o pre-activations),
// units % 4 = 0: z is overwritten with the gates (i, f, g = tanh, o); c = f·c' + i·g (c' = 0 if first),
// tanh(c), h = o·tanh(c) to hout + b·hstride. Addresses in bytes.
const cellForward = `  (func (export "lstm_cell_forward") (param $z i32) (param $cprev i32) (param $cout i32) (param $tout i32) (param $hout i32) (param $hstride i32) (param $batch i32) (param $units i32) (param $first i32)
    (local $b i32) (local $j i32) (local $u4 i32) (local $zrow i32) (local $crow i32) (local $hrow i32)
    (local $i v128) (local $f v128) (local $g v128) (local $o v128) (local $c v128) (local $tc v128)
    (local $ex_x v128) (local $ex_n v128) (local $ex_r v128) (local $ex_p v128)
    (local.set $u4 (i32.shl (local.get $units) (i32.const 2)))
    (block $bdone (loop $bloop
      (br_if $bdone (i32.ge_u (local.get $b) (local.get $batch)))
      (local.set $zrow (i32.add (local.get $z) (i32.mul (local.get $b) (i32.shl (local.get $u4) (i32.const 2)))))
      (local.set $crow (i32.mul (local.get $b) (local.get $u4)))
      (local.set $hrow (i32.add (local.get $hout) (i32.mul (local.get $b) (local.get $hstride))))
      (local.set $j (i32.const 0))
      (block $jdone (loop $jloop
        (br_if $jdone (i32.ge_u (local.get $j) (local.get $u4)))
${sigmoidInline('$i', '(v128.load align=4 (i32.add (local.get $zrow) (local.get $j)))')}
${sigmoidInline('$f', '(v128.load align=4 (i32.add (i32.add (local.get $zrow) (local.get $u4)) (local.get $j)))')}
${tanhInline('$g', '(v128.load align=4 (i32.add (i32.add (local.get $zrow) (i32.shl (local.get $u4) (i32.const 1))) (local.get $j)))')}
${sigmoidInline('$o', '(v128.load align=4 (i32.add (i32.add (local.get $zrow) (i32.mul (local.get $u4) (i32.const 3))) (local.get $j)))')}
        (v128.store align=4 (i32.add (local.get $zrow) (local.get $j)) (local.get $i))
        (v128.store align=4 (i32.add (i32.add (local.get $zrow) (local.get $u4)) (local.get $j)) (local.get $f))
        (v128.store align=4 (i32.add (i32.add (local.get $zrow) (i32.shl (local.get $u4) (i32.const 1))) (local.get $j)) (local.get $g))
        (v128.store align=4 (i32.add (i32.add (local.get $zrow) (i32.mul (local.get $u4) (i32.const 3))) (local.get $j)) (local.get $o))
        (local.set $c (f32x4.mul (local.get $i) (local.get $g)))
        (if (i32.eqz (local.get $first)) (then
          (local.set $c (f32x4.add (f32x4.mul (local.get $f) (v128.load align=4 (i32.add (local.get $cprev) (i32.add (local.get $crow) (local.get $j))))) (local.get $c)))))
${tanhInline('$tc', '(local.get $c)')}
        (v128.store align=4 (i32.add (local.get $cout) (i32.add (local.get $crow) (local.get $j))) (local.get $c))
        (v128.store align=4 (i32.add (local.get $tout) (i32.add (local.get $crow) (local.get $j))) (local.get $tc))
        (v128.store align=4 (i32.add (local.get $hrow) (local.get $j)) (f32x4.mul (local.get $o) (local.get $tc)))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $jloop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bloop)))
  )`;

// BPTT through one timestep (units % 4 = 0): from dh (into h_t) and dc (carried, updated in place to the
// gradient into c_{t-1}) writes dz = d(pre-activations) [B, 4U]; gates [B, 4U] (i, f, g, o), cprev and
// tanhc [B, U]; cprev unused if first.
const cellBackward = `  (func (export "lstm_cell_backward") (param $gates i32) (param $cprev i32) (param $tanhc i32) (param $dh i32) (param $dc i32) (param $dz i32) (param $batch i32) (param $units i32) (param $first i32)
    (local $b i32) (local $j i32) (local $u4 i32) (local $grow i32) (local $crow i32) (local $zrow i32)
    (local $i v128) (local $f v128) (local $g v128) (local $o v128) (local $tc v128) (local $prev v128) (local $dhk v128) (local $dck v128) (local $one v128)
    (local.set $one (v128.const f32x4 1 1 1 1))
    (local.set $u4 (i32.shl (local.get $units) (i32.const 2)))
    (block $bdone (loop $bloop
      (br_if $bdone (i32.ge_u (local.get $b) (local.get $batch)))
      (local.set $grow (i32.add (local.get $gates) (i32.mul (local.get $b) (i32.shl (local.get $u4) (i32.const 2)))))
      (local.set $zrow (i32.add (local.get $dz) (i32.mul (local.get $b) (i32.shl (local.get $u4) (i32.const 2)))))
      (local.set $crow (i32.mul (local.get $b) (local.get $u4)))
      (local.set $j (i32.const 0))
      (block $jdone (loop $jloop
        (br_if $jdone (i32.ge_u (local.get $j) (local.get $u4)))
        (local.set $i (v128.load align=4 (i32.add (local.get $grow) (local.get $j))))
        (local.set $f (v128.load align=4 (i32.add (i32.add (local.get $grow) (local.get $u4)) (local.get $j))))
        (local.set $g (v128.load align=4 (i32.add (i32.add (local.get $grow) (i32.shl (local.get $u4) (i32.const 1))) (local.get $j))))
        (local.set $o (v128.load align=4 (i32.add (i32.add (local.get $grow) (i32.mul (local.get $u4) (i32.const 3))) (local.get $j))))
        (local.set $tc (v128.load align=4 (i32.add (local.get $tanhc) (i32.add (local.get $crow) (local.get $j)))))
        (local.set $prev (if (result v128) (local.get $first) (then (v128.const i32x4 0 0 0 0)) (else (v128.load align=4 (i32.add (local.get $cprev) (i32.add (local.get $crow) (local.get $j)))))))
        (local.set $dhk (v128.load align=4 (i32.add (local.get $dh) (i32.add (local.get $crow) (local.get $j)))))
        (local.set $dck (f32x4.add (v128.load align=4 (i32.add (local.get $dc) (i32.add (local.get $crow) (local.get $j))))
          (f32x4.mul (f32x4.mul (local.get $dhk) (local.get $o)) (f32x4.sub (local.get $one) (f32x4.mul (local.get $tc) (local.get $tc))))))
        (v128.store align=4 (i32.add (local.get $dc) (i32.add (local.get $crow) (local.get $j))) (f32x4.mul (local.get $dck) (local.get $f)))
        (v128.store align=4 (i32.add (local.get $zrow) (local.get $j))
          (f32x4.mul (f32x4.mul (f32x4.mul (local.get $dck) (local.get $g)) (local.get $i)) (f32x4.sub (local.get $one) (local.get $i))))
        (v128.store align=4 (i32.add (i32.add (local.get $zrow) (local.get $u4)) (local.get $j))
          (f32x4.mul (f32x4.mul (f32x4.mul (local.get $dck) (local.get $prev)) (local.get $f)) (f32x4.sub (local.get $one) (local.get $f))))
        (v128.store align=4 (i32.add (i32.add (local.get $zrow) (i32.shl (local.get $u4) (i32.const 1))) (local.get $j))
          (f32x4.mul (f32x4.mul (local.get $dck) (local.get $i)) (f32x4.sub (local.get $one) (f32x4.mul (local.get $g) (local.get $g)))))
        (v128.store align=4 (i32.add (i32.add (local.get $zrow) (i32.mul (local.get $u4) (i32.const 3))) (local.get $j))
          (f32x4.mul (f32x4.mul (f32x4.mul (local.get $dhk) (local.get $tc)) (local.get $o)) (f32x4.sub (local.get $one) (local.get $o))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $jloop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bloop)))
  )`;

// ---- Winograd F(m, r) 1D convolution transforms, m + r − 1 = 8 -----------------------------------------
// The 8 interpolation points 0, 1, −1, 2, −2, ½, −½, ∞ serve every filter size r = 2..7 (m = 9 − r
// outputs per tile): y = Aᵀ[(G·g) ⊙ (Bᵀ·d)] with Bᵀ = (E⁻¹)ᵀ for the evaluation matrix E of the points
// (rows scaled to small integers; G carries the inverse scales, see src/winograd-conv1d.ts) and
// Aᵀ[i][α] = p_α^i (the ∞ column is e_{m−1}). The sums run in the fixed order written here.
export const WINOGRAD_POINTS = [0, 1, -1, 2, -2, 0.5, -0.5];
export const WINOGRAD_BT = [
  [4, 0, -21, 0, 21, 0, -4, 0],
  [0, -4, -4, 17, 17, -4, -4, 0],
  [0, 4, -4, -17, 17, 4, -4, 0],
  [0, 2, 1, -10, -5, 8, 4, 0],
  [0, -2, 1, 10, -5, -8, 4, 0],
  [0, 4, 8, -5, -10, 1, 2, 0],
  [0, -4, 8, 5, -10, -1, 2, 0],
  [0, -4, 0, 21, 0, -21, 0, 4],
];

/** Σ_j coefficient_j · v_j as a v128 expression, terms in the given order (zeros skipped). */
function linear(terms) {
  const c = (v) => `(v128.const f32x4 ${v} ${v} ${v} ${v})`;
  let expr;
  for (const [coefficient, v] of terms) {
    if (coefficient === 0) continue;
    const magnitude = Math.abs(coefficient);
    const product = magnitude === 1 ? v : `(f32x4.mul ${c(magnitude)} ${v})`;
    if (expr === undefined) expr = coefficient < 0 ? (magnitude === 1 ? `(f32x4.neg ${v})` : `(f32x4.mul ${c(coefficient)} ${v})`) : product;
    else expr = `(${coefficient < 0 ? 'f32x4.sub' : 'f32x4.add'} ${expr} ${product})`;
  }
  return expr ?? '(v128.const i32x4 0 0 0 0)';
}

// U[α][t][c] (at u + α·ustride + 4(t·ci + c)) = Σ_j Bᵀ[α][j] · x[t·m + j][c] for t < tiles, c < ci
// (ci % 4 = 0); x rows of ci floats from x; every row t·m .. t·m + 7 must exist.
const winogradInput = (() => {
  const L = [];
  L.push('  (func (export "winograd8_input") (param $u i32) (param $ustride i32) (param $x i32) (param $tiles i32) (param $m i32) (param $ci i32)');
  L.push('    (local $t i32) (local $c i32) (local $rs i32) (local $xt i32) (local $ut i32) (local $p i32) (local $o i32)');
  for (let j = 0; j < 8; j++) L.push(`    (local $d${j} v128)`);
  L.push('    (local.set $rs (i32.shl (local.get $ci) (i32.const 2)))');
  L.push('    (block $tdone (loop $tloop');
  L.push('      (br_if $tdone (i32.ge_u (local.get $t) (local.get $tiles)))');
  L.push('      (local.set $xt (i32.add (local.get $x) (i32.mul (i32.mul (local.get $t) (local.get $m)) (local.get $rs))))');
  L.push('      (local.set $ut (i32.add (local.get $u) (i32.mul (local.get $t) (local.get $rs))))');
  L.push('      (local.set $c (i32.const 0))');
  L.push('      (block $cdone (loop $cloop');
  L.push('        (br_if $cdone (i32.ge_u (local.get $c) (local.get $rs)))');
  L.push('        (local.set $p (i32.add (local.get $xt) (local.get $c)))');
  for (let j = 0; j < 8; j++) {
    L.push(`        (local.set $d${j} (v128.load align=4 (local.get $p)))`);
    if (j < 7) L.push('        (local.set $p (i32.add (local.get $p) (local.get $rs)))');
  }
  L.push('        (local.set $o (i32.add (local.get $ut) (local.get $c)))');
  for (let a = 0; a < 8; a++) {
    L.push(`        (v128.store align=4 (local.get $o) ${linear(WINOGRAD_BT[a].map((b, j) => [b, `(local.get $d${j})`]))})`);
    if (a < 7) L.push('        (local.set $o (i32.add (local.get $o) (local.get $ustride)))');
  }
  L.push('        (local.set $c (i32.add (local.get $c) (i32.const 16)))');
  L.push('        (br $cloop)))');
  L.push('      (local.set $t (i32.add (local.get $t) (i32.const 1)))');
  L.push('      (br $tloop)))');
  L.push('  )');
  return L.join('\n');
})();

// y[t·m + i][c] (at y + 4((t·m + i)·co + c)) = Σ_α Aᵀ[i][α] · M[α][t][c] (at mp + α·mstride + 4(t·co + c))
// (+ bias[c] if flags & 2, then max(·, 0) if flags & 4) for t < tiles, i < m (the last tile: i < last),
// c < co (co % 4 = 0), m ≤ 7. Fused consumers of y (`mode`):
// - 'store': y as above;
// - 'max2': max-pooling by 2 (m even): pooled[(t·m + i) / 2] = max(y[t·m + i], y[t·m + i + 1]) for even
//   i with i + 1 < rows (a last odd row is dropped, as `valid` pooling does);
// - 'sum': sum[c] += y[t·m + i][c] in order of t, then i (the order of reduce_middle over the rows).
function winogradOutput(mode) {
  const name = { store: 'winograd8_output', max2: 'winograd8_output_max2', sum: 'winograd8_output_sum' }[mode];
  const L = [];
  L.push(`  (func (export "${name}") (param $y i32) (param $mp i32) (param $mstride i32) (param $tiles i32) (param $m i32) (param $last i32) (param $co i32) (param $bias i32) (param $flags i32)`);
  L.push('    (local $t i32) (local $c i32) (local $rs i32) (local $rows i32) (local $yt i32) (local $mt i32) (local $p i32) (local $q i32) (local $b v128) (local $v v128) (local $prev v128) (local $s v128)');
  for (let a = 0; a < 8; a++) L.push(`    (local $m${a} v128)`);
  L.push('    (local.set $rs (i32.shl (local.get $co) (i32.const 2)))');
  L.push('    (block $tdone (loop $tloop');
  L.push('      (br_if $tdone (i32.ge_u (local.get $t) (local.get $tiles)))');
  L.push('      (local.set $rows (select (local.get $last) (local.get $m) (i32.eq (local.get $t) (i32.sub (local.get $tiles) (i32.const 1)))))');
  if (mode === 'store') L.push('      (local.set $yt (i32.add (local.get $y) (i32.mul (i32.mul (local.get $t) (local.get $m)) (local.get $rs))))');
  if (mode === 'max2') L.push('      (local.set $yt (i32.add (local.get $y) (i32.mul (i32.mul (local.get $t) (i32.shr_u (local.get $m) (i32.const 1))) (local.get $rs))))');
  if (mode === 'sum') L.push('      (local.set $yt (local.get $y))');
  L.push('      (local.set $mt (i32.add (local.get $mp) (i32.mul (local.get $t) (local.get $rs))))');
  L.push('      (local.set $c (i32.const 0))');
  L.push('      (block $cdone (loop $cloop');
  L.push('        (br_if $cdone (i32.ge_u (local.get $c) (local.get $rs)))');
  L.push('        (local.set $p (i32.add (local.get $mt) (local.get $c)))');
  for (let a = 0; a < 8; a++) {
    L.push(`        (local.set $m${a} (v128.load align=4 (local.get $p)))`);
    if (a < 7) L.push('        (local.set $p (i32.add (local.get $p) (local.get $mstride)))');
  }
  L.push('        (local.set $b (if (result v128) (i32.and (local.get $flags) (i32.const 2)) (then (v128.load align=4 (i32.add (local.get $bias) (local.get $c)))) (else (v128.const i32x4 0 0 0 0))))');
  L.push('        (local.set $q (i32.add (local.get $yt) (local.get $c)))');
  if (mode === 'sum') L.push('        (local.set $s (v128.load align=4 (local.get $q)))');
  L.push('        (block $idone');
  for (let i = 0; i < 7; i++) {
    L.push(`          (br_if $idone (i32.ge_u (i32.const ${mode === 'max2' && i % 2 === 0 ? i + 1 : i}) (local.get $rows)))`);
    L.push(`          (local.set $v ${linear(WINOGRAD_POINTS.map((p, a) => [p ** i, `(local.get $m${a})`]))})`);
    L.push(`          (if (i32.eq (local.get $m) (i32.const ${i + 1})) (then (local.set $v (f32x4.add (local.get $v) (local.get $m7)))))`);
    L.push('          (if (i32.and (local.get $flags) (i32.const 2)) (then (local.set $v (f32x4.add (local.get $v) (local.get $b)))))');
    L.push('          (if (i32.and (local.get $flags) (i32.const 4)) (then (local.set $v (f32x4.pmax (v128.const i32x4 0 0 0 0) (local.get $v)))))');
    if (mode === 'store') {
      L.push('          (v128.store align=4 (local.get $q) (local.get $v))');
      if (i < 6) L.push('          (local.set $q (i32.add (local.get $q) (local.get $rs)))');
    } else if (mode === 'max2') {
      if (i % 2 === 0) L.push('          (local.set $prev (local.get $v))');
      else {
        L.push('          (v128.store align=4 (local.get $q) (f32x4.pmax (local.get $prev) (local.get $v)))');
        if (i < 5) L.push('          (local.set $q (i32.add (local.get $q) (local.get $rs)))');
      }
    } else {
      L.push('          (local.set $s (f32x4.add (local.get $s) (local.get $v)))');
    }
  }
  L.push('        )');
  if (mode === 'sum') L.push('        (v128.store align=4 (local.get $q) (local.get $s))');
  L.push('        (local.set $c (i32.add (local.get $c) (i32.const 16)))');
  L.push('        (br $cloop)))');
  L.push('      (local.set $t (i32.add (local.get $t) (i32.const 1)))');
  L.push('      (br $tloop)))');
  L.push('  )');
  return L.join('\n');
}

// ---- single-input-channel 1D convolution ---------------------------------------------------------------
// For ci = 1 (a first layer on a raw signal) the filter [K, 1, co] is kept in registers, 4 output channels
// at a time: y[t][c] = Σ_{k<K} x[t + k] · w[k][c] (in order of k, from 0: the GEMM's order, so the same
// bits) (+ bias[c] if flags & 2, max(·, 0) if flags & 4), t < n; pool = 1 stores max(y[2t'], y[2t' + 1])
// at row t' < ⌊n / 2⌋ instead. Rows of co floats at y; x holds n + K − 1 floats.
const SINGLE_CHANNEL_TAPS = [2, 3, 4, 5, 6, 7, 8];
function singleChannelConv(K) {
  const L = [];
  const splat = (j) => `(v128.load32_splat offset=${4 * j} (local.get $xs))`;
  L.push(`  (func (export "conv1_k${K}") (param $y i32) (param $x i32) (param $n i32) (param $co i32) (param $w i32) (param $bias i32) (param $flags i32) (param $pool i32)`);
  L.push('    (local $c i32) (local $rs i32) (local $t i32) (local $xs i32) (local $yp i32) (local $b v128) (local $s v128) (local $acc0 v128) (local $acc1 v128)');
  for (let k = 0; k < K; k++) L.push(`    (local $w${k} v128)`);
  L.push('    (local.set $rs (i32.shl (local.get $co) (i32.const 2)))');
  L.push('    (block $cdone (loop $cloop');
  L.push('      (br_if $cdone (i32.ge_u (local.get $c) (local.get $rs)))');
  for (let k = 0; k < K; k++) L.push(`      (local.set $w${k} (v128.load align=4 (i32.add (local.get $w) (i32.add (i32.mul (local.get $rs) (i32.const ${k})) (local.get $c)))))`);
  L.push('      (local.set $b (if (result v128) (i32.and (local.get $flags) (i32.const 2)) (then (v128.load align=4 (i32.add (local.get $bias) (local.get $c)))) (else (v128.const i32x4 0 0 0 0))))');
  L.push('      (local.set $xs (local.get $x))');
  L.push('      (local.set $yp (i32.add (local.get $y) (local.get $c)))');
  L.push('      (local.set $t (i32.const 0))');
  const finish = (acc) => [
    `          (if (i32.and (local.get $flags) (i32.const 2)) (then (local.set ${acc} (f32x4.add (local.get ${acc}) (local.get $b)))))`,
    `          (if (i32.and (local.get $flags) (i32.const 4)) (then (local.set ${acc} (f32x4.pmax (v128.const i32x4 0 0 0 0) (local.get ${acc})))))`,
  ];
  L.push('      (if (local.get $pool) (then');
  L.push('        (block $pdone (loop $ploop');
  L.push('          (br_if $pdone (i32.ge_u (i32.add (local.get $t) (i32.const 1)) (local.get $n)))');
  L.push('          (local.set $acc0 (v128.const i32x4 0 0 0 0)) (local.set $acc1 (v128.const i32x4 0 0 0 0))');
  for (let j = 0; j <= K; j++) {
    L.push(`          (local.set $s ${splat(j)})`);
    if (j < K) L.push(`          (local.set $acc0 (f32x4.add (local.get $acc0) (f32x4.mul (local.get $s) (local.get $w${j}))))`);
    if (j >= 1) L.push(`          (local.set $acc1 (f32x4.add (local.get $acc1) (f32x4.mul (local.get $s) (local.get $w${j - 1}))))`);
  }
  L.push(...finish('$acc0'), ...finish('$acc1'));
  L.push('          (v128.store align=4 (local.get $yp) (f32x4.pmax (local.get $acc0) (local.get $acc1)))');
  L.push('          (local.set $yp (i32.add (local.get $yp) (local.get $rs)))');
  L.push('          (local.set $xs (i32.add (local.get $xs) (i32.const 8)))');
  L.push('          (local.set $t (i32.add (local.get $t) (i32.const 2)))');
  L.push('          (br $ploop))))');
  L.push('      (else');
  L.push('        (block $odone (loop $oloop');
  L.push('          (br_if $odone (i32.ge_u (local.get $t) (local.get $n)))');
  L.push('          (local.set $acc0 (v128.const i32x4 0 0 0 0))');
  for (let j = 0; j < K; j++) L.push(`          (local.set $acc0 (f32x4.add (local.get $acc0) (f32x4.mul ${splat(j)} (local.get $w${j}))))`);
  L.push(...finish('$acc0'));
  L.push('          (v128.store align=4 (local.get $yp) (local.get $acc0))');
  L.push('          (local.set $yp (i32.add (local.get $yp) (local.get $rs)))');
  L.push('          (local.set $xs (i32.add (local.get $xs) (i32.const 4)))');
  L.push('          (local.set $t (i32.add (local.get $t) (i32.const 1)))');
  L.push('          (br $oloop)))))');
  L.push('      (local.set $c (i32.add (local.get $c) (i32.const 16)))');
  L.push('      (br $cloop)))');
  L.push('  )');
  return L.join('\n');
}

/** The whole module's text. */
export function kernelWat() {
  const tiles = [];
  for (const R of [...new Set([MAIN_ROWS, 1])]) for (const V of [...new Set([MAIN_VECTORS, 1, 0])]) tiles.push(tile(R, V));
  return [
    ';; Generated by scripts/build-wasm.mjs: do not edit. WebAssembly SIMD kernels for @pipeline/tf that',
    ';; work in place on the tfjs wasm backend\'s heap (the memory is imported).',
    '(module',
    '  (import "env" "memory" (memory 1))',
    ...tiles,
    gemm(),
    reduceMiddle,
    maxPoolGrad1d,
    expSigmoid,
    cellForward,
    cellBackward,
    winogradInput,
    winogradOutput('store'),
    winogradOutput('max2'),
    winogradOutput('sum'),
    ...SINGLE_CHANNEL_TAPS.map(singleChannelConv),
    ')',
    '',
  ].join('\n');
}

/** The wasm bytes of the module. */
export async function assembleKernel(wat = kernelWat()) {
  const wabt = await wabtInit();
  const module = wabt.parseWat('simd-kernels.wat', wat, { simd: true });
  try {
    module.validate();
    const bytes = new Uint8Array(module.toBinary({}).buffer);
    new WebAssembly.Module(bytes);
    return bytes;
  } finally {
    module.destroy();
  }
}

export function kernelModuleSource(bytes) {
  return [
    '// Generated by scripts/build-wasm.mjs (src/simd-kernels.wat): do not edit.',
    '/** The WebAssembly SIMD kernels of simd-kernels.wat, base64. */',
    `export const SIMD_KERNELS_WASM = '${Buffer.from(bytes).toString('base64')}';`,
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const wat = kernelWat();
  const bytes = await assembleKernel(wat);
  writeFileSync(join(src, 'simd-kernels.wat'), wat);
  writeFileSync(join(src, 'simd-kernels-wasm.ts'), kernelModuleSource(bytes));
  process.stdout.write(`simd-kernels-wasm.ts: ${bytes.length} bytes of wasm\n`);
}
