import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWrite, createRng, deriveSeed, PipelineError } from '@pipeline/core';

/** Options of {@link writeDemoBatch}. */
export interface DemoBatchOptions {
  /** Default 0. */
  readonly seed?: number;
  /** Labelled patients (half positive). Default 12. */
  readonly patients?: number;
  /** Sub-databases. Default 3. */
  readonly subdbs?: number;
  /** Folds. Default 2. */
  readonly folds?: number;
  /** Images (recordings) per patient. Default 4. */
  readonly recordsPerPatient?: number;
  /** Methods written to `batch.yaml`. Default `['cnn2d', 'hgb']`. */
  readonly methods?: readonly string[];
}

/** What {@link writeDemoBatch} wrote. */
export interface DemoBatch {
  /** The batch config, `dir/batch.yaml` (paths relative to it). */
  readonly config: string;
  readonly images: number;
  /** patient → label (0/1); the extra patient with a blank diagnosis is not in it. */
  readonly labels: ReadonlyMap<string, 0 | 1>;
}

const SAMPLE_RATE = 8000;
const N_FFT = 256;
const FRAMES = 32;

/**
 * Writes a tiny generated batch to try `cvBatch` on: audio-like signals (noise plus a tone whose
 * frequency band depends on the class: 300–600 Hz for 0, 1.8–2.4 kHz for 1) → 32-band log-mel
 * spectrograms (nFft 256, hop 64, 32 frames) → 32×32 JPEG images named `{patient}_{record}_{column}.jpg`;
 * a demographics CSV (`healthCode`, `professional-diagnosis`, with one extra patient whose diagnosis is
 * blank); per sub-database train split files and a common val/test file (`fold_iteration,
 * healthCode, subset`); and `batch.yaml`. Seeded: same options → same bytes. Refuses a non-empty folder.
 */
export async function writeDemoBatch(dir: string, options: DemoBatchOptions = {}): Promise<DemoBatch> {
  const seed = options.seed ?? 0;
  const patients = options.patients ?? 12;
  const subdbs = options.subdbs ?? 3;
  const folds = options.folds ?? 2;
  const records = options.recordsPerPatient ?? 4;
  if (patients < 4 * folds + 4 || patients % 2 !== 0) {
    throw new PipelineError('E_USAGE', `a demo batch needs an even number of patients ≥ 4·folds + 4, got ${patients} for ${folds} folds`, { field: 'patients' });
  }
  try {
    if ((await readdir(dir)).length > 0) {
      throw new PipelineError('E_USAGE', `${dir} is not empty`, { file: dir, field: '--demo', hint: 'pass a new or empty folder' });
    }
  } catch (error) {
    if (error instanceof PipelineError) throw error;
  }
  const imagesDir = join(dir, 'images');
  const splitsDir = join(dir, 'splits');
  await mkdir(imagesDir, { recursive: true });
  await mkdir(splitsDir, { recursive: true });
  const names = Array.from({ length: patients + 1 }, (_, p) => `P${String(p + 1).padStart(2, '0')}`);
  const labels = new Map<string, 0 | 1>();
  const { logMelSpectrogram, melFilterBank, spectrogramToImage, writeImage } = await import('@pipeline/spectrogram');
  const bank = melFilterBank({ sampleRate: SAMPLE_RATE, nFft: N_FFT, nMels: 32 });
  const length = (FRAMES - 1) * (N_FFT / 4);
  let images = 0;
  for (const [p, patient] of names.entries()) {
    const label: 0 | 1 = p % 2 === 0 ? 0 : 1;
    if (p < patients) labels.set(patient, label);
    for (let r = 1; r <= records; r++) {
      const rng = createRng(deriveSeed(seed, 'demo-batch', patient, r));
      const frequency = label === 0 ? 300 + 300 * rng.uniform() : 1800 + 600 * rng.uniform();
      const amplitude = 0.5 + 0.5 * rng.uniform();
      const phase = 2 * Math.PI * rng.uniform();
      const signal = Float64Array.from({ length }, (_, i) => amplitude * Math.sin((2 * Math.PI * frequency * i) / SAMPLE_RATE + phase) + 0.2 * rng.normal());
      const db = logMelSpectrogram(signal, { sampleRate: SAMPLE_RATE, nFft: N_FFT, nMels: 32 }, bank);
      await writeImage(join(imagesDir, `${patient}_r${r}_voice.jpg`), spectrogramToImage(db), { quality: 95 });
      images++;
    }
  }
  const demographics = ['healthCode,age,professional-diagnosis'];
  for (const [p, patient] of names.entries()) demographics.push(`${patient},${40 + p},${p < patients ? (labels.get(patient) === 1 ? 'true' : 'false') : ''}`);
  await atomicWrite(join(dir, 'Demographics_Survey.csv'), `${demographics.join('\n')}\n`);

  // Fold f: val = patients 4f, 4f+1; test = 4f+2, 4f+3 (one of each class); the rest trains, minus two
  // (one per class) that differ by sub-database.
  const common = ['fold_iteration,healthCode,subset'];
  for (let f = 0; f < folds; f++) {
    common.push(`${f},${names[4 * f]},val`, `${f},${names[4 * f + 1]},val`, `${f},${names[4 * f + 2]},test`, `${f},${names[4 * f + 3]},test`);
  }
  await atomicWrite(join(splitsDir, 'common_val_test_all_subdbs.csv'), `${common.join('\n')}\n`);
  for (let k = 1; k <= subdbs; k++) {
    const lines = ['fold_iteration,healthCode,subset'];
    for (let f = 0; f < folds; f++) {
      const held = new Set([4 * f, 4 * f + 1, 4 * f + 2, 4 * f + 3]);
      const rest = Array.from({ length: patients }, (_, p) => p).filter((p) => !held.has(p));
      const left = new Set([rest[(2 * k) % rest.length]!, rest[(2 * k + 1) % rest.length]!]);
      for (const p of rest) if (!left.has(p)) lines.push(`${f},${names[p]},train`);
    }
    await atomicWrite(join(splitsDir, `subdb${k}_train_demo.csv`), `${lines.join('\n')}\n`);
  }
  const yaml = [
    '# generated by writeDemoBatch (pipeline cv-batch --demo)',
    'images: images',
    'imagePattern: "{patient}_{record}_{column}.jpg"',
    'labels: { file: Demographics_Survey.csv, key: healthCode, column: professional-diagnosis }',
    'splits:',
    '  dir: splits',
    '  common: common_val_test_all_subdbs.csv',
    `subdbs: [${Array.from({ length: subdbs }, (_, k) => k + 1).join(', ')}]`,
    'out: outputs',
    `methods: [${(options.methods ?? ['cnn2d', 'hgb']).join(', ')}]`,
    'epochs: 15',
    `seed: ${seed}`,
    'cnn2d: { batchSize: 8, learningRate: 0.01, patience: 5, blocks: 1, stemFilters: 8, branchFilters: 4 }',
    'hgb: { maxIter: 30, learningRate: 0.2 }',
    '',
  ].join('\n');
  const config = join(dir, 'batch.yaml');
  await atomicWrite(config, yaml);
  return { config, images, labels };
}
