import type * as ConfigModule from '@pipeline/workflows/config';
import { PipelineError } from '@pipeline/core';

let loaded: typeof ConfigModule | undefined;

/**
 * Loads `@pipeline/workflows/config` (zod schemas: about a second of start-up on a busy machine)
 * once, for the commands whose flags and help text need it; other commands never pay for it.
 */
export async function loadConfigModule(): Promise<typeof ConfigModule> {
  loaded ??= await import('@pipeline/workflows/config');
  return loaded;
}

/** The module loaded by {@link loadConfigModule} (a command's `prepare`), for synchronous builders. */
export function configModule(): typeof ConfigModule {
  if (loaded === undefined) throw new PipelineError('E_INTERNAL', 'the training-config module is not loaded: call prepareCommands(argv) before buildCli(argv)');
  return loaded;
}
