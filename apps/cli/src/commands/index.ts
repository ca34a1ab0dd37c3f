import type { CommandDefinition } from '../command.js';
import { versionCommand } from './version.js';
import { featuresCommand } from './features.js';

/** Every command of the CLI, in the order `--help` lists them. Add new commands here. */
export const commands: readonly CommandDefinition[] = [versionCommand, featuresCommand];
