// The seed's CNN1D and LSTM shapes (the torch peer's, bench/torch_peers.py), built with explicit layer names.
import { initializeWeights, selectBackend, tf } from '../dist/index.js';

export const MODELS = {
  cnn1d: {
    steps: 1250,
    batch: 64,
    params: 35651,
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.conv1d({ name: 'conv1', inputShape: [1250, 1], filters: 32, kernelSize: 7, activation: 'relu', kernelInitializer: 'zeros' }),
          tf.layers.maxPooling1d({ name: 'pool1', poolSize: 2 }),
          tf.layers.conv1d({ name: 'conv2', filters: 64, kernelSize: 5, activation: 'relu', kernelInitializer: 'zeros' }),
          tf.layers.maxPooling1d({ name: 'pool2', poolSize: 2 }),
          tf.layers.conv1d({ name: 'conv3', filters: 128, kernelSize: 3, activation: 'relu', kernelInitializer: 'zeros' }),
          tf.layers.globalAveragePooling1d({ name: 'gap' }),
          tf.layers.dense({ name: 'output', units: 3, activation: 'softmax', kernelInitializer: 'zeros' }),
        ],
      }),
  },
  // model-cnn's issue-20 default architecture (downsample 2 → 625 steps): Conv1D(k 9, no bias) →
  // BatchNorm → ReLU blocks of 16/32/64 filters, max-pooling by 4 between them (not in the torch peer)
  cnn_default: {
    steps: 625,
    batch: 64,
    params: 23827,
    build: () => {
      const layers = [];
      [16, 32, 64].forEach((filters, k) => {
        layers.push(tf.layers.conv1d({ name: `conv${k + 1}`, ...(k === 0 ? { inputShape: [625, 1] } : {}), filters, kernelSize: 9, activation: 'linear', useBias: false, kernelInitializer: 'zeros' }));
        layers.push(tf.layers.batchNormalization({ name: `conv${k + 1}_bn`, momentum: 0.9, epsilon: 1e-3 }));
        layers.push(tf.layers.activation({ name: `conv${k + 1}_relu`, activation: 'relu' }));
        if (k < 2) layers.push(tf.layers.maxPooling1d({ name: `pool${k + 1}`, poolSize: 4 }));
      });
      layers.push(tf.layers.globalAveragePooling1d({ name: 'gap' }));
      layers.push(tf.layers.dense({ name: 'output', units: 3, activation: 'softmax', kernelInitializer: 'zeros' }));
      return tf.sequential({ layers });
    },
  },
  lstm: {
    steps: 250,
    batch: 32,
    // torch's LSTM has two bias vectors (b_ih, b_hh): 19,331 parameters; Keras/tfjs has one: 19,075
    params: 19075,
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.lstm({ name: 'lstm', inputShape: [250, 1], units: 64, recurrentActivation: 'sigmoid', kernelInitializer: 'zeros', recurrentInitializer: 'zeros' }),
          tf.layers.dense({ name: 'dense', units: 32, activation: 'relu', kernelInitializer: 'zeros' }),
          tf.layers.dense({ name: 'output', units: 3, activation: 'softmax', kernelInitializer: 'zeros' }),
        ],
      }),
  },
};


/**
 * The bench network `name` of {@link MODELS} on the wasm backend with seeded initial weights:
 * `{ spec, network }` (throws for an unknown name).
 */
export async function buildBenchNetwork(name, seed = 0) {
  const spec = MODELS[name];
  if (spec === undefined) throw new Error(`unknown model ${name} (one of ${Object.keys(MODELS).join(', ')})`);
  await selectBackend({ backend: 'wasm' });
  let network;
  tf.tidy(() => {
    network = spec.build();
  });
  initializeWeights(network, seed);
  return { spec, network };
}
