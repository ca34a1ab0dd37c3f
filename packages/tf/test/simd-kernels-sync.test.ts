import { describe, expect, it } from '@jest/globals';
// @ts-expect-error plain-JS build script without type declarations
import { assembleKernel, kernelModuleSource, kernelWat } from '../scripts/build-wasm.mjs';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

describe('simd-kernels.wat and simd-kernels-wasm.ts', () => {
  it('hold exactly what scripts/build-wasm.mjs generates (run `pnpm build:wasm` after editing it)', async () => {
    const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
    const wat: string = kernelWat();
    expect(readFileSync(join(src, 'simd-kernels.wat'), 'utf8')).toBe(wat);
    const bytes: Uint8Array = await assembleKernel(wat);
    expect(readFileSync(join(src, 'simd-kernels-wasm.ts'), 'utf8')).toBe(kernelModuleSource(bytes));
  });
});
