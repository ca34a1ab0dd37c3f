/**
 * The training worker: a child process forked by the job runner for one training. It receives a
 * `start` message, loads the model kinds, trains and reports progress, the result or the error over
 * IPC, then exits. If the server goes away (IPC disconnect, e.g. `kill -9`), it exits too: no
 * orphan trainings.
 */
import type { Logger } from '@pipeline/core';
import { registerBuiltinModelKind } from '../kinds/index.js';
import { getModelKind, registerModelKind, type ModelKind } from '../model-kinds.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

const send = (message: FromWorker): Promise<void> =>
  new Promise((resolve) => {
    if (process.send === undefined || !process.connected) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });

const logger: Logger = {
  debug: (message, fields) => void send({ type: 'log', level: 'debug', message, ...(fields === undefined ? {} : { fields }) }),
  info: (message, fields) => void send({ type: 'log', level: 'info', message, ...(fields === undefined ? {} : { fields }) }),
  warn: (message, fields) => void send({ type: 'log', level: 'warn', message, ...(fields === undefined ? {} : { fields }) }),
  error: (message, fields) => void send({ type: 'log', level: 'error', message, ...(fields === undefined ? {} : { fields }) }),
};

const controller = new AbortController();
let started = false;

process.on('disconnect', () => process.exit(1));

process.on('message', (message: ToWorker) => {
  if (message.type === 'abort') {
    controller.abort(new Error('cancelled'));
    return;
  }
  if (message.type !== 'start' || started) return;
  started = true;
  void (async () => {
    try {
      await registerBuiltinModelKind(message.kind);
      for (const specifier of message.extraKindModules) {
        const module = (await import(specifier.startsWith('/') ? `file://${specifier}` : specifier)) as { modelKind?: ModelKind };
        if (module.modelKind !== undefined) registerModelKind(module.modelKind);
      }
      const kind = getModelKind(message.kind);
      const result = await kind.train(message.job, {
        signal: controller.signal,
        logger,
        onProgress: (progress) => void send({ type: 'progress', progress }),
      });
      await send({ type: 'result', result });
      process.exit(0);
    } catch (error) {
      const code = typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'E_INTERNAL';
      await send({ type: 'error', code, message: error instanceof Error ? error.message : String(error) });
      process.exit(1);
    }
  })();
});
