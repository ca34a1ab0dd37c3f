import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { iterCsvBatches, readCsv } from '@pipeline/ingest';
import { setCsvParallelTestHooks, stopCsvWorkers } from '../src/csv-parallel.js';
import { tempDir, writeText } from './tmp-dir.js';

afterEach(() => setCsvParallelTestHooks());
afterAll(() => stopCsvWorkers());

/**
 * Exact float round trip of the CSV number parser: every cell must read as the double `Number(text)`
 * gives (ECMAScript's correctly rounded decimal → binary conversion, the same as Python's `float()`
 * and pandas `float_precision='round_trip'`), bit for bit, on the word-at-a-time fast path, the
 * byte loop (Clinger) and the `Number()` fallback alike, serially, on 2 threads with tiny chunks
 * and streamed with tiny read buffers.
 */

const SEED = 20261206;

/** A double from its 64 bits: any sign, exponent and mantissa (NaN and infinities excluded). */
const anyDouble = fc.bigUint64Array({ minLength: 1, maxLength: 1 }).map((bits) => new Float64Array(bits.buffer)[0]!).filter(Number.isFinite);
/** Subnormals and the smallest normals: exponent field 0 or 1. */
const tinyDouble = fc.tuple(fc.bigInt({ min: 0n, max: (1n << 53n) - 1n }), fc.boolean()).map(([mantissa, negative]) => {
  const bits = new BigUint64Array([(negative ? 1n << 63n : 0n) | mantissa]);
  return new Float64Array(bits.buffer)[0]!;
});

/** The exact decimal text of the point halfway between `x > 0` and the next double up. */
function halfwayText(x: number): string {
  const bits = new BigUint64Array(new Float64Array([x]).buffer)[0]!;
  const field = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  // x = mantissa · 2^exponent (subnormals: field 0, no hidden bit); the midpoint is (2·mantissa + 1) · 2^(exponent - 1).
  const mantissa = field === 0 ? fraction : fraction | (1n << 52n);
  const exponent = (field === 0 ? 1 : field) - 1075;
  const odd = 2n * mantissa + 1n;
  const power = exponent - 1;
  if (power >= 0) return (odd << BigInt(power)).toString();
  const digits = (odd * 5n ** BigInt(-power)).toString().padStart(-power + 1, '0');
  return `${digits.slice(0, digits.length + power)}.${digits.slice(digits.length + power)}`;
}

/** Texts the way programs print doubles, plus long, halfway and edge-exponent spellings. */
const numberText: fc.Arbitrary<string> = fc.oneof(
  anyDouble.map((x) => String(x)),
  fc.tuple(anyDouble, fc.integer({ min: 0, max: 20 })).map(([x, k]) => x.toExponential(k)),
  fc.tuple(fc.double({ min: -1e21, max: 1e21, noNaN: true }), fc.integer({ min: 0, max: 20 })).map(([x, k]) => x.toFixed(k)),
  fc.tuple(anyDouble, fc.integer({ min: 1, max: 21 })).map(([x, k]) => x.toPrecision(k)),
  // Short decimals (the fast path's domain, 1–15 digits), with signs and leading zeros.
  fc
    .tuple(fc.stringMatching(/^-?0{0,3}[0-9]{1,8}$/), fc.stringMatching(/^[0-9]{0,9}$/), fc.boolean())
    .map(([whole, fraction, point]) => (point || fraction === '' ? `${whole}.${fraction}` : `${whole}${fraction}`)),
  // Float32 values printed like numpy's %.8g / %.9g.
  fc.float({ noNaN: true, noDefaultInfinity: true }).map((x) => x.toPrecision(8)),
  fc.float({ noNaN: true, noDefaultInfinity: true }).map((x) => x.toPrecision(9)),
  // Long mantissas (16–40 digits) with a point anywhere and an optional exponent.
  fc
    .tuple(fc.stringMatching(/^[1-9][0-9]{15,39}$/), fc.nat(40), fc.option(fc.integer({ min: -340, max: 320 }), { nil: undefined }), fc.boolean())
    .map(([digits, at, exponent, negative]) => {
      const k = at % (digits.length + 1);
      const text = `${digits.slice(0, k) || '0'}.${digits.slice(k)}`;
      return `${negative ? '-' : ''}${text}${exponent === undefined ? '' : `e${exponent}`}`;
    }),
  tinyDouble.map((x) => String(x)),
  tinyDouble.map((x) => x.toExponential(20)),
  // Exactly halfway between two doubles (ties to even), and one unit either side in a far digit.
  fc.tuple(anyDouble.map(Math.abs).filter((x) => x > 0 && x < Number.MAX_VALUE), fc.integer({ min: -1, max: 1 })).map(([x, nudge]) => {
    const text = halfwayText(x);
    if (nudge === 0) return text;
    if (nudge > 0) return `${text}${text.includes('.') ? '' : '.'}000000000000000000001`; // just above
    if (!text.includes('.')) return (BigInt(text) - 1n).toString(); // just below
    const shorter = text.slice(0, -1); // the last digit of a fractional midpoint is 5: dropping it goes below
    return shorter.endsWith('.') ? `${shorter}0` : shorter;
  }),
  fc.bigInt({ min: 1n << 53n, max: 1n << 64n }).map((n) => (n | 1n).toString()),
  fc.constantFrom(
    '9007199254740993',
    '9007199254740992',
    '9007199254740994.5',
    '18014398509481985',
    '1e308',
    '1.7976931348623157e308',
    '1.7976931348623158e308',
    '1.7976931348623159e308',
    '2e308',
    '4.9406564584124654e-324',
    '2.4703282292062327e-324',
    '2.4703282292062328e-324',
    '5e-324',
    '1e-400',
    '2.2250738585072011e-308',
    '2.2250738585072014e-308',
    '1e22',
    '1e23',
    '9.999999999999999e22',
    '123456789012345.6',
    '0.000000000000000000001',
    '999999999999999',
    '9999999999999999',
    '-0',
    '-0.0',
    '0e-999',
    '1e0000000000000000000001',
    '.5',
    '5.',
    '+1.5',
    '00000000000000000000000000001.25',
    '0.1',
    '0.3',
  ),
);

