// Module hooks for the fuzz worker: resolve workspace packages through their "@pipeline/source"
// export condition and compile .ts sources with @swc/core, as jest's transform does. The worker
// runs outside jest so a parse that never returns can be stopped with worker.terminate().
import { readFile } from 'node:fs/promises';
import { transformSync } from '@swc/core';

export async function resolve(specifier, context, next) {
  const conditions = [...new Set(['@pipeline/source', ...context.conditions])];
  try {
    return await next(specifier, { ...context, conditions });
  } catch (error) {
    if (/^\.{1,2}\//.test(specifier) && specifier.endsWith('.js')) {
      return next(specifier.replace(/\.js$/, '.ts'), { ...context, conditions });
    }
    throw error;
  }
}

export async function load(url, context, next) {
  if (!url.endsWith('.ts')) return next(url, context);
  const source = await readFile(new URL(url), 'utf8');
  const { code } = transformSync(source, {
    filename: new URL(url).pathname,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  });
  return { format: 'module', source: code, shortCircuit: true };
}
