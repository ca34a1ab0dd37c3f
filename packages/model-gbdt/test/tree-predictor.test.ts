import { describe, expect, it } from '@jest/globals';
import { createRng, matrix, type Matrix, type Rng } from '@pipeline/core';
import { TreeEnsembleBuilder, predictRaw, type NodeRecord, type TreeEnsemble } from '../src/tree-ensemble.js';

/**
 * A random tree of `leaves` leaves in the grower's order (root first, every left child directly
 * followed by its right one, children after their parent): random features, thresholds drawn from
 * `grid` (values the features take, so ties x === threshold happen) or +Infinity, random
 * missing-value directions.
 */
function randomTree(rng: Rng, leaves: number, nFeatures: number, grid: readonly number[]): NodeRecord[] {
  const nodes: NodeRecord[] = [{ feature: -1, threshold: 0, binThreshold: 0, missingLeft: false, left: -1, value: 0, gain: 0, count: 0 }];
  const open = [0];
  while (open.length > 0 && nodes.length < 2 * leaves - 1) {
    const j = open.splice(rng.int(open.length), 1)[0]!;
    const node = nodes[j]!;
    node.feature = rng.int(nFeatures);
    node.threshold = rng.uniform() < 0.05 ? Infinity : grid[rng.int(grid.length)]!;
    node.missingLeft = rng.uniform() < 0.5;
    node.left = nodes.length;
    for (let c = 0; c < 2; c++) {
      open.push(nodes.length);
      nodes.push({ feature: -1, threshold: 0, binThreshold: 0, missingLeft: false, left: -1, value: 0, gain: 0, count: 0 });
    }
  }
  for (const node of nodes) if (node.feature < 0) node.value = rng.normal() * 0.1;
  return nodes;
}

/** The plain walk, written independently of the package: x <= threshold, or NaN and missingLeft, goes left. */
function referenceRaw(ensemble: TreeEnsemble, baseline: Float64Array, features: Matrix, nTrees: number): Float64Array {
  const K = ensemble.nTreesPerIteration;
  const { rows, cols, data } = features;
  const raw = new Float64Array(K * rows);
  for (let i = 0; i < rows; i++) {
    for (let k = 0; k < K; k++) raw[k * rows + i] = baseline[k]!;
    for (let t = 0; t < nTrees; t++) {
      let node = ensemble.treeStart[t]!;
      while (ensemble.feature[node]! >= 0) {
        const x = data[i * cols + ensemble.feature[node]!]!;
        const goLeft = x <= ensemble.threshold[node]! || (Number.isNaN(x) && ensemble.missingLeft[node] === 1);
        node = ensemble.left[node]! + (goLeft ? 0 : 1);
      }
      raw[(t % K) * rows + i]! += ensemble.value[node]!;
    }
  }
  return raw;
}

function randomFeatures(rng: Rng, rows: number, cols: number, grid: readonly number[]): Matrix {
  const data = new Float32Array(rows * cols);
  for (let j = 0; j < data.length; j++) {
    const u = rng.uniform();
    data[j] = u < 0.1 ? Number.NaN : u < 0.12 ? Infinity : u < 0.14 ? -Infinity : u < 0.5 ? grid[rng.int(grid.length)]! : rng.normal();
  }
  return matrix(rows, cols, data);
}

describe('predictRaw (wasm kernel, several rows per tree walk)', () => {
  it.each([
    [1, 37, 5],
    [3, 203, 121],
    [7, 1, 9],
  ])('gives the bits of a plain walk: %i trees per iteration, %i rows, %i features', (K, rows, cols) => {
    const rng = createRng(K * 1000 + rows);
    // float32 values, so x === threshold happens exactly
    const grid = Array.from({ length: 9 }, () => Math.fround(rng.normal()));
    const builder = new TreeEnsembleBuilder(K);
    const nIter = 12;
    for (let t = 0; t < nIter * K; t++) builder.addTree(randomTree(rng, 1 + rng.int(40), cols, grid));
    const ensemble = builder.build();
    const baseline = Float64Array.from({ length: K }, () => rng.normal());
    const features = randomFeatures(rng, rows, cols, grid);
    for (const iterations of [nIter, 5, 0]) {
      const got = predictRaw(ensemble, baseline, features, iterations);
      const want = referenceRaw(ensemble, baseline, features, iterations * K);
      expect(Buffer.from(got.buffer).equals(Buffer.from(want.buffer))).toBe(true);
    }
  });

  it('predicts more rows than one chunk of the kernel memory the same way', () => {
    const rng = createRng(11);
    const grid = Array.from({ length: 5 }, () => Math.fround(rng.normal()));
    const builder = new TreeEnsembleBuilder(2);
    for (let t = 0; t < 6; t++) builder.addTree(randomTree(rng, 31, 300, grid));
    const ensemble = builder.build();
    const baseline = Float64Array.of(0.5, -0.25);
    // 300 float32 features + 2 scores per row: about 3,400 rows per 4 MiB chunk
    const features = randomFeatures(rng, 9000, 300, grid);
    const got = predictRaw(ensemble, baseline, features, 3);
    const want = referenceRaw(ensemble, baseline, features, 6);
    expect(Buffer.from(got.buffer).equals(Buffer.from(want.buffer))).toBe(true);
  });
});
