/**
 * Python's rounding, reproduced exactly: reference scorers (NEDC, timescoring, scikit-learn's
 * text report) round with Python, which rounds the exact binary value half to even.
 */

/**
 * `x` with `digits` decimals, like Python's `format(x, '.Nf')`: correctly rounded from the exact
 * binary value, exact ties to even (`Number.prototype.toFixed` sends exact ties away from zero).
 */
export function formatFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const extra = 25;
  const long = Math.abs(x).toFixed(digits + extra);
  const tail = long.slice(long.length - extra);
  if (tail === `5${'0'.repeat(extra - 1)}`) {
    const head = long.slice(0, long.length - extra).replace(/\.$/, '');
    const lastDigit = Number(head[head.length - 1]);
    const rounded = lastDigit % 2 === 0 ? head : Math.abs(x).toFixed(digits);
    return (x < 0 ? '-' : '') + rounded;
  }
  return x.toFixed(digits);
}

/** Python's `round(x, digits)` (`digits` ≥ 0). */
export function pyRoundTo(x: number, digits: number): number {
  const scale = 10 ** digits;
  const scaled = x * scale;
  const fraction = scaled - Math.floor(scaled);
  // Away from a decimal tie the scaled product rounds to the right integer, and integer / 10^d is
  // the double nearest to the decimal result, as Python returns. Near a tie, decide exactly.
  if (Number.isFinite(scaled) && Math.abs(scaled) < 2 ** 52 && Math.abs(fraction - 0.5) > 1e-6) {
    return Math.round(scaled) / scale;
  }
  return Number(formatFixed(x, digits));
}

/** Python's `round(x)` to an integer: halves go to the even neighbour (`round(10.5) == 10`). */
export function pyRound(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff < 0.5) return floor;
  if (diff > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}
