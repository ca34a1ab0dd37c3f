// Runnable example: node packages/eeg/examples/quickstart.mjs [outDir]   (after `pnpm --filter @pipeline/eeg build`)
// Generates a tiny synthetic seizure set, inspects one EDF, builds train/validation window sets,
// draws a balanced batch and logs a scalar to TensorBoard.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  balancedBatchOrder,
  generateSeizureDemo,
  inspectEdf,
  loadSeizureData,
  renderEdfInspection,
  splitRecordings,
  SummaryWriter,
} from '@pipeline/eeg';

const outDir = process.argv[2] ?? (await mkdtemp(join(tmpdir(), 'eeg-demo-')));
const demo = await generateSeizureDemo({ outDir, recordings: 4, durationSec: 120, seed: 1 });
process.stdout.write(renderEdfInspection(await inspectEdf(demo[0].edfPath), { maxAnnotations: 5 }));

const data = await loadSeizureData(outDir, { preprocess: { bandpass: [0.5, 120], notch: 50 } });
const { train, validation } = splitRecordings(data.recordings.map((r) => r.id), { validationFraction: 0.25, seed: 1 });
const trainSet = await data.windowSet({ ids: train, windowSamples: 256 * 20, strideSamples: 256 * 5 });
const validationSet = await data.windowSet({ ids: validation, windowSamples: 256 * 20, strideSamples: 256 * 20 });
const batches = balancedBatchOrder(trainSet.positive, 8, 1, 0);
const first = batches[0].map((i) => trainSet.positive[i]);
process.stdout.write(
  `\ntrain ${train.join(', ')}: ${trainSet.length} windows (${trainSet.positive.reduce((a, b) => a + b, 0)} with seizure); ` +
    `validation ${validation.join(', ')}: ${validationSet.length} windows\n` +
    `epoch 0: ${batches.length} batches, first batch positives ${first.join('')}\n` +
    `window 0: ${trainSet.window(0).x.length} values (${trainSet.channels.length} channels × ${trainSet.windowSamples})\n`,
);
const writer = new SummaryWriter(join(outDir, 'tb'), { jsonl: 'scalars.jsonl' });
writer.addScalar('data/positive_fraction', first.reduce((a, b) => a + b, 0) / first.length, 0);
await writer.close();
process.stdout.write(`tensorboard --logdir ${join(outDir, 'tb')}\n`);
