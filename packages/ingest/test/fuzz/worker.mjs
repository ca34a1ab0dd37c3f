// Entry of the fuzz worker (see parse-in-worker.ts): registers core's dev-only TypeScript hooks
// (@pipeline/core/dev/source-hooks: the worker runs outside jest, so that a parse that never returns
// can be stopped with worker.terminate()), then answers { id, task, input } messages with
// { id, outcome } from fuzz-tasks.ts.
import { register } from 'node:module';
import { parentPort } from 'node:worker_threads';

register('@pipeline/core/dev/source-hooks', import.meta.url);
const { runTask } = await import('./fuzz-tasks.ts');
parentPort.on('message', async ({ id, task, input }) => {
  parentPort.postMessage({ id, outcome: await runTask(task, input) });
});
parentPort.postMessage({ ready: true });
