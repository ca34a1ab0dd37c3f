import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import { PipelineError } from './errors.js';
import type { ArtifactFile, ModelArtifact } from './estimator.js';

/**
 * Directory layout of a saved artifact:
 *   artifact.json            { kind, formatVersion, args, state, files: [{path, bytes, sha256}], children: [names] }
 *   <file paths>             the binary payloads
 *   children/<name>/         nested artifacts, same layout
 * Files are written to a temporary name and renamed, and `artifact.json` is written last, so a
 * folder without `artifact.json` is never mistaken for a complete model.
 */
export async function saveArtifact(dir: string, artifact: ModelArtifact): Promise<void> {
  await mkdir(dir, { recursive: true });
  const files: Array<{ path: string; bytes: number; sha256: string }> = [];
  for (const file of artifact.files) {
    const target = safeJoin(dir, file.path);
    await mkdir(dirname(target), { recursive: true });
    await atomicWrite(target, file.data);
    files.push({ path: file.path, bytes: file.data.byteLength, sha256: sha256(file.data) });
  }
  const children = Object.keys(artifact.children ?? {});
  for (const name of children) {
    await saveArtifact(safeJoin(dir, join('children', name)), artifact.children![name]!);
  }
  const header = {
    kind: artifact.kind,
    formatVersion: artifact.formatVersion,
    args: artifact.args,
    state: artifact.state,
    files,
    children,
  };
  await atomicWrite(join(dir, 'artifact.json'), new TextEncoder().encode(`${JSON.stringify(header, null, 2)}\n`));
}

/** Reads an artifact saved by {@link saveArtifact}, checking every file's size and sha256. */
export async function readArtifact(dir: string): Promise<ModelArtifact> {
  const headerPath = join(dir, 'artifact.json');
  let text: string;
  try {
    text = await readFile(headerPath, 'utf8');
  } catch (cause) {
    throw new PipelineError('E_NOT_FOUND', 'model artifact not found', {
      file: headerPath,
      hint: 'point to a folder written by a completed train run',
      cause,
    });
  }
  let header: {
    kind: string;
    formatVersion: number;
    args: Record<string, unknown>;
    state: Record<string, unknown>;
    files: Array<{ path: string; bytes: number; sha256: string }>;
    children: string[];
  };
  try {
    header = JSON.parse(text);
  } catch (cause) {
    throw new PipelineError('E_INPUT', 'artifact.json is not valid JSON', { file: headerPath, cause });
  }
  const files: ArtifactFile[] = [];
  for (const entry of header.files) {
    const path = safeJoin(dir, entry.path);
    let data: Uint8Array;
    try {
      data = new Uint8Array(await readFile(path));
    } catch (cause) {
      throw new PipelineError('E_NOT_FOUND', 'model file listed in artifact.json is missing', { file: path, cause });
    }
    if (data.byteLength !== entry.bytes || sha256(data) !== entry.sha256) {
      throw new PipelineError('E_INPUT', 'model file does not match the checksum in artifact.json (corrupt or modified)', {
        file: path,
        hint: 're-run train to rebuild the model',
      });
    }
    files.push({ path: entry.path, data });
  }
  const children: Record<string, ModelArtifact> = {};
  for (const name of header.children ?? []) children[name] = await readArtifact(safeJoin(dir, join('children', name)));
  return {
    kind: header.kind,
    formatVersion: header.formatVersion,
    args: header.args,
    state: header.state,
    files,
    ...(header.children?.length ? { children } : {}),
  };
}

/** Writes bytes to `path` through a temporary file and a rename. */
export async function atomicWrite(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function safeJoin(dir: string, relative: string): string {
  const clean = normalize(relative);
  if (clean.startsWith('..') || clean.startsWith(sep) || clean.includes(`${sep}..${sep}`)) {
    throw new PipelineError('E_INPUT', `artifact path '${relative}' escapes the artifact folder`, { field: 'files' });
  }
  return join(dir, clean);
}
