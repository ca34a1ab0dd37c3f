import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { PipelineError, atomicWrite } from '@pipeline/core';
import { validateManifest, type RunManifest, type RunStatus } from './manifest.js';

export const MANIFEST_FILE = 'manifest.json';

/**
 * A run folder. Every file is written to a temporary name and renamed; the manifest says
 * `running` from the first write and `completed` only after every other file is in place, so an
 * interrupted train leaves a run that says so.
 */
export class RunDirectory {
  readonly dir: string;
  private current: RunManifest | undefined;

  private constructor(dir: string, manifest: RunManifest | undefined) {
    this.dir = dir;
    this.current = manifest;
  }

  /**
   * Prepares a folder for a new run. Refuses a non-empty folder unless `resume` is set, in which
   * case the folder must hold a run that did not complete.
   */
  static async create(dir: string, options: { resume?: boolean } = {}): Promise<RunDirectory> {
    const path = resolve(dir);
    const entries = await listDir(path);
    if (entries.length > 0) {
      if (options.resume !== true) {
        throw new PipelineError('E_STATE', 'the run folder already exists and is not empty', {
          file: path,
          field: '--run-dir',
          hint: 'choose a new --run-dir, or pass --resume to continue an interrupted run in it',
        });
      }
      const existing = await RunDirectory.open(path);
      if (existing.manifest.status === 'completed') {
        throw new PipelineError('E_STATE', 'the run is already completed; there is nothing to resume', {
          file: join(path, MANIFEST_FILE),
          field: 'status',
          hint: 'choose a new --run-dir to train again',
        });
      }
      return existing;
    }
    if (options.resume === true) {
      throw new PipelineError('E_NOT_FOUND', 'there is no run to resume in this folder', {
        file: path,
        field: '--resume',
        hint: 'point --run-dir at the folder of the interrupted run',
      });
    }
    await mkdir(path, { recursive: true });
    return new RunDirectory(path, undefined);
  }

  /** Opens an existing run (any status). */
  static async open(dir: string): Promise<RunDirectory> {
    const path = resolve(dir);
    const file = join(path, MANIFEST_FILE);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (cause) {
      throw new PipelineError('E_NOT_FOUND', 'no run manifest here', {
        file,
        hint: 'point --run-dir at a folder written by `pipeline train`',
        cause,
      });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw new PipelineError('E_INPUT', 'run manifest is not valid JSON', { file, cause });
    }
    return new RunDirectory(path, validateManifest(parsed, file));
  }

  /** Opens a run and refuses anything but a completed one. */
  static async openCompleted(dir: string, purpose: string): Promise<RunDirectory> {
    const run = await RunDirectory.open(dir);
    requireCompleted(run.manifest, join(run.dir, MANIFEST_FILE), purpose);
    return run;
  }

  get manifest(): RunManifest {
    if (this.current === undefined) {
      throw new PipelineError('E_INTERNAL', `run ${this.dir} has no manifest yet`);
    }
    return this.current;
  }

  get hasManifest(): boolean {
    return this.current !== undefined;
  }

  path(relative: string): string {
    return join(this.dir, relative);
  }

  /** Writes the manifest (atomically). `updatedAt` is set here. */
  async writeManifest(manifest: Omit<RunManifest, 'updatedAt'> & { updatedAt?: string }): Promise<RunManifest> {
    const next: RunManifest = { ...manifest, updatedAt: new Date().toISOString() };
    await atomicWrite(this.path(MANIFEST_FILE), `${JSON.stringify(next, null, 2)}\n`);
    this.current = next;
    return next;
  }

  /** Updates fields of the manifest and writes it. */
  async updateManifest(changes: Partial<RunManifest>): Promise<RunManifest> {
    return this.writeManifest({ ...this.manifest, ...changes });
  }

  async setStatus(status: RunStatus, error?: { code: string; message: string }): Promise<RunManifest> {
    const finishedAt = status === 'running' ? undefined : new Date().toISOString();
    const { error: _previous, finishedAt: _old, ...rest } = this.manifest;
    return this.writeManifest({
      ...rest,
      status,
      ...(finishedAt === undefined ? {} : { finishedAt }),
      ...(error === undefined ? {} : { error }),
    });
  }

  /** Writes a file inside the run atomically, creating folders. */
  async writeFile(relative: string, data: Uint8Array | string): Promise<void> {
    const target = this.path(relative);
    await mkdir(dirname(target), { recursive: true });
    await atomicWrite(target, data);
  }

  async writeJson(relative: string, value: unknown): Promise<void> {
    await this.writeFile(relative, `${JSON.stringify(value, null, 2)}\n`);
  }

  async readJson<T>(relative: string): Promise<T> {
    const file = this.path(relative);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (cause) {
      throw new PipelineError('E_NOT_FOUND', 'a file the run manifest lists is missing', { file, cause });
    }
    return JSON.parse(text) as T;
  }

  async readBytes(relative: string): Promise<Uint8Array> {
    const file = this.path(relative);
    try {
      return new Uint8Array(await readFile(file));
    } catch (cause) {
      throw new PipelineError('E_NOT_FOUND', 'a file the run manifest lists is missing', { file, cause });
    }
  }

  async exists(relative: string): Promise<boolean> {
    try {
      await stat(this.path(relative));
      return true;
    } catch {
      return false;
    }
  }

  async remove(relative: string): Promise<void> {
    await rm(this.path(relative), { recursive: true, force: true });
  }
}

/** Throws `E_STATE` (naming what to do) unless the manifest says `completed`. */
export function requireCompleted(manifest: RunManifest, file: string, purpose: string): void {
  const { status } = manifest;
  if (status === 'completed') return;
  const why =
    status === 'failed'
      ? `the run failed${manifest.error ? ` (${manifest.error.message})` : ''}`
      : 'the run is still running or was interrupted without being marked failed';
  throw new PipelineError('E_STATE', `cannot ${purpose}: ${why}`, {
    file,
    field: 'status',
    hint: 'finish it with `pipeline train --resume --run-dir <dir> …` or use a completed run',
  });
}

async function listDir(path: string): Promise<string[]> {
  try {
    const info = await stat(path);
    if (!info.isDirectory()) {
      throw new PipelineError('E_USAGE', 'the run path exists and is not a folder', { file: path, field: '--run-dir' });
    }
    return await readdir(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
