// Shared by the model packages' `oof.mjs` benches: times what `train --splits 3` does with one
// temporal base model on demo-sized data (3 out-of-fold fits + predictions, then a refit on all rows).
// Synthetic signals stand in for the demo H5 (throughput does not depend on the values).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng, takeDataset, sliceRows } from '@pipeline/core';
import { selectBackend, syntheticSignals, tf } from '../dist/index.js';

/** Fold assignment: rows shuffled (seeded) and dealt into `folds` groups. */
function folds(rows, count, seed) {
  const order = createRng(seed).shuffle(Int32Array.from({ length: rows }, (_, i) => i));
  return Array.from({ length: count }, (_, k) => Int32Array.from(order.filter((_, i) => i % count === k)).sort());
}

export async function timeOof(spec, { rows = 5000, steps = 1250, splits = 3, seed = 0 } = {}) {
  const selection = await selectBackend({ backend: process.env.PIPELINE_TF_BACKEND ?? 'wasm' });
  const data = syntheticSignals({ rows, steps, seed });
  const plan = folds(rows, splits, seed);
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const parts = [];
  for (let k = 0; k < splits; k++) {
    const test = plan[k];
    const train = Int32Array.from({ length: rows }, (_, i) => i).filter((i) => !test.includes(i));
    const t0 = performance.now();
    const fitted = await spec.fit(takeDataset(data, train), { seed: k });
    const t1 = performance.now();
    await fitted.predictProba(takeDataset(data, test).features);
    const t2 = performance.now();
    fitted.dispose();
    parts.push({ fold: k, fitS: (t1 - t0) / 1000, predictS: (t2 - t1) / 1000 });
  }
  const t0 = performance.now();
  const final = await spec.fit(data, { seed: 99 });
  const refitS = (performance.now() - t0) / 1000;
  await final.toArtifact();
  final.dispose();
  const cpu = process.cpuUsage(cpu0);
  return {
    kind: spec.kind,
    args: spec.args,
    backend: selection.backend,
    rows,
    steps,
    splits,
    folds: parts,
    refitS,
    totalS: (performance.now() - started) / 1000,
    totalCpuS: (cpu.user + cpu.system) / 1e6,
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    numTensorsAfter: tf.memory().numTensors,
  };
}

/**
 * Writes `bench/results/<name>.{json,md}` at the repository root for a `timeOof` result (the
 * markdown headed by `title`) and prints the markdown.
 */
export function writeOofResults(name, title, result) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, `bench/results/${name}.json`), `${JSON.stringify({ date: new Date().toISOString(), ...result }, null, 2)}\n`);
  const md = [
    title,
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
  writeFileSync(join(root, `bench/results/${name}.md`), md.join('\n'));
  process.stdout.write(md.join('\n'));
}
