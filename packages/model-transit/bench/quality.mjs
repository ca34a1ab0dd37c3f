// Quality of the seed's transit CNN on the Kepler-like demo at full size (2001-point curve):
// validation accuracy of the restored best epoch against the validation rows' majority-class rate.
// Run after `pnpm build`: node bench/quality.mjs [rows=1500] [epochs=5] [seed=7]
import { generateKeplerDemo, splitValidation, transitCnn } from '../dist/index.js';

const [rows = 1500, epochs = 5, seed = 7] = process.argv.slice(2).map(Number);
const records = generateKeplerDemo({ rows, seed });
const started = performance.now();
const model = await transitCnn({ epochs, learningRate: 2e-3 }).fit(records, {
  seed,
  onEpochEnd: (r) =>
    process.stderr.write(`epoch ${r.epoch}: loss ${r.loss.toFixed(4)} acc ${r.accuracy.toFixed(3)} val_loss ${r.valLoss.toFixed(4)} val_acc ${r.valAccuracy.toFixed(3)} (${r.seconds.toFixed(1)} s)\n`),
});
const seconds = (performance.now() - started) / 1000;
const { validation } = splitValidation(records.map((r) => r.label), 0.2, seed);
const counts = new Map();
for (const i of validation) counts.set(records[i].label, (counts.get(records[i].label) ?? 0) + 1);
const majority = Math.max(...counts.values()) / validation.length;
const predicted = await model.predict(Array.from(validation, (i) => records[i]));
const accuracy = predicted.classes.filter((c, k) => c === records[validation[k]].label).length / validation.length;
model.dispose();
process.stdout.write(
  `${JSON.stringify({ rows, epochs, seed, curvePoints: 2001, validationRows: validation.length, valAccuracy: accuracy, majorityRate: majority, bestEpoch: model.history.bestEpoch, seconds })}\n`,
);