/** A one-column CSV of the texts (with an id column when asked) and the doubles `Number()` gives. */
function csvOf(texts: readonly string[], withId: boolean, crlf: boolean): { text: string; expected: Float64Array } {
  const end = crlf ? '\r\n' : '\n';
  const lines = texts.map((t, i) => (withId ? `r${i},${t},${t}` : `${t},${t}`));
  return { text: `${withId ? 'id,' : ''}a,b${end}${lines.join(end)}${end}`, expected: Float64Array.from(texts.flatMap((t) => [Number(t), Number(t)])) };
}

const hex = (data: Float32Array | Float64Array): string => Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('hex');

describe('CSV numbers read back exactly as Number(text)', () => {
  it('readCsv float64 and float32, serial and on 2 threads with tiny chunks, equal Number() bit for bit', async () => {
    const dir = tempDir();
    let file = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(numberText, { minLength: 1, maxLength: 60 }), fc.boolean(), fc.boolean(), fc.integer({ min: 7, max: 400 }), async (texts, withId, crlf, chunkBytes) => {
        const { text, expected } = csvOf(texts, withId, crlf);
        const path = writeText(dir, `n${file++}.csv`, text);
        const serial = await readCsv(path, { dtype: 'float64', threads: 1 });
        expect(hex(serial.data)).toBe(hex(expected));
        setCsvParallelTestHooks({ chunkBytes });
        const parallel = await readCsv(path, { dtype: 'float64', threads: 2 });
        expect(hex(parallel.data)).toBe(hex(expected));
        const float32 = await readCsv(path, { threads: 2 });
        expect(hex(float32.matrix.data)).toBe(hex(Float32Array.from(expected)));
        setCsvParallelTestHooks();
      }),
      { numRuns: 200, seed: SEED },
    );
  });

  it('streamed with 1 KiB reads (cells across buffer ends and near the word reads’ limit) equals Number()', async () => {
    const dir = tempDir();
    let file = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(numberText, { minLength: 20, maxLength: 120 }), async (texts) => {
        const { text, expected } = csvOf(texts, false, false);
        const path = writeText(dir, `s${file++}.csv`, text);
        const parts: Float64Array[] = [];
        for await (const batch of iterCsvBatches(path, { dtype: 'float64', readBytes: 1024, batchRows: 7 })) parts.push(batch.data as Float64Array);
        const values = new Float64Array(parts.reduce((n, part) => n + part.length, 0));
        let at = 0;
        for (const part of parts) {
          values.set(part, at);
          at += part.length;
        }
        expect(hex(values)).toBe(hex(expected));
      }),
      { numRuns: 100, seed: SEED + 1 },
    );
  });

  it('the halfway texts are what they claim: exactly between two doubles, ties to even', () => {
    // 2^53 + 1 lies between 2^53 and 2^53 + 2: ties to the even mantissa, 2^53.
    expect(halfwayText(2 ** 53)).toBe('9007199254740993');
    expect(Number('9007199254740993')).toBe(2 ** 53);
    // 1 + 2^-53 is halfway between 1 and 1 + 2^-52: ties to 1.
    expect(halfwayText(1)).toBe(`1.${(5n ** 53n).toString().padStart(53, '0')}`);
    expect(Number(halfwayText(1))).toBe(1);
    // Halfway between the two smallest subnormals: ties to the even one, 2^-1073 (10 · 2^-1075).
    expect(Number(halfwayText(Number.MIN_VALUE))).toBe(2 * Number.MIN_VALUE);
  });
});
