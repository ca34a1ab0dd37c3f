import { describe, expect, it } from '@jest/globals';
import { predictOptions } from '../src/predict/run-inputs.js';

describe('predict / evaluate data flags', () => {
  it('--x-images and --x-images-dir become predictRun inputs.images (file / dir)', () => {
    expect(predictOptions({ runDir: 'runs/r1', xImages: 'new/images.csv', chunkSize: 2000 }).inputs).toEqual({ images: { file: 'new/images.csv' } });
    expect(predictOptions({ runDir: 'runs/r1', xCsv: 'x.csv', xImagesDir: 'new/img', chunkSize: 2000 }).inputs).toEqual({ table: { file: 'x.csv' }, images: { dir: 'new/img' } });
    expect(predictOptions({ runDir: 'runs/r1', xH5: 'x.h5', chunkSize: 2000 }).inputs).toEqual({ signal: { file: 'x.h5' } });
  });

  it('predict --help lists the image flags', async () => {
    const { run } = await import('./helpers.js');
    const help = await run(['predict', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--x-images-dir');
  });
});
