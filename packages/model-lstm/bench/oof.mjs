// pnpm bench (in packages/model-lstm): the LSTM's share of `train --with-lstm --lstm-fast --splits 3`
// on demo-sized data (5000 rows × 1250 samples): 3 OOF fits + predictions and the refit, timed.
// Writes bench/results/model-lstm.{json,md} at the repository root. Build first.
//   node bench/oof.mjs [--fast|--default] [--epochs N]
import { lstmClassifier } from '../dist/index.js';
import { timeOof, writeOofResults } from '../../tf/bench/oof-timing.mjs';

const args = process.argv.slice(2);
const fast = !args.includes('--default');
const epochsAt = args.indexOf('--epochs');
const spec = lstmClassifier({ fast, ...(epochsAt >= 0 ? { epochs: Number(args[epochsAt + 1]) } : {}) });
const result = await timeOof(spec);
writeOofResults('model-lstm', `# @pipeline/model-lstm: 3-fold OOF + refit on ${result.rows} × ${result.steps} (${fast ? 'fast preset' : 'defaults'}, ${result.backend})`, result);
