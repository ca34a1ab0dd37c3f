import { PipelineError } from '@pipeline/core';
import type { SeizureMetrics } from '@pipeline/model-seizure';
import type { CommandDefinition } from '../command.js';
import type { Runtime } from '../runtime.js';

const ACTIONS = ['validate', 'demo', 'train', 'evaluate', 'predict'] as const;
type Action = (typeof ACTIONS)[number];

interface SeizureArgs {
  action: Action;
  file?: string;
  config?: string;
  data?: string;
  runDir?: string;
  epochs?: number;
  resume: boolean;
  checkpoint?: string;
  out?: string;
  train: boolean;
  recordings?: number;
  duration?: number;
  overwrite: boolean;
}

function need(value: string | undefined, flag: string, action: Action): string {
  if (value === undefined || value === '') {
    throw new PipelineError('E_USAGE', `seizure ${action} needs ${flag}`, { field: flag, hint: `see pipeline seizure --help` });
  }
  return value;
}

const number = (value: number) => (Number.isFinite(value) ? value.toFixed(4) : String(value));

function metricsLines(m: SeizureMetrics): string[] {
  const scores = (name: string, s: { sensitivity: number; precision: number; f1: number; fa_per_24h: number }) =>
    `  ${name.padEnd(20)} sensitivity ${number(s.sensitivity)}  precision ${number(s.precision)}  F1 ${number(s.f1)}  FA/24h ${number(s.fa_per_24h)}`;
  return [
    `TAES ${number(m.taes)}  AUROC ${number(m.auroc)}  sensitivity ${number(m.sensitivity)}  specificity ${number(m.specificity)}`,
    `sensitivity at 10 / 5 / 2.5 / 1 FA/24h (${m.fa_scorer}): ${[m.sensitivity_at_10fa, m.sensitivity_at_5fa, m.sensitivity_at_2_5fa, m.sensitivity_at_1fa].map(number).join(' / ')}`,
    scores('TAES', m.taes_detail),
    scores('OVLP', m.ovlp),
    scores('timescoring event', m.timescoring_event),
    scores('timescoring sample', m.timescoring_sample),
    `${m.detected_events} events detected, ${m.reference_events} in the reference, ${m.hours.toFixed(2)} h`,
  ];
}

/** JSON without NaN/Infinity (null instead), as every document the CLI prints. */
function plain<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
}

async function run(args: SeizureArgs, runtime: Runtime): Promise<void> {
    const { readSeizureConfig, seizureDemo, seizureEvaluate, seizurePredict, seizureTrain, validateSeizureConfig } = await import('@pipeline/model-seizure');
  const context = { logger: runtime.logger, onProgress: runtime.onProgress, signal: runtime.signal };
  switch (args.action) {
    case 'validate': {
      const report = await validateSeizureConfig(runtime.resolvePath(need(args.file ?? args.config, 'FILE', 'validate')));
      if (runtime.json) {
        runtime.printJson(plain(report));
        return;
      }
      runtime.print(
        [
          `${report.file}: valid`,
          `  window ${report.windowSamples} samples (${report.config.data.windowSec} s at ${report.config.data.sampleRate} Hz), stride ${report.config.data.strideSec} s`,
          `  network ${report.parameters} parameters, receptive field ${report.receptiveFieldSamples} samples (${report.receptiveFieldSec.toFixed(2)} s)`,
          `  ${report.config.train.epochs} epochs, AdamW lr ${report.config.train.lr}, early stopping on ${report.monitor} (patience ${report.config.train.earlyStopping.patience})`,
          ...(report.config.train.mixedPrecision ? [`  note: ${report.mixedPrecision.reason}`] : []),
        ].join('\n'),
      );
      return;
    }
    case 'demo': {
      const result = await seizureDemo(
        {
          outDir: runtime.resolvePath(need(args.out, '--out', 'demo')),
          train: args.train,
          ...(args.recordings === undefined ? {} : { recordings: args.recordings }),
          ...(args.duration === undefined ? {} : { durationSec: args.duration }),
          ...(args.epochs === undefined ? {} : { epochs: args.epochs }),
        },
        { ...context, seed: runtime.seed },
      );
      if (runtime.json) {
        runtime.printJson(
          plain({
            dataDir: result.dataDir,
            recordings: result.recordings,
            ...(result.train === undefined ? {} : { runDir: result.train.runDir, checkpoints: result.train.checkpoints, events: result.train.events }),
            ...(result.evaluation === undefined ? {} : { evaluation: result.evaluation }),
          }),
        );
        return;
      }
      const lines = [`demo data: ${result.recordings.length} recordings in ${result.dataDir}`];
      for (const r of result.recordings) lines.push(`  ${r.id}  ${r.durationSec} s  ${r.seizures.length} seizure(s)`);
      if (result.train !== undefined) {
        lines.push(`run: ${result.train.runDir} (${result.train.epochs} epochs, best ${result.train.monitor} ${number(result.train.bestMetric)} at epoch ${result.train.bestEpoch})`);
      }
      if (result.evaluation !== undefined) lines.push(`held-out recordings (${result.evaluation.recordings}):`, ...metricsLines(result.evaluation).map((l) => `  ${l}`));
      runtime.print(lines.join('\n'));
      return;
    }
    case 'train': {
      // the config's seed, unless --seed is given explicitly
      const seedGiven = runtime.argv.some((a) => a === '--seed' || a.startsWith('--seed='));
      const config = await readSeizureConfig(runtime.resolvePath(need(args.config ?? args.file, '--config', 'train')));
      const result = await seizureTrain(
        config,
        {
          // relative paths of the flags and of the config resolve against the working directory
          ...(args.data === undefined && config.data.dir === null ? {} : { dataDir: runtime.resolvePath(args.data ?? config.data.dir!) }),
          runDir: runtime.resolvePath(args.runDir ?? config.run.dir),
          ...(args.epochs === undefined ? {} : { epochs: args.epochs }),
          resume: args.resume,
        },
        seedGiven ? { ...context, seed: runtime.seed } : context,
      );
      if (runtime.json) {
        runtime.printJson(
          plain({
            runDir: result.runDir,
            checkpoints: result.checkpoints,
            events: result.events,
            config: result.configPath,
            result: result.resultPath,
            backend: result.backend,
            mixedPrecision: result.mixedPrecision,
            epochs: result.epochs,
            steps: result.steps,
            stoppedEarly: result.stoppedEarly,
            monitor: result.monitor,
            bestEpoch: result.bestEpoch,
            bestMetric: result.bestMetric,
          }),
        );
        return;
      }
      runtime.print(
        [
          `run: ${result.runDir}`,
          `  ${result.epochs} epochs, ${result.steps} steps${result.stoppedEarly ? ' (stopped early)' : ''}; best ${result.monitor} ${number(result.bestMetric)} at epoch ${result.bestEpoch}`,
          `  checkpoints: ${result.checkpoints.best}, ${result.checkpoints.last}`,
          `  scalars: ${result.events.tensorboard} (TensorBoard), ${result.events.jsonl}`,
          ...(result.mixedPrecision.requested ? [`  note: ${result.mixedPrecision.reason}`] : []),
        ].join('\n'),
      );
      return;
    }
    case 'evaluate': {
      const result = await seizureEvaluate(
        {
          checkpoint: runtime.resolvePath(need(args.checkpoint, '--checkpoint', 'evaluate')),
          dataDir: runtime.resolvePath(need(args.data, '--data', 'evaluate')),
          ...(args.out === undefined ? {} : { outDir: runtime.resolvePath(args.out) }),
          overwrite: args.overwrite,
        },
        context,
      );
      if (runtime.json) {
        runtime.printJson(plain(result));
        return;
      }
      runtime.print([`${result.checkpoint} (epoch ${result.epoch}) on ${result.recordings} recordings`, ...metricsLines(result), `detections and metrics.json: ${result.out_dir}`].join('\n'));
      return;
    }
    case 'predict': {
      const result = await seizurePredict(
        {
          checkpoint: runtime.resolvePath(need(args.checkpoint, '--checkpoint', 'predict')),
          dataDir: runtime.resolvePath(need(args.data, '--data', 'predict')),
          outDir: runtime.resolvePath(need(args.out, '--out', 'predict')),
          overwrite: args.overwrite,
        },
        context,
      );
      if (runtime.json) {
        runtime.printJson(plain(result));
        return;
      }
      runtime.print([`${result.recordings.length} events files in ${result.outDir}`, ...result.recordings.map((r) => `  ${r.id}: ${r.seizures} seizure(s)`)].join('\n'));
      return;
    }
  }
}

