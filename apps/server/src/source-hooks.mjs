// Module hooks for a training worker forked while @pipeline/server runs from `src/` (jest, or the
// `@pipeline/source` condition in development): Node 20 cannot load `.ts`, so the job runner starts
// the worker with `--import source-register.mjs`, which registers these hooks. `@pipeline/*`
// imports resolve through the `@pipeline/source` condition, `./x.js` finds `./x.ts`, and `.ts`
// files are compiled with @swc/core (the root dev dependency), as jest does. Built code (`dist/`)
// never loads this file.
import { readFile } from 'node:fs/promises';

let swc;

export async function resolve(specifier, context, nextResolve) {
  const conditions = context.conditions.includes('@pipeline/source') ? context.conditions : ['@pipeline/source', ...context.conditions];
  try {
    return await nextResolve(specifier, { ...context, conditions });
  } catch (error) {
    const relative = specifier.startsWith('.') || specifier.startsWith('file:') || specifier.startsWith('/');
    if (relative && specifier.endsWith('.js')) return nextResolve(`${specifier.slice(0, -3)}.ts`, { ...context, conditions });
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
