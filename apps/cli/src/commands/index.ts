import type { CommandDefinition } from '../command.js';
import { versionCommand } from './version.js';
import { demoDataCommand } from './demo-data.js';
import { inspectCommand } from './inspect.js';
import { trainCommand } from './train.js';
import { predictCommand } from './predict.js';
import { evaluateCommand } from './evaluate.js';
import { analyzeCommand } from './analyze.js';
import { featuresCommand } from './features.js';
import { seizureCommand } from './seizure.js';
import { serveCommand, serverCommand } from './serve.js';
import { runsCommand } from './runs.js';
import { ablationCommand } from './ablation.js';
import { seedStudyCommand } from './seed-study.js';
import { workerCommand } from './worker.js';
import { queueCommand } from './queue.js';
import { cvBatchCommand } from './cv-batch.js';

/** Every command of the CLI, in the order `--help` lists them. Add new commands here (one per line, so merges stay clean). */
export const commands: readonly CommandDefinition[] = [
  trainCommand,
  predictCommand,
  evaluateCommand,
  analyzeCommand,
  runsCommand,
  ablationCommand,
  seedStudyCommand,
  versionCommand,
  featuresCommand,
  demoDataCommand,
  inspectCommand,
  seizureCommand,
  serveCommand,
  serverCommand,
  workerCommand,
  queueCommand,
  cvBatchCommand,
];
