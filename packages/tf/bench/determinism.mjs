// Same seed → byte-identical weights: trains the bench's CNN1D and LSTM for one epoch on 256 seeded
// random examples and prints the sha256 of every weight's bytes, then the sha256 of the trained model's
// predictions on the same examples (the inference kernels: Winograd convs, fused pooling). Run twice
// (separate processes, and on Node 20 and 26) and compare. Usage: node bench/determinism.mjs
import { createHash } from 'node:crypto';
import { createRng, matrix } from '@pipeline/core';
import { fitStandardization, initializeWeights, predictClassifier, selectBackend, signalSource, tf, trainClassifier } from '../dist/index.js';
import { MODELS } from './models.mjs';

await selectBackend({ backend: 'wasm' });
for (const name of ['cnn1d', 'lstm']) {
  const spec = MODELS[name];
  let network;
  tf.tidy(() => {
    network = spec.build();
  });
  initializeWeights(network, 7);
  const rng = createRng(3);
  const n = 256;
  const features = matrix(n, spec.steps, Float32Array.from({ length: n * spec.steps }, () => rng.normal()));
  const labels = Int32Array.from({ length: n }, () => rng.int(3));
  const layout = { channels: 1, downsample: 1 };
  const rows = Array.from({ length: n }, (_, i) => i);
  const source = signalSource(features, layout, fitStandardization(features, rows, layout));
  await trainClassifier(network, source, { labels, classes: 3, epochs: 1, batchSize: spec.batch, seed: 5 });
  const hash = createHash('sha256');
  for (const w of network.getWeights()) hash.update(Buffer.from((w.dataSync()).buffer));
  process.stdout.write(`${name} ${hash.digest('hex')}\n`);
  const predictions = await predictClassifier(network, source, { batchSize: spec.batch, classes: 3 });
  process.stdout.write(`${name} predictions ${createHash('sha256').update(Buffer.from(predictions.buffer)).digest('hex')}\n`);
}
