/**
 * The one TensorFlow.js instance of the workspace. Model packages import `tf` from here (never from
 * `@tensorflow/tfjs` directly), so every package registers layers, kernels and backends on the same
 * tfjs-core.
 */
import * as tf from '@tensorflow/tfjs';

export { tf };
