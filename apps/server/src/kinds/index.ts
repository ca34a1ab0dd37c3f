/**
 * The built-in model kinds, registered in the server process and in every training worker.
 * One file per kind: `stack.ts` (the stacking pipeline of `@pipeline/workflows`) and
 * `transit-cnn.ts` (the seed's transit CNN, `@pipeline/model-transit`). Add a kind to the list.
 */
import { registerModelKind, type ModelKind } from '../model-kinds.js';
import { modelKind as transitCnnKind } from './transit-cnn.js';

/** Every built-in kind. */
export const builtinModelKinds: readonly ModelKind[] = [transitCnnKind as ModelKind];

/** Registers every built-in kind in this process (idempotent). */
export function registerBuiltinModelKinds(): void {
  for (const kind of builtinModelKinds) registerModelKind(kind);
}
