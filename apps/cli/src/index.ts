export { buildCli, prepareCommands, runCli } from './cli.js';
export { processIo, type CliIo } from './io.js';
export type { CommandDefinition } from './command.js';
export type { Runtime } from './runtime.js';
