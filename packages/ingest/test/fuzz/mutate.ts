import fc from 'fast-check';

/** One edit of a file's bytes; positions are taken modulo the length (or biased to the `hot` ranges). */
export type Mutation =
  | { readonly kind: 'set'; readonly at: number; readonly byte: number }
  | { readonly kind: 'delete'; readonly at: number; readonly length: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: readonly number[] }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'duplicate'; readonly at: number; readonly length: number; readonly to: number }
  | { readonly kind: 'overwrite'; readonly at: number; readonly length: number; readonly to: number };

/** Relative weights of the edit kinds. */
export type MutationWeights = Readonly<Record<Mutation['kind'], number>>;

/** Text formats: as many edits that change the length as ones that do not. */
export const TEXT_WEIGHTS: MutationWeights = { set: 4, delete: 2, insert: 2, truncate: 1, duplicate: 1, overwrite: 0 };
/**
 * Binary formats with a stored length (HDF5's end-of-file address, Arrow's footer offset): mostly
 * same-length edits, which get past the first length check into the structures behind it.
 */
export const BINARY_WEIGHTS: MutationWeights = { set: 8, delete: 1, insert: 1, truncate: 1, duplicate: 1, overwrite: 3 };

/**
 * 1–4 random edits: a byte set to a random or an "interesting" value, a range deleted, bytes
 * inserted, the file truncated, a range copied elsewhere (a repeated line, a repeated record) or
 * copied over other bytes (same length).
 */
export function mutationsArbitrary(interesting: readonly number[], weights: MutationWeights = TEXT_WEIGHTS): fc.Arbitrary<Mutation[]> {
  const at = fc.nat();
  const byte = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(...interesting));
  const kinds: Array<{ weight: number; arbitrary: fc.Arbitrary<Mutation> }> = [
    { weight: weights.set, arbitrary: fc.record({ kind: fc.constant('set' as const), at, byte }) },
    { weight: weights.delete, arbitrary: fc.record({ kind: fc.constant('delete' as const), at, length: fc.integer({ min: 1, max: 16 }) }) },
    { weight: weights.insert, arbitrary: fc.record({ kind: fc.constant('insert' as const), at, bytes: fc.array(byte, { minLength: 1, maxLength: 12 }) }) },
    { weight: weights.truncate, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at }) },
    {
      weight: weights.duplicate,
      arbitrary: fc.record({ kind: fc.constant('duplicate' as const), at, length: fc.integer({ min: 1, max: 64 }), to: fc.nat() }),
    },
    {
      weight: weights.overwrite,
      arbitrary: fc.record({ kind: fc.constant('overwrite' as const), at, length: fc.integer({ min: 1, max: 64 }), to: fc.nat() }),
    },
  ];
  const mutation = fc.oneof(...kinds.filter((kind) => kind.weight > 0));
  return fc.array(mutation, { minLength: 1, maxLength: 4 });
}

/**
 * Applies the edits in order. Positions: `at % length`, except that with `hot` ranges (e.g. a
 * binary format's header and footer) every other edit lands in one of them.
 */
export function applyMutations(base: Uint8Array, mutations: readonly Mutation[], hot: ReadonlyArray<readonly [number, number]> = []): Uint8Array {
  let bytes: Uint8Array = Uint8Array.from(base);
  mutations.forEach((m, k) => {
    const n = Math.max(1, bytes.length);
    let position = m.at % n;
    if (hot.length > 0 && k % 2 === 0) {
      const [start, end] = hot[m.at % hot.length]!;
      const lo = Math.max(0, Math.min(start, n - 1));
      const hi = Math.max(lo + 1, Math.min(end, n));
      position = lo + (Math.floor(m.at / hot.length) % (hi - lo));
    }
    switch (m.kind) {
      case 'set':
        if (bytes.length > 0) bytes[position] = m.byte;
        break;
      case 'delete':
        bytes = concat(bytes.subarray(0, position), bytes.subarray(position + m.length));
        break;
      case 'insert':
        bytes = concat(bytes.subarray(0, position), Uint8Array.from(m.bytes), bytes.subarray(position));
        break;
      case 'truncate':
        bytes = bytes.slice(0, position);
        break;
      case 'duplicate': {
        const piece = bytes.slice(position, position + m.length);
        const to = m.to % n;
        bytes = concat(bytes.subarray(0, to), piece, bytes.subarray(to));
        break;
      }
      case 'overwrite': {
        const piece = bytes.slice(position, position + m.length);
        bytes.set(piece.subarray(0, Math.max(0, bytes.length - (m.to % n))), m.to % n);
        break;
      }
    }
  });
  return bytes;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
