// pnpm bench (in packages/model-cnn): the CNN's share of `train --with-cnn --splits 3`
// on demo-sized data (5000 rows × 1250 samples): 3 OOF fits + predictions and the refit, timed.
// Writes bench/results/model-cnn.{json,md} at the repository root. Build first.
//   node bench/oof.mjs [--epochs N]   (the default 20 epochs take long on wasm; --epochs 1 and
//   scale the fit times by 20 for an estimate)
import { cnnClassifier } from '../dist/index.js';
import { timeOof, writeOofResults } from '../../tf/bench/oof-timing.mjs';

const args = process.argv.slice(2);
const epochsAt = args.indexOf('--epochs');
const spec = cnnClassifier(epochsAt >= 0 ? { epochs: Number(args[epochsAt + 1]) } : {});
const result = await timeOof(spec);
writeOofResults('model-cnn', `# @pipeline/model-cnn: 3-fold OOF + refit on ${result.rows} × ${result.steps} (epochs ${result.args.epochs}, ${result.backend})`, result);
