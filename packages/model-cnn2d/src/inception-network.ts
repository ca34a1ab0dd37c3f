import { tf } from '@pipeline/tf';
import type { Cnn2dArgs } from './cnn2d-args.js';

/**
 * The 2D CNN: input [height, width, 1] → Conv2D(stemFilters, 3×3, relu) → MaxPool 2×2 → `blocks`
 * Inception-style blocks (parallel 1×1 | 1×1→3×3 | 1×1→5×5 | 3×3 max pool→1×1 branches of
 * `branchFilters` each, relu, concatenated; 2×2 max pooling between blocks) → average over
 * the time axis (columns), keeping the frequency rows → Dense(classes, softmax). Every layer is named and built with `zeros` kernels: weights are set
 * from the seed by `@pipeline/tf`'s `initializeWeights`.
 */
export function inceptionNetwork(args: Pick<Cnn2dArgs, 'height' | 'width' | 'stemFilters' | 'blocks' | 'branchFilters'>, classes: number): tf.LayersModel {
  const conv = (name: string, filters: number, size: number) =>
    tf.layers.conv2d({ name, filters, kernelSize: size, padding: 'same', activation: 'relu', kernelInitializer: 'zeros' });
  const input = tf.input({ shape: [args.height, args.width, 1], name: 'image' });
  let x = conv('stem', args.stemFilters, 3).apply(input) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ name: 'stem_pool', poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  for (let b = 1; b <= args.blocks; b++) {
    const f = args.branchFilters;
    const p = `block${b}`;
    const b1 = conv(`${p}_1x1`, f, 1).apply(x) as tf.SymbolicTensor;
    const b3 = conv(`${p}_3x3`, f, 3).apply(conv(`${p}_3x3_reduce`, f, 1).apply(x)) as tf.SymbolicTensor;
    const b5 = conv(`${p}_5x5`, f, 5).apply(conv(`${p}_5x5_reduce`, f, 1).apply(x)) as tf.SymbolicTensor;
    const pooled = tf.layers.maxPooling2d({ name: `${p}_pool`, poolSize: 3, strides: 1, padding: 'same' }).apply(x);
    const bp = conv(`${p}_pool_proj`, f, 1).apply(pooled) as tf.SymbolicTensor;
    x = tf.layers.concatenate({ name: `${p}_concat`, axis: -1 }).apply([b1, b3, b5, bp]) as tf.SymbolicTensor;
    if (b < args.blocks) x = tf.layers.maxPooling2d({ name: `${p}_downsample`, poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  }
  // Average over time (columns) only: the frequency position of a band is what tells spectrograms apart,
  // and a global average over both axes would discard it.
  let columns = args.width;
  for (let k = 0; k < args.blocks; k++) columns = Math.floor(columns / 2);
  x = tf.layers.averagePooling2d({ name: 'time_pool', poolSize: [1, columns], strides: [1, columns] }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
  const output = tf.layers.dense({ name: 'output', units: classes, activation: 'softmax', kernelInitializer: 'zeros' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ name: 'cnn2d_inception', inputs: input, outputs: output });
}
