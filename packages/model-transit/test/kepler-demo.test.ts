import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { formatTransitCsv, generateKeplerDemo, readTransitCsv, TRANSIT_COLUMNS, toTransitFeatures, writeKeplerDemoCsv } from '../src/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kepler-demo-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('generateKeplerDemo', () => {
  test('seeded: same seed → same CSV bytes; another seed → other rows', async () => {
    const a = await writeKeplerDemoCsv(join(dir, 'a.csv'), { rows: 300, seed: 5 });
    await writeKeplerDemoCsv(join(dir, 'b.csv'), { rows: 300, seed: 5 });
    await writeKeplerDemoCsv(join(dir, 'c.csv'), { rows: 300, seed: 6 });
    const [bytesA, bytesB, bytesC] = await Promise.all(['a', 'b', 'c'].map((n) => readFile(join(dir, `${n}.csv`))));
    expect(bytesA!.equals(bytesB!)).toBe(true);
    expect(bytesA!.equals(bytesC!)).toBe(false);
    expect(a).toHaveLength(300);
    await expect(writeKeplerDemoCsv(join(dir, 'a.csv'), { rows: 3, seed: 5 })).rejects.toThrow(/already exists/);
  });

  test("the seed's columns, read back with readTransitCsv", async () => {
    const path = join(dir, 'read.csv');
    const records = await writeKeplerDemoCsv(path, { rows: 50, seed: 1 });
    const text = await readFile(path, 'utf8');
    expect(text.split('\n')[0]).toBe('period,duration,depth,impact,snr,steff,srad,slogg,tmag,label');
    expect(TRANSIT_COLUMNS.join(',')).toBe(text.split('\n')[0]);
    const back = await readTransitCsv(path);
    expect(back.map((r) => r.label)).toEqual(records.map((r) => r.label));
    back.forEach((r, i) => {
      expect(r.period).toBeCloseTo(records[i]!.period, 5);
      expect(r.depth).toBeCloseTo(records[i]!.depth, 0);
      expect(r.snr).toBeCloseTo(records[i]!.snr, 2);
    });
  });

  test('class shares and class-dependent distributions', () => {
    const records = generateKeplerDemo({ rows: 4000, seed: 11 });
    const by = (label: string) => records.filter((r) => r.label === label);
    const share = (label: string) => by(label).length / records.length;
    expect(share('CANDIDATE')).toBeGreaterThan(0.22);
    expect(share('CANDIDATE')).toBeLessThan(0.29);
    expect(share('CONFIRMED')).toBeGreaterThan(0.32);
    expect(share('CONFIRMED')).toBeLessThan(0.39);
    expect(share('FALSE POSITIVE')).toBeGreaterThan(0.37);
    expect(share('FALSE POSITIVE')).toBeLessThan(0.44);
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const fraction = (rows: typeof records, test: (r: (typeof records)[number]) => boolean) => rows.filter(test).length / rows.length;
    // confirmed: high snr; candidates: in between; false positives: grazing or very deep
    expect(median(by('CONFIRMED').map((r) => r.snr))).toBeGreaterThan(2 * median(by('CANDIDATE').map((r) => r.snr)));
    expect(fraction(by('FALSE POSITIVE'), (r) => r.impact > 0.9 || r.depth > 20000)).toBeGreaterThan(0.5);
    expect(fraction(by('CONFIRMED'), (r) => r.impact > 0.9 || r.depth > 20000)).toBeLessThan(0.06);
    for (const r of records) {
      expect(r.duration).toBeGreaterThanOrEqual(0.5);
      expect(r.period).toBeGreaterThan(0);
    }
  });

  test('bad CSVs are E_INPUT naming the file and the field', async () => {
    const missing = join(dir, 'missing.csv');
    await writeFile(missing, 'period,duration,depth,impact,snr,label\n1,2,3,0.1,10,CONFIRMED\n');
    await expect(readTransitCsv(missing)).rejects.toMatchObject({ code: 'E_INPUT', field: 'steff', message: expect.stringContaining('steff, srad, slogg, tmag') });
    const badLabel = join(dir, 'label.csv');
    const good = formatTransitCsv(generateKeplerDemo({ rows: 2, seed: 1 }));
    await writeFile(badLabel, good.replace(/(CANDIDATE|CONFIRMED|FALSE POSITIVE)\n$/, 'PLANET\n'));
    await expect(readTransitCsv(badLabel)).rejects.toMatchObject({ code: 'E_INPUT', field: 'label', file: badLabel });
    expect(() => toTransitFeatures([{ period: 1, duration: 2, depth: 3, impact: 'x', snr: 1, steff: 1, srad: 1, slogg: 1, tmag: 1 }])).toThrow(
      /row 1: impact is "x", not a finite number/,
    );
    expect(() => toTransitFeatures([{ period: 0, duration: 2, depth: 3, impact: 0, snr: 1, steff: 1, srad: 1, slogg: 1, tmag: 1 }])).toThrow(/period must be > 0/);
  });
});
