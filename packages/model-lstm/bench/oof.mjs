// pnpm bench (in packages/model-lstm): the LSTM's share of `train --with-lstm --lstm-fast --splits 3`
// on demo-sized data (5000 rows × 1250 samples): 3 OOF fits + predictions and the refit, timed.
// Writes bench/results/model-lstm.{json,md} at the repository root. Build first.
//   node bench/oof.mjs [--fast|--default] [--epochs N]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lstmClassifier } from '../dist/index.js';
import { timeOof } from '../../tf/bench/oof-timing.mjs';

const args = process.argv.slice(2);
const fast = !args.includes('--default');
const epochsAt = args.indexOf('--epochs');
const spec = lstmClassifier({ fast, ...(epochsAt >= 0 ? { epochs: Number(args[epochsAt + 1]) } : {}) });
const result = await timeOof(spec);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/model-lstm.json'), `${JSON.stringify({ date: new Date().toISOString(), ...result }, null, 2)}\n`);
const md = [
  `# @pipeline/model-lstm: 3-fold OOF + refit on ${result.rows} × ${result.steps} (${fast ? 'fast preset' : 'defaults'}, ${result.backend})`,
  '',
  `${new Date().toISOString()}: total ${result.totalS.toFixed(1)} s wall, ${result.totalCpuS.toFixed(1)} s CPU, peak RSS ${result.peakRssMB} MB`,
  '',
  '| part | fit s | predict s |',
  '|---|---|---|',
  ...result.folds.map((f) => `| fold ${f.fold} | ${f.fitS.toFixed(1)} | ${f.predictS.toFixed(1)} |`),
  `| refit | ${result.refitS.toFixed(1)} | |`,
  '',
  `args: \`${JSON.stringify(result.args)}\``,
  '',
];
writeFileSync(join(root, 'bench/results/model-lstm.md'), md.join('\n'));
process.stdout.write(md.join('\n'));
