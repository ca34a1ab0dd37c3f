/**
 * The shortest decimal text that reads back (through a correctly rounded parse, then a float32
 * cast) as exactly the float32 value `value`: `0.1f` → `0.1`, not `0.10000000149011612`.
 * NaN → `''` (an empty cell, as pandas writes NaN), ±Infinity → `inf`/`-inf`.
 */
export function formatFloat32(value: number): string {
  if (Number.isNaN(value)) return '';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const target = Math.fround(value);
  for (let digits = 1; digits < 9; digits++) {
    const text = target.toPrecision(digits);
    if (Math.fround(Number(text)) === target) return String(Number(text));
  }
  return String(Number(target.toPrecision(9)));
}

/** The shortest round-trip text of a float64 (`String`), with NaN → `''` and ±Infinity → `inf`/`-inf`. */
export function formatFloat64(value: number): string {
  if (Number.isNaN(value)) return '';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  return Object.is(value, -0) ? '-0' : String(value);
}

/** A CSV field: quoted (with `""` escapes) when it holds the delimiter, a quote or a line break. */
export function csvField(text: string, delimiter = ','): string {
  return text.includes(delimiter) || text.includes('"') || text.includes('\n') || text.includes('\r')
    ? `"${text.replaceAll('"', '""')}"`
    : text;
}
