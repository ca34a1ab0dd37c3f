/**
 * The built-in model kinds, one file each exporting `modelKind`: `stack.ts` (the stacking pipeline
 * of `@pipeline/workflows`) and `transit-cnn.ts` (the seed's transit CNN, `@pipeline/model-transit`).
 * They are loaded lazily: the server process loads every kind once at start (it validates options
 * and predicts), a training worker loads only the kind it trains (so a worker of one kind never pays
 * for another kind's imports, e.g. TensorFlow.js). Add a kind to the table.
 */
import { registerModelKind, type ModelKind } from '../model-kinds.js';

export type KindModule = { readonly modelKind: unknown };

/** Loaders of the built-in kinds, by name. */
export const builtinKindLoaders: Readonly<Record<string, () => Promise<KindModule>>> = {
  stack: () => import('./stack.js'),
  'transit-cnn': () => import('./transit-cnn.js'),
};

/** Loads and registers one built-in kind; false if `name` is not built in. */
export async function registerBuiltinModelKind(name: string): Promise<boolean> {
  const load = builtinKindLoaders[name];
  if (load === undefined) return false;
  registerModelKind((await load()).modelKind as ModelKind);
  return true;
}

/** Loads and registers every built-in kind in this process (idempotent). */
export async function registerBuiltinModelKinds(): Promise<void> {
  for (const name of Object.keys(builtinKindLoaders)) await registerBuiltinModelKind(name);
}
