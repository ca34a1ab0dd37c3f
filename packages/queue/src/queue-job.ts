import { PipelineError, type ErrorCode, type ModelArtifact } from '@pipeline/core';
import type { FoldTask, FoldTaskResult } from '@pipeline/model-selection';
import type { StoredFoldEnvironment } from './fold-environment-store.js';

/** Version of the job data and result layout below; a worker refuses jobs of another version. */
export const QUEUE_JOB_FORMAT = 1;

/** Test hooks carried by a job (never set by the CLI). */
export interface QueueJobHooks {
  /** Throw this message on every attempt (a poisoned task). */
  readonly failWith?: string;
  /**
   * On the first worker to pick the task up: write `{ pid, ppid }` to this file (created exclusively)
   * and then sleep `holdMs`, so a test can kill that worker mid-task.
   */
  readonly holdMarker?: string;
  readonly holdMs?: number;
}

/**
 * Job data of a fold task: the plain-JSON task plus where its environment is. Search trials
 * (`train --optimize --queue`) are fold jobs too: the coordinator keeps the study and enqueues each
 * trial's fold tasks. The `kind` tag keeps the queue extensible (another kind adds a processor
 * branch and result shape, sharing the queue, the workers and the status command).
 */
export interface FoldJobData {
  readonly kind: 'fold';
  readonly format: number;
  /** Which run the job belongs to (for `pipeline queue status`). */
  readonly run: string;
  readonly task: FoldTask;
  readonly env: StoredFoldEnvironment;
  /** TensorFlow.js backend for temporal models. */
  readonly backend?: string;
  readonly hooks?: QueueJobHooks;
}

/** Every job kind the workers run. */
export type QueueJobData = FoldJobData;

/** Bytes travel through Redis as base64 strings inside the JSON job result. */
export interface EncodedArtifact {
  readonly kind: string;
  readonly formatVersion: number;
  readonly args: Readonly<Record<string, unknown>>;
  readonly state: Readonly<Record<string, unknown>>;
  readonly files: ReadonlyArray<{ readonly path: string; readonly base64: string }>;
  readonly children?: Readonly<Record<string, EncodedArtifact>>;
}

export interface EncodedTaskResult {
  readonly id: string;
  readonly output: FoldTaskResult['output'];
  readonly blobs?: Readonly<Record<string, string>>;
  readonly durationMs: number;
}

/** What a fold job returns: the result (OOF block as base64 float32) and the fitted model when the task keeps it. */
export interface FoldJobResult {
  readonly kind: 'fold';
  readonly result: EncodedTaskResult;
  readonly artifact?: EncodedArtifact;
}

const toBase64 = (data: Uint8Array) => Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
const fromBase64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

export function encodeArtifact(artifact: ModelArtifact): EncodedArtifact {
  return {
    kind: artifact.kind,
    formatVersion: artifact.formatVersion,
    args: artifact.args,
    state: artifact.state,
    files: artifact.files.map((file) => ({ path: file.path, base64: toBase64(file.data) })),
    ...(artifact.children === undefined ? {} : { children: Object.fromEntries(Object.entries(artifact.children).map(([k, v]) => [k, encodeArtifact(v)])) }),
  };
}

export function decodeArtifact(encoded: EncodedArtifact): ModelArtifact {
  return {
    kind: encoded.kind,
    formatVersion: encoded.formatVersion,
    args: encoded.args,
    state: encoded.state,
    files: encoded.files.map((file) => ({ path: file.path, data: fromBase64(file.base64) })),
    ...(encoded.children === undefined ? {} : { children: Object.fromEntries(Object.entries(encoded.children).map(([k, v]) => [k, decodeArtifact(v)])) }),
  };
}

export function encodeTaskResult(result: FoldTaskResult): EncodedTaskResult {
  return {
    id: result.id,
    output: result.output,
    durationMs: result.durationMs,
    ...(result.blobs === undefined ? {} : { blobs: Object.fromEntries(Object.entries(result.blobs).map(([k, v]) => [k, toBase64(v)])) }),
  };
}

export function decodeTaskResult(encoded: EncodedTaskResult): FoldTaskResult {
  return {
    id: encoded.id,
    output: encoded.output,
    durationMs: encoded.durationMs,
    ...(encoded.blobs === undefined ? {} : { blobs: Object.fromEntries(Object.entries(encoded.blobs).map(([k, v]) => [k, fromBase64(v)])) }),
  };
}

const CODE_PREFIX = /^\[(E_[A-Z_]+)\] /;

/** The message a worker fails a job with: `[E_CODE] message`, so the coordinator can rebuild the error's code. */
export function jobFailureMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('E_') ? `[${code}] ${message}` : message;
}

/** The run's error for a job that failed for good (`failedReason` as BullMQ stored it). */
export function jobFailureError(taskId: string, attempts: number, failedReason: string | undefined): PipelineError {
  const reason = failedReason ?? 'no reason recorded';
  const match = CODE_PREFIX.exec(reason);
  const code = (match?.[1] ?? 'E_INTERNAL') as ErrorCode;
  const message = match === null ? reason : reason.slice(match[0].length);
  return new PipelineError(code, `task ${taskId} failed on the queue after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${message}`, {
    field: taskId,
    hint: 'the worker logs have the stack; `pipeline queue status --queue …` lists failed tasks',
  });
}
