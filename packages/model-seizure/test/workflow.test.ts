import { access, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateSeizureDemo, readEventFile, readEventsTsv } from '@pipeline/eeg';
import { parseSeizureConfig, seizureEvaluate, seizurePredict, seizureTrain, type SeizureConfig } from '@pipeline/model-seizure';

let dir: string;
const config: SeizureConfig = parseSeizureConfig({
  seed: 3,
  data: { sampleRate: 64, windowSec: 4, strideSec: 2, validationFraction: 0.34, bandpass: [0.5, 30] },
  model: { filters: 4, stemKernel: 5, pool: 4, kernelSize: 3, dilations: [1, 2] },
  train: { epochs: 2, batchSize: 8, lr: 0.01, earlyStopping: { metric: 'sensitivity_at_10fa', patience: 0 }, validationBatchSize: 16, mixedPrecision: true },
  validation: { faThresholds: [0.3, 0.6, 0.9], morphologyKernel: 3, minDurationSec: 1 },
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pipeline-seizure-workflow-'));
  await generateSeizureDemo({ outDir: join(dir, 'data'), recordings: 3, durationSec: 60, seed: 1 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('seizure workflows', () => {
  it('train writes the run folder, refuses to reuse it without resume, and resume of a finished run trains nothing', async () => {
    const runDir = join(dir, 'run');
    const result = await seizureTrain(config, { dataDir: join(dir, 'data'), runDir });
    expect(result.epochs).toBe(2);
    expect(result.mixedPrecision).toEqual({ requested: true, used: false, reason: expect.stringMatching(/not available on the (wasm|cpu) backend/) });
    expect(result.recordings.train).toHaveLength(2);
    expect(result.recordings.validation).toHaveLength(1);
    for (const path of [result.configPath, result.resultPath, join(result.checkpoints.best, 'weights.bin'), join(result.checkpoints.last, 'optimizer.bin'), result.events.jsonl]) await access(path);
    const lines = (await readFile(result.events.jsonl, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { tag: string; step: number; value: number | null });
    expect(lines.filter((l) => l.tag === 'train/loss')).toHaveLength(result.steps);
    expect(lines.filter((l) => l.tag === 'val/sensitivity_at_10fa').map((l) => l.step)).toEqual(result.history.map((h) => h.step));
    // the TensorBoard event file holds the same scalars (float32 in the protobuf)
    const events = await readEventFile(result.events.tensorboard);
    expect(events.fileVersion).toBe('brain.Event:2');
    expect(events.scalars.map((e) => [e.tag, e.step])).toEqual(lines.map((l) => [l.tag, l.step]));
    events.scalars.forEach((e, i) => {
      if (lines[i]!.value === null) expect(Number.isFinite(e.value)).toBe(false);
      else expect(e.value).toBeCloseTo(lines[i]!.value!, 5);
    });
    for (const tag of ['train/lr', 'val/loss', 'val/taes', 'val/auroc', 'val/ovlp/f1', 'val/timescoring_event/sensitivity']) expect(lines.some((l) => l.tag === tag)).toBe(true);
    await expect(seizureTrain(config, { dataDir: join(dir, 'data'), runDir })).rejects.toMatchObject({ code: 'E_STATE' });
    const resumed = await seizureTrain(config, { dataDir: join(dir, 'data'), runDir, resume: true });
    expect([resumed.epochs, resumed.steps]).toEqual([2, result.steps]);
  });

  it('evaluate reports the clinical metrics and writes challenge TSVs; predict writes one TSV per recording', async () => {
    const evaluation = await seizureEvaluate({ checkpoint: join(dir, 'run', 'checkpoints', 'best'), dataDir: join(dir, 'data') });
    for (const key of ['taes', 'auroc', 'sensitivity_at_10fa', 'sensitivity_at_5fa', 'sensitivity_at_2_5fa', 'sensitivity_at_1fa', 'fa_curve', 'ovlp', 'timescoring_event', 'timescoring_sample'] as const) {
      expect(evaluation).toHaveProperty(key);
    }
    expect(evaluation.recordings).toBe(3);
    expect(evaluation.detections).toHaveLength(3);
    const metrics = JSON.parse(await readFile(evaluation.metrics_path, 'utf8')) as { fa_curve: unknown[] };
    expect(metrics.fa_curve).toHaveLength(3);
    const predicted = await seizurePredict({ checkpoint: join(dir, 'run', 'checkpoints', 'best'), dataDir: join(dir, 'data'), outDir: join(dir, 'pred') });
    expect((await readdir(join(dir, 'pred'))).sort()).toEqual(['demo_rec01_events.tsv', 'demo_rec02_events.tsv', 'demo_rec03_events.tsv']);
    for (const r of predicted.recordings) {
      const file = await readEventsTsv(r.path);
      expect(file.seizures).toHaveLength(r.seizures);
      expect(file.recordingDuration).toBe(60);
    }
    await expect(seizurePredict({ checkpoint: join(dir, 'run', 'checkpoints', 'best'), dataDir: join(dir, 'data'), outDir: join(dir, 'pred') })).rejects.toMatchObject({ code: 'E_USAGE' });
  });
});
