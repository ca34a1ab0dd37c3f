import { PipelineError } from '@pipeline/core';
import type { CommandDefinition } from '../command.js';
import { renderTable } from '../train/summary.js';

export const seedStudyCommand: CommandDefinition = {
  command: 'seed-study',
  describe: 'Retrain a run once per seed: mean of means, std of means, range; seed-averaged OOF',
  examples: [['$0 seed-study --base-run runs/r1 --seeds 42,123,456,789,2024,2025,3407,9999', 'eight seeds; warns when the std is above 0.005']],
  builder: (yargs) =>
    yargs
      .option('base-run', { type: 'string', demandOption: true, describe: 'A completed run folder (its stored config is retrained)' })
      .option('seeds', { type: 'string', default: '42,123,456,789,2024,2025,3407,9999', describe: 'Comma-separated seeds' })
      .option('runs-root', { type: 'string', describe: 'Where the child runs go (default: the base run\'s folder)' })
      .option('study-id', { type: 'string', describe: 'Study id (default seed-study_<timestamp>)' }),
  async run(args, runtime) {
    const { seedStudy } = await import('@pipeline/workflows');
    const seeds = String(args.seeds).split(',').map((s) => s.trim());
    const bad = seeds.find((s) => !/^\d+$/.test(s));
    if (bad !== undefined) throw new PipelineError('E_USAGE', `--seeds holds '${bad}', not a non-negative integer`, { field: '--seeds', hint: 'e.g. --seeds 42,123,456' });
    const result = await seedStudy(
      {
        baseRun: runtime.resolvePath(String(args.baseRun)),
        seeds: seeds.map(Number),
        ...(typeof args.runsRoot === 'string' ? { runsRoot: runtime.resolvePath(args.runsRoot) } : {}),
        ...(typeof args.studyId === 'string' ? { studyId: args.studyId } : {}),
      },
      runtime.context,
    );
    if (runtime.json) return runtime.printJson(result);
    runtime.print(renderTable(['run', 'seed', `cv ${result.metric}`], result.children.map((c) => [c.id, String(c.seed), c.score.toFixed(4)]), `Seed study ${result.id}`));
    runtime.print(`mean of means ${result.mean.toFixed(4)}, std of means ${result.std.toFixed(4)}, range ${result.range.toFixed(4)} [${result.min.toFixed(4)}, ${result.max.toFixed(4)}]`);
    if (result.warning !== undefined) runtime.print(`warning: ${result.warning}`);
    runtime.print(`seed-averaged OOF: ${result.oofFile} (${result.oofRows} rows)`);
  },
};
