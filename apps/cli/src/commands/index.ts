import type { CommandDefinition } from '../command.js';
import { versionCommand } from './version.js';
import { demoDataCommand } from './demo-data.js';
import { inspectCommand } from './inspect.js';
import { trainCommand } from './train.js';
import { predictCommand } from './predict.js';
import { evaluateCommand } from './evaluate.js';
import { analyzeCommand } from './analyze.js';
import { featuresCommand } from './features.js';
import { workerCommand } from './worker.js';
import { queueCommand } from './queue.js';

/** Every command of the CLI, in the order `--help` lists them. Add new commands here. */
export const commands: readonly CommandDefinition[] = [trainCommand, predictCommand, evaluateCommand, analyzeCommand, versionCommand, featuresCommand, demoDataCommand, inspectCommand];
// Distributed folds (@pipeline/queue), appended so other commands' lines stay untouched.
(commands as CommandDefinition[]).push(workerCommand, queueCommand);
