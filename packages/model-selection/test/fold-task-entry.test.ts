import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import * as whole from '@pipeline/model-selection';
import * as light from '@pipeline/model-selection/fold-task';

const src = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

/**
 * The modules a source file loads when it runs: its value imports and re-exports (`import type` and
 * `export type` are erased), followed through relative paths; returns the package specifiers reached.
 */
function loadedPackages(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(import|export)\s+(type\s+)?[^;]*?from\s+'([^']+)'/gms)) {
      if (m[2] !== undefined) continue;
      const spec = m[3]!;
      if (spec.startsWith('.')) visit(join(dirname(file), spec.replace(/\.js$/, '.ts')));
      else packages.add(spec);
    }
    for (const m of text.matchAll(/import\(\s*'([^']+)'\s*\)/g)) packages.add(`${m[1]} (dynamic)`);
  };
  visit(join(src, entry));
  return { files: [...files].map((f) => f.slice(src.length + 1)).sort(), packages: [...packages].sort() };
}

describe('@pipeline/model-selection/fold-task (the light entry of fold workers)', () => {
  it('exports the very runFoldTask and canonicalJson of the package', () => {
    expect(Object.keys(light).sort()).toEqual(['canonicalJson', 'runFoldTask']);
    expect(light.runFoldTask).toBe(whole.runFoldTask);
    expect(light.canonicalJson).toBe(whole.canonicalJson);
    expect(light.canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] })).toBe('{"a":[2,{"c":4,"d":3}],"b":1}');
  });

  it('loads neither the search code nor zod or yaml, unlike the package index', () => {
    const { files, packages } = loadedPackages('fold-task-entry.ts');
    expect(packages).toEqual(['@pipeline/core', 'node:perf_hooks']);
    expect(files).toEqual(['bytes.ts', 'fold-task-entry.ts', 'fold-task.ts', 'gather-rows.ts', 'run-fold-task.ts']);
    // The walk sees what the index loads (else the assertions above could not fail).
    const index = loadedPackages('index.ts');
    expect(index.packages).toContain('zod');
    expect(index.files).toEqual(expect.arrayContaining(['run-fold-task.ts', 'search/search-space.ts']));
  });
});
