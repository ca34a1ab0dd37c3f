import { PipelineError, type FitContext } from '@pipeline/core';
import { loadSeizureData, splitRecordings, type SeizureData, type WindowSet } from '@pipeline/eeg';
import type { SeizureConfig } from '../seizure-config.js';

/** The preprocessing and windowing a config asks for, as `@pipeline/eeg` options. */
export function dataOptions(config: SeizureConfig) {
  const { data } = config;
  return {
    preprocess: {
      montage: data.montage,
      sampleRate: data.sampleRate,
      bandpass: data.bandpass,
      notch: data.notch,
      standardize: data.standardize,
    },
    windows: { windowSamples: Math.round(data.windowSec * data.sampleRate), strideSamples: Math.round(data.strideSec * data.sampleRate) },
  } as const;
}

/** Opens a data folder with a config's preprocessing. */
export async function openSeizureData(dir: string, config: SeizureConfig, context: FitContext & { readonly requireAnnotations?: boolean }): Promise<SeizureData> {
  return loadSeizureData(dir, { ...context, preprocess: dataOptions(config).preprocess, ...(context.requireAnnotations === undefined ? {} : { requireAnnotations: context.requireAnnotations }) });
}

/** Training and validation window sets, split by recording (by subject when the names carry one), seeded. */
export async function trainValidationWindows(
  data: SeizureData,
  config: SeizureConfig,
): Promise<{ train: WindowSet; validation: WindowSet; split: { train: string[]; validation: string[] } }> {
  const ids = data.recordings.map((r) => r.id);
  const subjects = data.recordings.map((r) => r.subject ?? r.id);
  const split = splitRecordings(ids, { validationFraction: config.data.validationFraction, seed: config.seed, subjects });
  if (split.train.length === 0 || split.validation.length === 0) {
    throw new PipelineError('E_INPUT', `${ids.length} recording(s) cannot be split into training and validation`, {
      file: data.dir,
      hint: 'add recordings (at least two, from two subjects when the names carry sub-XX)',
    });
  }
  const { windows } = dataOptions(config);
  const train = await data.windowSet({ ids: split.train, ...windows });
  const validation = await data.windowSet({ ids: split.validation, ...windows });
  return { train, validation, split };
}
