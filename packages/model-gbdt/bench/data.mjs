// Benchmark data: the CSV files of ../shared/bench/gbdt_make_data.py (<name>_X.csv, _y.csv,
// _folds.csv), cached next to them as raw little-endian binaries (<name>_X.f32, ...) on first use.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function parseCsvColumns(path) {
  const text = readFileSync(path, 'latin1');
  const firstNewline = text.indexOf('\n');
  const cols = text.slice(0, firstNewline).split(',').length;
  const values = [];
  let start = firstNewline + 1;
  for (let i = start; i <= text.length; i++) {
    const ch = i < text.length ? text.charCodeAt(i) : 10;
    if (ch === 44 || ch === 10) {
      if (i > start) values.push(Number(text.slice(start, i)));
      start = i + 1;
    }
  }
  return { cols, values };
}

export function loadBenchData(dir, name) {
  const bin = (suffix) => join(dir, `${name}_${suffix}`);
  if (!existsSync(bin('X.f32'))) {
    const { cols, values } = parseCsvColumns(bin('X.csv'));
    writeFileSync(bin('X.f32'), new Uint8Array(Float32Array.from(values).buffer));
    writeFileSync(bin('shape.json'), JSON.stringify({ rows: values.length / cols, cols }));
    writeFileSync(bin('y.i32'), new Uint8Array(Int32Array.from(parseCsvColumns(bin('y.csv')).values).buffer));
    writeFileSync(bin('folds.i32'), new Uint8Array(Int32Array.from(parseCsvColumns(bin('folds.csv')).values).buffer));
  }
  const read = (file, Type) => {
    const b = readFileSync(file);
    return new Type(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  };
  const { rows, cols } = JSON.parse(readFileSync(bin('shape.json'), 'utf8'));
  return { X: read(bin('X.f32'), Float32Array), y: read(bin('y.i32'), Int32Array), folds: read(bin('folds.i32'), Int32Array), n: rows, d: cols };
}

function procStat() {
  const parts = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const idle = parts[3] + parts[4];
  const total = parts.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/**
 * Share of the machine's CPU used by OTHER processes between `start` and now (like the peer
 * script's fit_other_share); call with no argument to get a start mark.
 */
export function otherCpuShare(start, ownCpuSeconds) {
  const now = procStat();
  if (start === undefined) return now;
  const ticks = 100; // USER_HZ
  const dt = Math.max(now.total - start.total, 1);
  const other = now.busy - start.busy - ownCpuSeconds * ticks;
  return Math.max(other, 0) / dt;
}
