// @pipeline/core/dev/source-hooks: Node module-customization hooks for running this monorepo's
// TypeScript sources in a worker thread or child process. DEVELOPMENT ONLY: for jest and for
// packages that run from `src/` through the `@pipeline/source` export condition, because a worker
// started from there cannot load `.ts` by itself. Built code (`dist/`) never loads this file.
//
// What it does, as the repository's jest setup does:
//   - `@pipeline/*` imports resolve through the `@pipeline/source` export condition;
//   - a path import of `./x.js` that does not exist finds `./x.ts`;
//   - `.ts` files are compiled with @swc/core, which the running project must have installed (it is
//     the monorepo's root dev dependency; @pipeline/core does not depend on it).
// Register it with `register('@pipeline/core/dev/source-hooks', import.meta.url)` from `node:module`
// in the worker, or start a process with `--import` of `@pipeline/core/dev/source-register`.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const SOURCE_CONDITION = '@pipeline/source';

/** @type {typeof import('@swc/core') | undefined} */
let swc;

/** @type {import('node:module').ResolveHook} */
export async function resolve(specifier, context, nextResolve) {
  const conditions = context.conditions.includes(SOURCE_CONDITION) ? context.conditions : [SOURCE_CONDITION, ...context.conditions];
  try {
    return await nextResolve(specifier, { ...context, conditions });
  } catch (error) {
    const isPath = ['./', '../', '/', 'file:'].some((prefix) => specifier.startsWith(prefix));
    if (isPath && specifier.endsWith('.js')) return nextResolve(`${specifier.slice(0, -3)}.ts`, { ...context, conditions });
    throw error;
  }
}

/** @type {import('node:module').LoadHook} */
export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  swc ??= await import('@swc/core').catch((error) => {
    throw new Error(`@pipeline/core/dev/source-hooks compiles ${url} with @swc/core, which is not installed here: add it as a dev dependency (pnpm add -D @swc/core)`, { cause: error });
  });
  const source = await readFile(new URL(url), 'utf8');
  const { code } = await swc.transform(source, {
    filename: fileURLToPath(url),
    sourceMaps: 'inline',
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'es6' },
  });
  return { format: 'module', source: code, shortCircuit: true };
}
