import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { generateDemoData } from '@pipeline/ingest';
import { sequentialExecutor } from '@pipeline/model-selection';
import { differingRunFiles, openRun } from '@pipeline/runs';
import { runCli } from '../src/cli.js';
import { parseTrainConfig, trainRun, type TrainConfigInput } from '@pipeline/workflows';

let root: string;
let demo: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cli-config-'));
  demo = join(root, 'demo');
  await generateDemoData({ outDir: demo, n: 240, seed: 5, testN: 30 });
}, 120_000);

const tableConfig = (): TrainConfigInput => ({
  seed: 9,
  inputs: { table: { file: join(demo, 'X_train.csv') }, labels: { file: join(demo, 'y_train.csv') } },
  baseModels: [{ kind: 'hgb', args: { maxIter: 15, maxLeafNodes: 8 } }],
  cv: { splits: 3 },
});

async function expectSameRun(a: string, b: string): Promise<void> {
  expect(await differingRunFiles(a, b)).toEqual([]);
}

async function cli(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), stderrIsTTY: false, cwd: root });
  return { code, stdout, stderr };
}

describe('train --config and the library call', () => {
  it('writes the same run folder, byte for byte, as `pipeline train --config` with the same config', async () => {
    const lib = join(root, 'lib');
    const result = await trainRun(tableConfig(), { runDir: lib });
    expect(result.status).toBe('completed');
    expect(result.baseModels).toEqual(['hgb_tabular']);
    await writeFile(join(root, 'run.json'), JSON.stringify(tableConfig()));
    const viaCli = join(root, 'cli');
    const out = await cli(['train', '--config', join(root, 'run.json'), '--run-dir', viaCli, '--quiet']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    await expectSameRun(lib, viaCli);
    // The stored config is the resolved one and retrains the same run, byte for byte.
    const run = await openRun(lib);
    expect(run.manifest.formatVersion).toBe(2);
    expect(run.config).toEqual(JSON.parse(JSON.stringify(result.config)));
    expect(run.manifest.configHash).toBe(result.configHash);
    const again = join(root, 'again');
    const retrain = await cli(['train', '--config', join(lib, 'config.json'), '--run-dir', again, '--quiet']);
    expect(retrain.code).toBe(0);
    await expectSameRun(lib, again);
  });

  it('flags → config → YAML → config is the identity (train --print-config)', async () => {
    const flags = ['train', '--x-csv', join(demo, 'X_train.csv'), '--y-csv', join(demo, 'y_train.csv'), '--hgb-max-iter', '15', '--hgb-max-leaf-nodes', '8', '--splits', '3', '--seed', '9'];
    const printed = await cli([...flags, '--print-config']);
    expect(printed.code).toBe(0);
    await writeFile(join(root, 'printed.yaml'), printed.stdout);
    const fromYaml = await cli(['train', '--config', join(root, 'printed.yaml'), '--print-config', '--json']);
    expect(fromYaml.code).toBe(0);
    const expected = parseTrainConfig(tableConfig());
    expect(JSON.parse(fromYaml.stdout)).toEqual(JSON.parse(JSON.stringify(expected)));
    // Flags override the file.
    const overridden = await cli(['train', '--config', join(root, 'printed.yaml'), '--hgb-max-iter', '40', '--splits', '4', '--print-config', '--json']);
    const config = JSON.parse(overridden.stdout);
    expect(config.baseModels[0].args.maxIter).toBe(40);
    expect(config.baseModels[0].args.maxLeafNodes).toBe(8);
    expect(config.cv.splits).toBe(4);
  });

  it('--workers 2 gives the same bytes as the in-process executor', async () => {
    const sequential = join(root, 'seq');
    await trainRun(tableConfig(), { runDir: sequential, executor: sequentialExecutor });
    await writeFile(join(root, 'run.json'), JSON.stringify(tableConfig()));
    const viaCli = join(root, 'par-cli');
    expect((await cli(['train', '--config', join(root, 'run.json'), '--run-dir', viaCli, '--workers', '2', '--quiet'])).code).toBe(0);
    await expectSameRun(sequential, viaCli);
  });
});