export const seizureCommand: CommandDefinition = {
  command: 'seizure <action> [file]',
  describe: 'EEG seizure detection: validate a config, generate the demo, train, evaluate, predict',
  examples: [
    ['$0 seizure validate configs/local.yaml', 'check a config (unknown keys and wrong types are named with their path)'],
    ['$0 seizure demo --out runs/seizure-demo', 'write the synthetic EDF demo set and train + evaluate the local preset on it (--no-train: data only)'],
    ['$0 seizure train --config configs/local.yaml --data data/seizure-demo --run-dir runs/sz', 'train; writes checkpoints/best, checkpoints/last and events/ (--resume continues from last)'],
    ['$0 seizure evaluate --checkpoint runs/sz/checkpoints/best --data data/heldout --json', 'TAES, OVLP, timescoring, AUROC, FA/24h curve, sensitivity at 10/5/2.5/1 FA/24h'],
    ['$0 seizure predict --checkpoint runs/sz/checkpoints/best --data data/new --out detections', 'one NAME_events.tsv per recording (challenge format)'],
  ],
  builder: (yargs) =>
    yargs
      .positional('action', { type: 'string', choices: ACTIONS as unknown as string[], describe: 'What to do' })
      .positional('file', { type: 'string', describe: 'The config file (validate)' })
      .option('config', { type: 'string', describe: 'YAML config (train; its seed is used unless --seed is given)' })
      .option('data', { type: 'string', describe: 'Data folder: NAME.edf with NAME_events.tsv or NAME.csv_bi (train: overrides data.dir)' })
      .option('run-dir', { type: 'string', describe: 'Run folder (train: overrides run.dir)' })
      .option('epochs', { type: 'number', describe: 'Epochs (train, demo: overrides train.epochs)' })
      .option('resume', { type: 'boolean', default: false, describe: 'Continue the run from checkpoints/last (train)' })
      .option('checkpoint', { type: 'string', describe: 'Checkpoint folder, e.g. RUN/checkpoints/best (evaluate, predict)' })
      .option('out', { type: 'string', describe: 'Output folder (demo, predict; evaluate: default RUN/evaluation)' })
      .option('train', { type: 'boolean', default: true, describe: 'demo: train and evaluate after writing the data (--no-train: data only)' })
      .option('recordings', { type: 'number', describe: 'demo: number of recordings (default 8)' })
      .option('duration', { type: 'number', describe: 'demo: seconds per recording (default 300)' })
      .option('overwrite', { type: 'boolean', default: false, describe: 'Replace detections of an earlier evaluate/predict' }),
  async run(rawArgs, runtime) {
    await run(rawArgs as unknown as SeizureArgs, runtime);
  },
};
