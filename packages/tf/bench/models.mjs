// The seed's CNN1D and LSTM shapes (the torch peer's, bench/torch_peers.py), built with explicit layer names.
import { tf } from '../dist/index.js';

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

