import { createRng } from '@pipeline/core';
import { tf } from '@pipeline/tf';

/** Seeded uniform values in [-1, 1) from core's generator (identical on every backend). */
export function uniform(shape: number[], seed: number): tf.Tensor {
  const rng = createRng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: size }, () => 2 * rng.uniform() - 1), shape);
}

/** max |a − b| / max |b| over two equally shaped arrays. */
export function relativeDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}

/** Runs `f` on each backend and returns its outputs' values, per backend. */
export async function onBackends(backends: string[], f: () => tf.Tensor[]): Promise<Record<string, Float32Array[]>> {
  const out: Record<string, Float32Array[]> = {};
  for (const backend of backends) {
    await tf.setBackend(backend);
    const tensors = f();
    out[backend] = tensors.map((t) => t.dataSync() as Float32Array);
    tf.dispose(tensors);
  }
  return out;
}

