import { describe, expect, it } from '@jest/globals';
// @ts-expect-error plain-JS build script without type declarations
import { assembleKernel, kernelModuleSource } from '../scripts/build-wasm.mjs';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

describe('hist-kernel-wasm.mjs', () => {
  it('holds exactly the assembled hist-kernel.wat (run `pnpm build:wasm` after editing the .wat)', async () => {
    const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
    const bytes: Uint8Array = await assembleKernel();
    expect(readFileSync(join(src, 'hist-kernel-wasm.mjs'), 'utf8')).toBe(kernelModuleSource(bytes));
  });
});
