import type { CommandDefinition } from '../command.js';
import { renderTable } from '../train/summary.js';

export const ablationCommand: CommandDefinition = {
  command: 'ablation',
  describe: 'Retrain a run with each feature group removed (leave-one-out) and added to a base set (additive)',
  examples: [
    ['$0 ablation --base-run runs/r1 --groups groups.json', 'groups.json: { "meta": ["age", "sex"], "spectral": ["band_1", …] }'],
    ['$0 ablation --base-run runs/fe --groups recipe', 'a wavelet run: leave out meta, haar, db4, windowed in turn'],
    ['$0 ablation --base-run runs/fe --groups recipe:bands --mode leave-one-out', 'each band of each decomposition (recipe:stats: each statistic)'],
  ],
  builder: (yargs) =>
    yargs
      .option('base-run', { type: 'string', demandOption: true, describe: 'A completed run (a CSV feature table for column groups, wavelet features for recipe groups)' })
      .option('groups', {
        type: 'string',
        demandOption: true,
        describe: 'JSON file of column groups { "name": ["column", …] }, or recipe | recipe:bands | recipe:stats | recipe:<group>,<group>… (wavelet recipe groups)',
      })
      .option('mode', { type: 'string', array: true, choices: ['leave-one-out', 'additive'], describe: 'Which ablations (default both)' })
      .option('runs-root', { type: 'string', describe: 'Where the child runs go (default: the base run\'s folder)' })
      .option('study-id', { type: 'string', describe: 'Study id (default ablation_<timestamp>)' }),
  async run(args, runtime) {
    const { ablationStudy, readFeatureGroups } = await import('@pipeline/workflows');
    const spec = String(args.groups);
    const recipe = spec === 'recipe' || spec.startsWith('recipe:') ? spec.slice('recipe:'.length) : undefined;
    const groups =
      recipe === undefined
        ? { groups: await readFeatureGroups(runtime.resolvePath(spec)) }
        : { recipeGroups: recipe === '' || recipe === 'coarse' || recipe === 'bands' || recipe === 'stats' ? ((recipe || 'coarse') as 'coarse' | 'bands' | 'stats') : recipe.split(',').filter((g) => g !== '') };
    const result = await ablationStudy(
      {
        baseRun: runtime.resolvePath(String(args.baseRun)),
        ...groups,
        ...(Array.isArray(args.mode) ? { modes: args.mode.map(String) as ('leave-one-out' | 'additive')[] } : {}),
        ...(typeof args.runsRoot === 'string' ? { runsRoot: runtime.resolvePath(args.runsRoot) } : {}),
        ...(typeof args.studyId === 'string' ? { studyId: args.studyId } : {}),
      },
      runtime.context,
    );
    if (runtime.json) return runtime.printJson(result);
    const sign = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(4)}`;
    runtime.print(`base run ${result.metric} ${result.baseScore.toFixed(4)}${result.baseSet === undefined ? '' : `; base set (${result.baseSet.columns.length} columns) ${result.baseSet.score.toFixed(4)}`}; ${result.source === 'recipe' ? 'wavelet recipe' : 'column'} groups`);
    runtime.print(
      renderTable(
        ['mode', 'group', 'features', `cv ${result.metric}`, 'delta', 'run'],
        result.rows.map((r) => [r.mode, r.group, String(r.nFeatures), r.score.toFixed(4), sign(r.delta), r.runId]),
        `Ablation ${result.id} (leave-one-out: negative delta = the group helps; additive: positive delta = the group helps)`,
      ),
    );
  },
};
