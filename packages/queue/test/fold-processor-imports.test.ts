import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

const src = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

/** Package specifiers a source file loads at run time (value imports, followed through relative paths). */
function valueImports(file: string, seen = new Set<string>()): Set<string> {
  const found = new Set<string>();
  if (seen.has(file)) return found;
  seen.add(file);
  for (const [, kind, spec] of readFileSync(file, 'utf8').matchAll(/^import\s+(type\s+)?[^;]*?from\s+'([^']+)'/gms)) {
    if (kind !== undefined) continue;
    if (spec!.startsWith('.')) for (const s of valueImports(join(dirname(file), spec!.replace(/\.js$/, '.ts')), seen)) found.add(s);
    else found.add(spec!);
  }
  return found;
}

describe('the BullMQ job process (fold-processor)', () => {
  it('loads the light fold-task entry of @pipeline/model-selection, not the package index (zod, search code)', () => {
    const processor = valueImports(join(src, 'fold-processor.ts'));
    expect(processor).toContain('@pipeline/model-selection/fold-task');
    expect(processor).not.toContain('@pipeline/model-selection');
    // The walk sees value imports of the index where a file has them (else the assertion above could not fail).
    expect(valueImports(join(src, 'bullmq-executor.ts'))).toContain('@pipeline/model-selection');
  });
});
