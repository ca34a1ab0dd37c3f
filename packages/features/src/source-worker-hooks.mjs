// Module hooks that let a worker thread run this monorepo's TypeScript sources directly.
//
// Used ONLY when @pipeline/features itself runs from `src/` (jest, or `@pipeline/source`
// resolution in development): a worker_thread cannot load `.ts`, so `featurizeH5` registers these
// hooks in each worker before importing `featurize-worker.ts`. They mirror the repository's jest
// setup: `@pipeline/*` packages resolve through the `@pipeline/source` export condition, a
// relative `./x.js` import finds `./x.ts`, and `.ts` files are compiled with @swc/core (the root
// dev dependency). Built code (`dist/`) never loads this file.
import { readFile } from 'node:fs/promises';

let swc;

export async function resolve(specifier, context, nextResolve) {
  const conditions = context.conditions.includes('@pipeline/source')
    ? context.conditions
    : [...context.conditions, '@pipeline/source'];
  try {
    return await nextResolve(specifier, { ...context, conditions });
  } catch (error) {
    const relative = specifier.startsWith('./') || specifier.startsWith('../') || specifier.startsWith('file:');
    if (relative && specifier.endsWith('.js')) {
      return nextResolve(`${specifier.slice(0, -3)}.ts`, { ...context, conditions });
    }
    throw error;
  }
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  swc ??= await import('@swc/core');
  const source = await readFile(new URL(url), 'utf8');
  const { code } = await swc.transform(source, {
    filename: url,
    sourceMaps: 'inline',
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'es6' },
  });
  return { format: 'module', source: code, shortCircuit: true };
}
