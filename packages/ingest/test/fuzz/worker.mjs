// Entry of the fuzz worker (see parse-in-worker.ts): registers the TypeScript hooks, then answers
// { id, task, input } messages with { id, outcome } from fuzz-tasks.ts.
import { register } from 'node:module';
import { parentPort } from 'node:worker_threads';

register('./ts-hooks.mjs', import.meta.url);
const { runTask } = await import('./fuzz-tasks.ts');
parentPort.on('message', async ({ id, task, input }) => {
  parentPort.postMessage({ id, outcome: await runTask(task, input) });
});
parentPort.postMessage({ ready: true });
