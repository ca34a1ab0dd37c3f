// tsc does not emit plain .mjs files: copy the worker kernel (and its type declarations) next to
// the built dist/*.js so `new URL('./hist-worker.mjs', import.meta.url)` resolves from dist too.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
mkdirSync(join(root, 'dist'), { recursive: true });
for (const file of ['hist-kernel.mjs', 'hist-kernel.d.mts', 'hist-kernel-wasm.mjs', 'hist-kernel-wasm.d.mts', 'hist-worker.mjs', 'hist-supervisor.mjs', 'hist-control.mjs', 'tree-grower.mjs', 'tree-grower.d.mts', 'tree-lane.mjs', 'tree-lane.d.mts', 'softmax-gradients.mjs', 'softmax-gradients.d.mts', 'predict-lane.mjs', 'predict-lane.d.mts']) {
  copyFileSync(join(root, 'src', file), join(root, 'dist', file));
}
