import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { sequentialExecutor } from '@pipeline/model-selection';
import { openRun } from '@pipeline/runs';
import { parseTrainConfig, trainRun } from '@pipeline/workflows';
import { expectSameRun, useDemoFixture } from '@pipeline/test-support';
import { run } from './helpers.js';

const { root, demo, tableConfig } = useDemoFixture('cli-config-', { n: 240, seed: 5, testN: 30 });
const cli = (argv: string[]) => run(argv, { cwd: root });

describe('train --config and the library call', () => {
  it('writes the same run folder, byte for byte, as `pipeline train --config` with the same config', async () => {
    const lib = join(root, 'lib');
    // In this process on both sides (the worker pool has its own test below).
    const result = await trainRun(tableConfig(), { runDir: lib, executor: sequentialExecutor });
    expect(result.status).toBe('completed');
    expect(result.baseModels).toEqual(['hgb_tabular']);
    await writeFile(join(root, 'run.json'), JSON.stringify(tableConfig()));
    const viaCli = join(root, 'cli');
    const out = await cli(['train', '--config', join(root, 'run.json'), '--run-dir', viaCli, '--quiet', '--workers', '1']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    await expectSameRun(lib, viaCli);
    // The stored config is the resolved one and retrains the same run, byte for byte.
    const run = await openRun(lib);
    expect(run.manifest.formatVersion).toBe(2);
    expect(run.config).toEqual(JSON.parse(JSON.stringify(result.config)));
    expect(run.manifest.configHash).toBe(result.configHash);
    const again = join(root, 'again');
    const retrain = await cli(['train', '--config', join(lib, 'config.json'), '--run-dir', again, '--quiet', '--workers', '1']);
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
