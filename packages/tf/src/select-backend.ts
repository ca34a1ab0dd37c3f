import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { PipelineError, silentLogger, type Logger } from '@pipeline/core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { tf } from './tf.js';
import { registerWasmTrainingKernels } from './wasm-training-kernels.js';

/** The backends `@pipeline` can run on, fastest first. */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** Order tried by `backend: 'auto'`. */
export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/** The environment variable that overrides the automatic choice (same values as `backend`). */
export const BACKEND_ENV_VAR = 'PIPELINE_TF_BACKEND';

export interface SelectBackendOptions {
  /**
   * `'auto'` (default) tries {@link BACKEND_ORDER}; a name forces that backend (an error if it cannot
   * start). When absent, the environment variable `PIPELINE_TF_BACKEND` is read.
   */
  readonly backend?: BackendName | 'auto';
  /** Receives one `info` line with the choice and one `debug` line per skipped backend. */
  readonly logger?: Logger;
  /** Where `PIPELINE_TF_BACKEND` is looked up; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** What was chosen and why; goes into the run manifest as is (plain JSON). */
export interface BackendSelection {
  /** The chosen backend. */
  readonly backend: BackendName;
  /** The name tfjs knows it by (`tensorflow`, `wasm` or `cpu`). */
  readonly tfjsBackend: string;
  /** Why this one: requested by option, by environment variable, or the first that started. */
  readonly reason: string;
  /** Backends tried before it (in `auto` order) and why each was not used. */
  readonly skipped: ReadonlyArray<{ readonly name: BackendName; readonly why: string }>;
  /** `@tensorflow/tfjs-core` version. */
  readonly tfjsVersion: string;
  /** Kernels `@pipeline` registered or replaced on this backend (wasm: the training kernels). */
  readonly patchedKernels: readonly string[];
}

const PACKAGE_OF: Readonly<Record<'tensorflow-gpu' | 'tensorflow', string>> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

/**
 * Chooses and initialises the tfjs backend: `tensorflow` from `@tensorflow/tfjs-node-gpu`, then from
 * `@tensorflow/tfjs-node` (both optional peer dependencies, loaded with a guarded dynamic import), then
 * `wasm` with @pipeline's training kernels, then `cpu`. The choice is logged and returned for the run
 * manifest. Calling it again is cheap (backends initialise once).
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendSelection> {
  const logger = options.logger ?? silentLogger;
  const env = options.env ?? process.env;
  tf.enableProdMode();
  const envValue = env[BACKEND_ENV_VAR]?.trim();
  let requested: BackendName | 'auto' = 'auto';
  let source = 'auto';
  if (options.backend !== undefined) {
    requested = options.backend;
    source = 'option';
  } else if (envValue !== undefined && envValue !== '') {
    requested = parseBackendName(envValue, BACKEND_ENV_VAR);
    source = `environment variable ${BACKEND_ENV_VAR}`;
  }
  if (requested !== 'auto' && !BACKEND_ORDER.includes(requested)) parseBackendName(requested, 'backend');

  const candidates = requested === 'auto' ? BACKEND_ORDER : [requested];
  const skipped: Array<{ name: BackendName; why: string }> = [];
  for (const name of candidates) {
    const why = await tryStart(name);
    if (why === undefined) {
      const patchedKernels = name === 'wasm' ? registerWasmTrainingKernels() : [];
      const reason =
        requested === 'auto'
          ? skipped.length === 0
            ? `first backend in the order ${BACKEND_ORDER.join(' > ')}`
            : `first backend that started (order ${BACKEND_ORDER.join(' > ')})`
          : `requested by ${source}`;
      const selection: BackendSelection = {
        backend: name,
        tfjsBackend: tf.getBackend(),
        reason,
        skipped,
        tfjsVersion: tf.version_core,
        patchedKernels,
      };
      lastSelection = selection;
      for (const entry of skipped) logger.debug('tfjs backend skipped', { backend: entry.name, why: entry.why });
      logger.info(`tfjs backend: ${name}`, { backend: name, reason, skipped, patchedKernels });
      return selection;
    }
    skipped.push({ name, why });
  }
  const last = skipped[skipped.length - 1];
  throw new PipelineError('E_USAGE', `the tfjs backend '${requested}' could not be started: ${last?.why ?? 'unknown'}`, {
    field: source === 'option' ? 'backend' : BACKEND_ENV_VAR,
    hint:
      requested === 'tensorflow' || requested === 'tensorflow-gpu'
        ? `install ${PACKAGE_OF[requested]}@${tf.version_core} next to @pipeline/tf, or choose wasm or cpu`
        : 'choose another backend (auto, tensorflow-gpu, tensorflow, wasm, cpu)',
  });
}

let lastSelection: BackendSelection | undefined;

/** The selection made by the last successful {@link selectBackend} call, if any. */
export function currentBackend(): BackendSelection | undefined {
  return lastSelection;
}

/**
 * The backend to train on: the one already selected (the CLI selects it once from `--backend`), or
 * the automatic choice (`PIPELINE_TF_BACKEND` respected) if nothing was selected yet. Models call
 * this before touching tfjs.
 */
export async function ensureBackend(logger?: Logger): Promise<BackendSelection> {
  if (lastSelection === undefined) return selectBackend(logger === undefined ? {} : { logger });
  const active = tf.engine().backendName;
  if (active === null || active === undefined || active === lastSelection.tfjsBackend) return lastSelection;
  // The caller switched backends with tf.setBackend after selecting: describe the active one.
  const backend: BackendName = active === 'wasm' || active === 'cpu' ? active : 'tensorflow';
  return {
    backend,
    tfjsBackend: active,
    reason: 'set by the caller with tf.setBackend',
    skipped: [],
    tfjsVersion: tf.version_core,
    patchedKernels: active === 'wasm' ? registerWasmTrainingKernels() : [],
  };
}

function parseBackendName(value: string, field: string): BackendName | 'auto' {
  if (value === 'auto' || (BACKEND_ORDER as readonly string[]).includes(value)) return value as BackendName | 'auto';
  throw new PipelineError('E_USAGE', `unknown tfjs backend '${value}'`, {
    field,
    hint: `use one of auto, ${BACKEND_ORDER.join(', ')}`,
  });
}

/** Starts a backend; returns undefined on success or the reason it could not be used. */
async function tryStart(name: BackendName): Promise<string | undefined> {
  try {
    if (name === 'tensorflow-gpu' || name === 'tensorflow') {
      const specifier = PACKAGE_OF[name];
      try {
        await import(/* webpackIgnore: true */ specifier);
      } catch (error) {
        return `${specifier} is not installed or failed to load: ${firstLine(error)}`;
      }
      if (tf.findBackendFactory('tensorflow') === null) {
        return `${specifier} loaded but registered no 'tensorflow' backend on this tfjs-core (a second tfjs-core copy? pin ${tf.version_core})`;
      }
      return (await tf.setBackend('tensorflow')) ? undefined : `tf.setBackend('tensorflow') failed`;
    }
    if (name === 'wasm') {
      configureWasmPaths();
      return (await tf.setBackend('wasm')) ? undefined : `tf.setBackend('wasm') failed (wasm binaries not found?)`;
    }
    return (await tf.setBackend('cpu')) ? undefined : `tf.setBackend('cpu') failed`;
  } catch (error) {
    return firstLine(error);
  }
}

let wasmPathsSet = false;

/**
 * Points the wasm backend at the `.wasm` binaries inside `@tensorflow/tfjs-backend-wasm/dist`, resolved
 * from this module, so loading works from any working directory, under jest and from a build.
 */
function configureWasmPaths(): void {
  if (wasmPathsSet || tf.findBackend('wasm') !== null) return;
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@tensorflow/tfjs-backend-wasm');
  setWasmPaths(`${dirname(entry)}/`);
  wasmPathsSet = true;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}
