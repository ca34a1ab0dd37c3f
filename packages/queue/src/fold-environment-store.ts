import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PipelineError, sha256, type Matrix } from '@pipeline/core';
import { canonicalJson, type FoldEnvironment } from '@pipeline/model-selection/fold-task';

/** Version of the stored fold environment layout (see the package README, "Shared storage"). */
export const FOLD_ENV_FORMAT_VERSION = 1;

export type Dtype = 'float32' | 'float64' | 'int32';

/** One binary file of a stored environment: little-endian typed array bytes and their sha256. */
export interface StoredArray {
  readonly file: string;
  readonly dtype: Dtype;
  readonly length: number;
  readonly sha256: string;
}

/** `manifest.json` of a stored fold environment; its canonical JSON's sha256 is the environment's fingerprint. */
export interface FoldEnvironmentManifest {
  readonly formatVersion: number;
  readonly views: ReadonlyArray<{ readonly name: string; readonly rows: number; readonly cols: number; readonly data: StoredArray }>;
  readonly labels: StoredArray;
  readonly sampleWeight?: StoredArray;
  readonly groups?: StoredArray;
  readonly classNames?: readonly string[];
  /** Splits packed as int32: per split its train length, test length, train indices, test indices. */
  readonly splits: StoredArray & { readonly count: number };
}

/** A stored environment: its folder and fingerprint (what a job carries). */
export interface StoredFoldEnvironment {
  readonly dir: string;
  readonly fingerprint: string;
}

/** The environment's data without its estimators (workers rebuild those from each task's kind and args). */
export type FoldEnvironmentData = Omit<FoldEnvironment, 'estimators'>;

function bytesOf(array: Float32Array | Float64Array | Int32Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

function packSplits(splits: FoldEnvironment['splits']): Int32Array {
  let length = 0;
  for (const split of splits) length += 2 + split.train.length + split.test.length;
  const out = new Int32Array(length);
  let at = 0;
  for (const split of splits) {
    out[at++] = split.train.length;
    out[at++] = split.test.length;
    out.set(split.train, at);
    at += split.train.length;
    out.set(split.test, at);
    at += split.test.length;
  }
  return out;
}

function unpackSplits(packed: Int32Array, count: number, file: string): FoldEnvironment['splits'] {
  const splits: Array<{ train: Int32Array; test: Int32Array }> = [];
  let at = 0;
  for (let k = 0; k < count; k++) {
    const trainLength = packed[at++];
    const testLength = packed[at++];
    if (trainLength === undefined || testLength === undefined || at + trainLength + testLength > packed.length) {
      throw new PipelineError('E_INPUT', `split ${k} of the stored fold environment is truncated`, { file });
    }
    splits.push({ train: packed.slice(at, at + trainLength), test: packed.slice(at + trainLength, at + trainLength + testLength) });
    at += trainLength + testLength;
  }
  return splits;
}

if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
  throw new PipelineError('E_INTERNAL', 'the stored fold environment format is little-endian; this machine is big-endian');
}

/**
 * Writes the fold environment (views, labels, sample weights, groups, splits) once into
 * `<storageDir>/env-<fingerprint>/` as binary files with sha256 fingerprints, for workers on other
 * machines to read. The folder is written under a temporary name and renamed, so a half-written
 * environment is never visible; an existing folder with the same fingerprint is reused.
 */
