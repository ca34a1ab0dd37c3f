// Worker of bench/wavedec.mjs: decomposes rows [start, end) of the shared input into the bands it is sent.
import { parentPort, workerData } from 'node:worker_threads';
import { WavedecPlan, getWavelet } from '../dist/index.js';

const { input, n } = workerData;
const data = new Float32Array(input);
const plan = new WavedecPlan(n, getWavelet('db4'), 'symmetric', 5);
const scratch = plan.lengths.map((length) => new Float64Array(length));
parentPort.on('message', ({ bands, start, end }) => {
  const out = bands.map((buffer) => new Float32Array(buffer));
  for (let r = start; r < end; r++) {
    plan.run(data, r * n, scratch, 0);
    for (let b = 0; b < out.length; b++) out[b].set(scratch[b], r * plan.lengths[b]);
  }
  parentPort.postMessage('done');
});
