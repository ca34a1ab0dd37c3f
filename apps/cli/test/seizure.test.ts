import { access, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { run } from './helpers.js';

/** A tiny config: 19 channels resampled to 64 Hz, 4 s windows, a 4-filter network, 2 epochs. */
const TINY = `seed: 3
data:
  sampleRate: 64
  windowSec: 4
  strideSec: 2
  validationFraction: 0.34
  bandpass: [0.5, 30]
model:
  filters: 4
  stemKernel: 5
  pool: 4
  dilations: [1, 2]
train:
  epochs: 2
  batchSize: 8
  lr: 0.01
  validationBatchSize: 16
validation:
  faThresholds: [0.3, 0.6, 0.9]
  morphologyKernel: 3
  minDurationSec: 1
run:
  dir: runs/tiny
`;

let cwd: string;
beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'cli-seizure-'));
  await writeFile(join(cwd, 'tiny.yaml'), TINY);
});
afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

describe('pipeline seizure', () => {
  it('validate accepts the presets and names the path of a wrong type or unknown key (exit 2)', async () => {
    const ok = await run(['seizure', 'validate', join(process.cwd(), 'configs', 'local.yaml')]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/local\.yaml: valid\n {2}window 15360 samples \(60 s at 256 Hz\)/);
    expect(ok.stdout).toContain('early stopping on sensitivity_at_10fa');
    const production = await run(['seizure', 'validate', join(process.cwd(), 'configs', 'production.yaml'), '--json']);
    expect(production.code).toBe(0);
    expect(JSON.parse(production.stdout)).toMatchObject({ valid: true, monitor: 'sensitivity_at_5fa', mixedPrecision: { requested: true, used: false } });
    await writeFile(join(cwd, 'bad.yaml'), 'train:\n  lr: -1\n  epoch: 3\n');
    const bad = await run(['seizure', 'validate', 'bad.yaml'], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('train.lr: expected a number > 0, got -1 (line 2)');
    expect(bad.stderr).toContain('train.epoch: unknown key');
    const missing = await run(['seizure', 'validate', 'nope.yaml'], { cwd });
    expect(missing.code).toBe(4);
  });

  it('demo --no-train writes the recordings; train, evaluate and predict run end to end', async () => {
    const demo = await run(['seizure', 'demo', '--out', 'demo', '--no-train', '--recordings', '3', '--duration', '60', '--json'], { cwd });
    expect(demo.code).toBe(0);
    const written = JSON.parse(demo.stdout) as { dataDir: string; recordings: Array<{ id: string }> };
    expect(written.recordings.map((r) => r.id)).toEqual(['demo_rec01', 'demo_rec02', 'demo_rec03']);
    expect((await readdir(join(cwd, 'demo', 'data'))).filter((f) => f.endsWith('.edf'))).toHaveLength(3);

    const train = await run(['seizure', 'train', '--config', 'tiny.yaml', '--data', 'demo/data', '--run-dir', 'run', '--epochs', '1', '--json'], { cwd });
    expect(train.stderr).not.toMatch(/error/);
    expect(train.code).toBe(0);
    const trained = JSON.parse(train.stdout) as { checkpoints: { best: string; last: string }; events: { jsonl: string }; epochs: number; runDir: string };
    expect(trained.checkpoints).toEqual({ best: join(cwd, 'run', 'checkpoints', 'best'), last: join(cwd, 'run', 'checkpoints', 'last') });
    expect(trained.epochs).toBe(1); // --epochs overrides the config's 2
    for (const path of [join(trained.checkpoints.best, 'model.json'), join(trained.checkpoints.last, 'checkpoint.json'), trained.events.jsonl]) await access(path);
    const again = await run(['seizure', 'train', '--config', 'tiny.yaml', '--data', 'demo/data', '--run-dir', 'run'], { cwd });
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/already holds checkpoints \(pass --resume/);

    const resumed = await run(['seizure', 'train', '--config', 'tiny.yaml', '--data', 'demo/data', '--run-dir', 'run', '--epochs', '1', '--resume', '--json'], { cwd });
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ epochs: 1, steps: (JSON.parse(train.stdout) as { steps: number }).steps });
    const interrupted = await run(['seizure', 'train', '--config', 'tiny.yaml', '--data', 'demo/data', '--run-dir', 'run2'], { cwd, signal: AbortSignal.abort() });
    expect(interrupted.code).toBe(130);
    // without --run-dir: the config's run.dir (runs/tiny), relative to the working directory
    const noRun = await run(['seizure', 'train', '--config', 'tiny.yaml', '--data', 'demo/data', '--resume'], { cwd });
    expect([noRun.code, noRun.stderr]).toEqual([4, expect.stringContaining(`${join(cwd, 'runs', 'tiny')}: nothing to resume`)]);

    const evaluate = await run(['seizure', 'evaluate', '--checkpoint', 'run/checkpoints/best', '--data', 'demo/data', '--json'], { cwd });
    expect(evaluate.code).toBe(0);
    const metrics = JSON.parse(evaluate.stdout) as Record<string, unknown>;
    for (const key of ['taes', 'auroc', 'sensitivity_at_10fa', 'sensitivity_at_5fa', 'sensitivity_at_2_5fa', 'sensitivity_at_1fa', 'fa_curve', 'ovlp', 'timescoring_event', 'timescoring_sample']) {
      expect(metrics).toHaveProperty(key);
    }
    expect((metrics.fa_curve as unknown[]).length).toBe(3);
    expect(metrics.sensitivity_at_1fa as number).toBeLessThanOrEqual(metrics.sensitivity_at_10fa as number);
    expect((await readdir(join(cwd, 'run', 'evaluation'))).sort()).toEqual(['demo_rec01_events.tsv', 'demo_rec02_events.tsv', 'demo_rec03_events.tsv', 'metrics.json']);

    const predict = await run(['seizure', 'predict', '--checkpoint', 'run/checkpoints/best', '--data', 'demo/data', '--out', 'detections'], { cwd });
    expect(predict.code).toBe(0);
    expect(predict.stdout).toMatch(/^3 events files in /);
    const tsv = await readFile(join(cwd, 'detections', 'demo_rec02_events.tsv'), 'utf8');
    expect(tsv.split('\n')[0]).toBe('onset\tduration\teventType\tconfidence\tchannels\tdateTime\trecordingDuration');

    // demo with training: 2 one-minute recordings, the local preset (60 s windows), 1 epoch
    const full = await run(['seizure', 'demo', '--out', 'full', '--recordings', '2', '--duration', '60', '--epochs', '1', '--json'], { cwd });
    expect(full.stderr).not.toMatch(/error/);
    expect(full.code).toBe(0);
    const report = JSON.parse(full.stdout) as { runDir: string; checkpoints: { best: string }; evaluation: Record<string, unknown> };
    expect(report.runDir).toBe(join(cwd, 'full', 'run'));
    expect(report.evaluation.recordings).toBe(1);
    expect(report.evaluation).toHaveProperty('sensitivity_at_10fa');
    await access(join(report.checkpoints.best, 'checkpoint.json'));

    const usage = await run(['seizure', 'evaluate', '--data', 'demo/data'], { cwd });
    expect([usage.code, usage.stderr]).toEqual([2, expect.stringContaining('seizure evaluate needs --checkpoint')]);
    const notFound = await run(['seizure', 'predict', '--checkpoint', 'nope', '--data', 'demo/data', '--out', 'x'], { cwd });
    expect(notFound.code).toBe(4);
  });
});