export async function writeFoldEnvironment(storageDir: string, env: FoldEnvironmentData): Promise<StoredFoldEnvironment> {
  const files: Array<{ file: string; data: Uint8Array }> = [];
  const store = (file: string, array: Float32Array | Float64Array | Int32Array, dtype: Dtype): StoredArray => {
    const data = bytesOf(array);
    files.push({ file, data });
    return { file, dtype, length: array.length, sha256: sha256(data) };
  };
  const splits = env.splits;
  const manifest: FoldEnvironmentManifest = {
    formatVersion: FOLD_ENV_FORMAT_VERSION,
    views: Object.entries(env.views).map(([name, view]: [string, Matrix], i) => ({ name, rows: view.rows, cols: view.cols, data: store(`view-${i}.f32`, view.data, 'float32') })),
    labels: store('labels.i32', env.labels, 'int32'),
    ...(env.sampleWeight === undefined ? {} : { sampleWeight: store('sample-weight.f64', env.sampleWeight, 'float64') }),
    ...(env.groups === undefined ? {} : { groups: store('groups.i32', env.groups, 'int32') }),
    ...(env.classNames === undefined ? {} : { classNames: [...env.classNames] }),
    splits: { ...store('splits.i32', packSplits(splits), 'int32'), count: splits.length },
  };
  const manifestText = canonicalJson(manifest);
  const fingerprint = sha256(manifestText);
  const dir = join(storageDir, `env-${fingerprint}`);
  try {
    const existing = await readFile(join(dir, 'manifest.json'), 'utf8');
    if (sha256(existing) === fingerprint) return { dir, fingerprint };
    throw new PipelineError('E_STATE', `the shared fold environment ${dir} exists with other contents`, { file: dir, hint: 'delete the folder; it is rewritten on the next run' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(storageDir, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(tmp, { recursive: true });
  try {
    for (const { file, data } of files) await writeFile(join(tmp, file), data);
    await writeFile(join(tmp, 'manifest.json'), manifestText);
    await rename(tmp, dir);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    // Another coordinator wrote the same environment first: fine if it is the same.
    const existing = await readFile(join(dir, 'manifest.json'), 'utf8').catch(() => undefined);
    if (existing !== undefined && sha256(existing) === fingerprint) return { dir, fingerprint };
    throw new PipelineError('E_INTERNAL', `could not write the shared fold environment to ${dir}: ${(error as Error).message}`, { file: dir, cause: error });
  }
  return { dir, fingerprint };
}

async function readArray(dir: string, stored: StoredArray): Promise<Float32Array | Float64Array | Int32Array> {
  const path = join(dir, stored.file);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new PipelineError('E_NOT_FOUND', `the shared fold environment file ${path} cannot be read: ${(error as Error).message}`, {
      file: path,
      hint: 'the storage path must be the same shared folder on the coordinator and every worker',
    });
  }
  if (sha256(bytes) !== stored.sha256) {
    throw new PipelineError('E_INPUT', `the shared fold environment file ${path} does not match its sha256 fingerprint`, {
      file: path,
      field: stored.file,
      hint: 'the file changed after the coordinator wrote it; rerun the coordinator (it rewrites the environment)',
    });
  }
  const copy = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  const Ctor = stored.dtype === 'float32' ? Float32Array : stored.dtype === 'float64' ? Float64Array : Int32Array;
  const out = new Ctor(copy);
  if (out.length !== stored.length) throw new PipelineError('E_INPUT', `${path} holds ${out.length} values, its manifest says ${stored.length}`, { file: path });
  return out;
}

/**
 * Reads a stored fold environment after checking it: the manifest's sha256 must be `fingerprint`
 * and every file's sha256 must match the manifest. A mismatch is `E_INPUT` naming the file.
 */
export async function readFoldEnvironment(stored: StoredFoldEnvironment): Promise<FoldEnvironmentData> {
  const manifestPath = join(stored.dir, 'manifest.json');
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (error) {
    throw new PipelineError('E_NOT_FOUND', `the shared fold environment ${manifestPath} cannot be read: ${(error as Error).message}`, {
      file: manifestPath,
      hint: 'start workers with access to the same shared storage path as the coordinator (e.g. an NFS mount at the same path)',
    });
  }
  if (sha256(text) !== stored.fingerprint) {
    throw new PipelineError('E_INPUT', `the shared fold environment ${manifestPath} does not match the job's fingerprint ${stored.fingerprint.slice(0, 12)}…`, {
      file: manifestPath,
      hint: 'the folder changed after the job was queued',
    });
  }
  const manifest = JSON.parse(text) as FoldEnvironmentManifest;
  if (manifest.formatVersion !== FOLD_ENV_FORMAT_VERSION) {
    throw new PipelineError('E_INPUT', `${manifestPath} has format ${manifest.formatVersion}; this worker reads format ${FOLD_ENV_FORMAT_VERSION}`, {
      file: manifestPath,
      field: 'formatVersion',
      hint: 'run the same @pipeline version on the coordinator and the workers',
    });
  }
  const views: Record<string, Matrix> = {};
  for (const view of manifest.views) views[view.name] = { rows: view.rows, cols: view.cols, data: (await readArray(stored.dir, view.data)) as Float32Array };
  const packed = (await readArray(stored.dir, manifest.splits)) as Int32Array;
  return {
    views,
    labels: (await readArray(stored.dir, manifest.labels)) as Int32Array,
    ...(manifest.sampleWeight === undefined ? {} : { sampleWeight: (await readArray(stored.dir, manifest.sampleWeight)) as Float64Array }),
    ...(manifest.groups === undefined ? {} : { groups: (await readArray(stored.dir, manifest.groups)) as Int32Array }),
    ...(manifest.classNames === undefined ? {} : { classNames: manifest.classNames }),
    splits: unpackSplits(packed, manifest.splits.count, join(stored.dir, manifest.splits.file)),
  };
}
