import { access, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWrite, PipelineError, type ArtifactFile } from '@pipeline/core';
import { tf } from './tf.js';

/** File names of the standard tfjs layers format. */
export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

/**
 * Serialises a layers model to the two files of the standard tfjs layers format, in memory:
 * `model.json` (topology, weights manifest) and `weights.bin` (all weights, float32, in manifest
 * order). No tfjs-node needed; tfjs-node's `file://` loader and `tf.loadLayersModel` read them too.
 * The bytes depend only on the model (layer names included: give layers explicit names for
 * byte-identical files across processes).
 */
export async function modelToFiles(model: tf.LayersModel): Promise<ArtifactFile[]> {
  let files: ArtifactFile[] | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        ...(artifacts.trainingConfig === undefined ? {} : { trainingConfig: artifacts.trainingConfig }),
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
      };
      files = [
        { path: MODEL_JSON, data: new TextEncoder().encode(`${JSON.stringify(modelJson)}\n`) },
        { path: WEIGHTS_BIN, data: new Uint8Array(weightData) },
      ];
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  if (files === undefined) throw new PipelineError('E_INTERNAL', 'tfjs did not hand over the model artifacts');
  return files;
}

/**
 * Rebuilds a layers model from `model.json` + `weights.bin` bytes (custom layers such as
 * `DilatedConv1D` must be registered first: importing `@pipeline/tf` does that).
 */
export async function modelFromFiles(modelJson: Uint8Array, weights: Uint8Array, source = MODEL_JSON): Promise<tf.LayersModel> {
  let parsed: tf.io.ModelJSON;
  try {
    parsed = JSON.parse(new TextDecoder().decode(modelJson)) as tf.io.ModelJSON;
  } catch (cause) {
    throw new PipelineError('E_INPUT', 'model.json is not valid JSON', { file: source, cause, hint: 're-save the model' });
  }
  if (parsed.modelTopology === undefined || !Array.isArray(parsed.weightsManifest)) {
    throw new PipelineError('E_INPUT', 'model.json is not a tfjs layers model (no modelTopology or weightsManifest)', {
      file: source,
      field: 'modelTopology',
      hint: 'point to a model saved in the tfjs layers format',
    });
  }
  const expected = parsed.weightsManifest.flatMap((group) => group.weights).reduce((total, spec) => total + 4 * spec.shape.reduce((a, b) => a * b, 1), 0);
  if (expected !== weights.byteLength) {
    throw new PipelineError('E_INPUT', `weights.bin has ${weights.byteLength} bytes but model.json describes ${expected}`, {
      file: source,
      field: 'weightsManifest',
      hint: 'model.json and weights.bin come from different saves; re-save the model',
    });
  }
  const buffer = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  const artifacts = await tf.io.getModelArtifactsForJSON(parsed, async (manifest) => [
    manifest.flatMap((group) => group.weights),
    buffer,
  ]);
  try {
    return await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (cause) {
    throw new PipelineError('E_INPUT', `model.json could not be loaded: ${cause instanceof Error ? cause.message : String(cause)}`, {
      file: source,
      cause,
      hint: 'custom layers must be registered before loading (import @pipeline/tf)',
    });
  }
}

/** Writes `model.json` + `weights.bin` into `dir` (atomically); refuses to overwrite unless asked. */
export async function saveModelDir(model: tf.LayersModel, dir: string, options: { readonly overwrite?: boolean } = {}): Promise<void> {
  const files = await modelToFiles(model);
  await mkdir(dir, { recursive: true });
  if (options.overwrite !== true) {
    for (const file of files) {
      const target = join(dir, file.path);
      if (await pathExists(target)) {
        throw new PipelineError('E_USAGE', 'a model file already exists', {
          file: target,
          hint: 'choose an empty folder or pass overwrite: true',
        });
      }
    }
  }
  // weights first, model.json last: a folder with model.json is complete.
  for (const file of [...files].reverse()) await atomicWrite(join(dir, file.path), file.data);
}

/** Loads a model saved by {@link saveModelDir} (or any tfjs layers model with one weights file). */
export async function loadModelDir(dir: string): Promise<tf.LayersModel> {
  const jsonPath = join(dir, MODEL_JSON);
  const modelJson = await readOrThrow(jsonPath, 'point to a folder that holds model.json and weights.bin');
  let weightsPath = join(dir, WEIGHTS_BIN);
  try {
    const manifest = (JSON.parse(new TextDecoder().decode(modelJson)) as tf.io.ModelJSON).weightsManifest;
    const paths = manifest?.flatMap((group) => group.paths) ?? [];
    if (paths.length > 1) {
      throw new PipelineError('E_INPUT', `the model has ${paths.length} weight files; only single-file models are supported`, {
        file: jsonPath,
        field: 'weightsManifest',
        hint: 're-save the model with @pipeline/tf (one weights.bin)',
      });
    }
    if (paths[0] !== undefined) weightsPath = join(dir, paths[0]);
  } catch (error) {
    if (error instanceof PipelineError) throw error;
    // invalid JSON is reported by modelFromFiles with the file name
  }
  const weights = await readOrThrow(weightsPath, 'the weights file named in model.json is missing');
  return modelFromFiles(modelJson, weights, jsonPath);
}

async function readOrThrow(path: string, hint: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (cause) {
    throw new PipelineError('E_NOT_FOUND', 'model file not found', { file: path, hint, cause });
  }
}

/** Whether a path exists (any kind of file). */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
