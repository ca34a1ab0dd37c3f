// Worker of bench/wavedec.mjs: decomposes rows [start, end) of the shared input into the shared
// float32 bands it is sent. reuse: through wavedecRows({ out }) on views of its rows (the library
// path); otherwise a plan and one row of scratch, as before.
import { parentPort, workerData } from 'node:worker_threads';
import { WavedecPlan, getWavelet, wavedecRows } from '../dist/index.js';

const { input, n } = workerData;
const data = new Float32Array(input);
const plan = new WavedecPlan(n, getWavelet('db4'), 'symmetric', 5);
const scratch = plan.lengths.map((length) => new Float64Array(length));
parentPort.on('message', ({ bands, reuse, start, end }) => {
  const out = bands.map((buffer) => new Float32Array(buffer));
  if (reuse) {
    const rows = { rows: end - start, cols: n, data: data.subarray(start * n, end * n) };
    const views = out.map((band, b) => band.subarray(start * plan.lengths[b], end * plan.lengths[b]));
    wavedecRows(rows, 'db4', { level: 5, dtype: 'float32', out: views });
  } else {
    for (let r = start; r < end; r++) {
      plan.run(data, r * n, scratch, 0);
      for (let b = 0; b < out.length; b++) out[b].set(scratch[b], r * plan.lengths[b]);
    }
  }
  parentPort.postMessage('done');
});
