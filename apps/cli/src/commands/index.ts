import type { CommandDefinition } from '../command.js';
import { versionCommand } from './version.js';

/** Every command of the CLI, in the order `--help` lists them. Add new commands here. */
export const commands: readonly CommandDefinition[] = [versionCommand];
