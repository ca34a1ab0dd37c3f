import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { crc32c, maskedCrc32c, parseEventFile, readEventFile, SummaryWriter } from '@pipeline/eeg';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'tensorboard');
// scalars.json: the inputs. ours/: written by write_ours.mjs with SummaryWriter and read back by tensorboard's
// EventAccumulator into expected_ours.json; theirs/: written by tensorboard's RecordWriter + protobuf (gen_tensorboard.py).
const spec = JSON.parse(await readFile(join(FIXTURES, 'scalars.json'), 'utf8')) as {
  start: number;
  host: string;
  scalars: Array<{ tag: string; value: number; step: number; wallTime: number }>;
};
const expectedOurs = JSON.parse(await readFile(join(FIXTURES, 'expected_ours.json'), 'utf8')) as {
  fileVersion: number;
  tags: string[];
  scalars: Record<string, Array<{ step: number; value: number; wallTime: number }>>;
};
const FILE = `events.out.tfevents.${Math.floor(spec.start)}.${spec.host}`;
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('CRC32C', () => {
  const ascii = (s: string) => new TextEncoder().encode(s);
  it('matches the published check values (RFC 3720 B.4 and the CRC catalogue)', () => {
    expect(crc32c(ascii('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });
  it('masks as TFRecord does', () => {
    const crc = 0xe3069283;
    expect(maskedCrc32c(ascii('123456789'))).toBe((((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0);
  });
});

describe('SummaryWriter', () => {
  async function writeSpec(jsonl?: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'tb-'));
    dirs.push(dir);
    const writer = new SummaryWriter(dir, { host: spec.host, now: () => spec.start, ...(jsonl === undefined ? {} : { jsonl }) });
    for (const s of spec.scalars) writer.addScalar(s.tag, s.value, s.step, s.wallTime);
    await writer.close();
    expect(await readdir(dir)).toEqual(jsonl === undefined ? [FILE] : [FILE, jsonl].sort());
    return dir;
  }

  it("writes the same bytes as tensorboard's own RecordWriter + protobuf", async () => {
    const dir = await writeSpec();
    const ours = await readFile(join(dir, FILE));
    expect(Buffer.compare(ours, await readFile(join(FIXTURES, 'theirs', FILE)))).toBe(0);
    expect(Buffer.compare(ours, await readFile(join(FIXTURES, 'ours', FILE)))).toBe(0);
  });

  it("reads back what tensorboard's EventAccumulator read from our file", async () => {
    const { fileVersion, scalars } = await readEventFile(join(FIXTURES, 'ours', FILE));
    expect(fileVersion).toBe('brain.Event:2');
    expect(expectedOurs.fileVersion).toBe(2);
    expect([...new Set(scalars.map((s) => s.tag))].sort()).toEqual(expectedOurs.tags);
    for (const tag of expectedOurs.tags) {
      expect(scalars.filter((s) => s.tag === tag).map(({ step, value, wallTime }) => ({ step, value, wallTime }))).toEqual(expectedOurs.scalars[tag]);
    }
    // The values tensorboard saw are the float32 roundings of the inputs.
    for (const s of spec.scalars) expect(expectedOurs.scalars[s.tag]!.find((e) => e.step === s.step)!.value).toBe(Math.fround(s.value));
  });

  it('mirrors scalars to a JSONL log', async () => {
    const dir = await writeSpec('scalars.jsonl');
    const lines = (await readFile(join(dir, 'scalars.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual(spec.scalars.map(({ tag, step, value, wallTime }) => ({ tag, step, value, wallTime })));
  });

  it('rejects corrupted records naming the record', async () => {
    const bytes = new Uint8Array(await readFile(join(FIXTURES, 'theirs', FILE)));
    const damaged = bytes.slice();
    damaged[60] = damaged[60]! ^ 0x01;
    expect(() => parseEventFile(damaged, 'x')).toThrow(expect.objectContaining({ code: 'E_INPUT', file: 'x', field: 'record[1]' }));
    expect(() => parseEventFile(bytes.subarray(0, bytes.length - 3), 'x')).toThrow(expect.objectContaining({ code: 'E_INPUT' }));
  });
});
