import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { PipelineError, type Logger } from '@pipeline/core';
import { BACKEND_ENV_VAR, currentBackend, ensureBackend, selectBackend, tf, WASM_TRAINING_KERNELS } from '@pipeline/tf';

function recordingLogger(): Logger & { lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> } {
  const lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push({ level, message, ...(fields === undefined ? {} : { fields }) });
  };
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

describe('one tfjs-core', () => {
  it('@tensorflow/tfjs and @tensorflow/tfjs-backend-wasm resolve the same tfjs-core file', () => {
    const fromHere = createRequire(import.meta.url);
    const core = (from: string) => realpathSync(createRequire(fromHere.resolve(from)).resolve('@tensorflow/tfjs-core'));
    expect(core('@tensorflow/tfjs')).toBe(core('@tensorflow/tfjs-backend-wasm'));
    expect(dirname(core('@tensorflow/tfjs'))).toContain(`tfjs-core@${tf.version_core}`);
  });
});

describe('selectBackend', () => {
  it('falls back from tfjs-node(-gpu) to wasm, says why, and registers the training kernels', async () => {
    const logger = recordingLogger();
    const selection = await selectBackend({ logger, env: {} });
    expect(selection.backend).toBe('wasm');
    expect(selection.tfjsBackend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(selection.skipped.map((s) => s.name)).toEqual(['tensorflow-gpu', 'tensorflow']);
    expect(selection.skipped[0]!.why).toContain('@tensorflow/tfjs-node-gpu');
    expect(selection.skipped[1]!.why).toContain('@tensorflow/tfjs-node');
    expect(selection.reason).toContain('tensorflow-gpu > tensorflow > wasm > cpu');
    expect(selection.patchedKernels).toEqual([...WASM_TRAINING_KERNELS]);
    expect(selection.tfjsVersion).toBe(tf.version_core);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    const info = logger.lines.filter((l) => l.level === 'info');
    expect(info).toHaveLength(1);
    expect(info[0]!.message).toBe('tfjs backend: wasm');
    expect(logger.lines.filter((l) => l.level === 'debug').map((l) => l.fields?.backend)).toEqual(['tensorflow-gpu', 'tensorflow']);
    // the selection is plain JSON for the run manifest
    expect(JSON.parse(JSON.stringify(selection))).toEqual(selection);
    expect(currentBackend()).toEqual(selection);
  });

  it('honours the environment variable, and an explicit option over it', async () => {
    const fromEnv = await selectBackend({ env: { [BACKEND_ENV_VAR]: 'cpu' } });
    expect(fromEnv).toMatchObject({ backend: 'cpu', tfjsBackend: 'cpu', skipped: [], patchedKernels: [] });
    expect(fromEnv.reason).toBe(`requested by environment variable ${BACKEND_ENV_VAR}`);
    const fromOption = await selectBackend({ backend: 'wasm', env: { [BACKEND_ENV_VAR]: 'cpu' } });
    expect(fromOption).toMatchObject({ backend: 'wasm', reason: 'requested by option' });
    expect(tf.getBackend()).toBe('wasm');
  });

  it('refuses unknown names and unavailable explicit backends with a usage error', async () => {
    await expect(selectBackend({ env: { [BACKEND_ENV_VAR]: 'gpu' } })).rejects.toMatchObject({
      code: 'E_USAGE',
      field: BACKEND_ENV_VAR,
    });
    const error = (await selectBackend({ backend: 'tensorflow' }).catch((e: unknown) => e)) as PipelineError;
    expect(error).toBeInstanceOf(PipelineError);
    expect(error.code).toBe('E_USAGE');
    expect(error.message).toContain('@tensorflow/tfjs-node@4.22.0');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('ensureBackend reuses the selection, or describes a backend the caller switched to', async () => {
    const selection = await selectBackend({ backend: 'wasm' });
    expect(await ensureBackend()).toBe(selection);
    await tf.setBackend('cpu');
    expect(await ensureBackend()).toMatchObject({ backend: 'cpu', reason: 'set by the caller with tf.setBackend' });
    await tf.setBackend('wasm');
  });
});
