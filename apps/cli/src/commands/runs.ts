import { PipelineError } from '@pipeline/core';
import type { OofExportFormat } from '@pipeline/runs';
import type { CommandDefinition } from '../command.js';
import type { Runtime } from '../runtime.js';
import { renderComparison, renderDiff, renderRunDetail, renderRunList, renderSearch, renderSeedGroups, type TableStyle } from '../runs/render-runs.js';

const ACTIONS = ['list', 'show', 'compare', 'diff', 'best', 'tag', 'rm', 'restore', 'export', 'report'] as const;

export const runsCommand: CommandDefinition = {
  command: 'runs <action> [ids..]',
  describe: 'Track experiments: list, show, compare, diff, best, tag, rm, restore, export, report the runs under a root',
  examples: [
    ['$0 runs list --filter "cv > 0.8 and tag = baseline" --sort=-cv --limit 10', 'the ten best tagged runs (--sort cv:desc works too)'],
    ['$0 runs list --group-by-seed', 'runs differing only in the seed: mean ± std of their CV'],
    ['$0 runs compare r1 r2 r3 --baseline r2', 'only the params that differ; metric deltas vs r2'],
    ['$0 runs diff r1 r2 --md', 'params changed, features added/removed, per-fold deltas as markdown'],
    ['$0 runs tag r1 --lb 0.812 --note "public LB"', 'store a leaderboard score (CV–LB gap in list/compare)'],
    ['$0 runs export r1 --what oof --format npy --out oof.npy', 'OOF probabilities for ensembling elsewhere'],
    ['$0 runs report', 'reports/experiments/<date>_summary.md + .html (charts) of every run and study'],
  ],
  dashValueOptions: ['sort'],
  builder: (yargs) =>
    yargs
      // Variadic ids need repeated values collected (the CLI's global setting keeps only the last).
      .parserConfiguration({ 'duplicate-arguments-array': true })
      .positional('action', { type: 'string', choices: ACTIONS as unknown as string[], describe: 'What to do' })
      .positional('ids', { type: 'string', array: true, describe: 'Run ids: folder names under the root (a unique prefix or run name works)' })
      .option('runs-root', { type: 'string', default: 'runs', describe: 'Folder holding the run folders' })
      .option('filter', { type: 'string', describe: 'list: e.g. "cv > 0.8 and (tag = a or model = lstm)"; fields cv[.metric], std, lb, gap, name, tag, status, seed, features, model, config.<path>' })
      .option('sort', { type: 'string', default: 'created', describe: 'list: field to sort by; descending with --sort -cv, --sort=-cv or --sort cv:desc' })
      .option('limit', { type: 'number', describe: 'list: at most this many runs' })
      .option('group-by-seed', { type: 'boolean', default: false, describe: 'list: group runs differing only in the seed' })
      .option('metric', { type: 'string', default: 'accuracy', describe: 'Metric of list/best/grouping (accuracy, balancedAccuracy, f1Macro, logLoss)' })
      .option('csv', { type: 'boolean', default: false, describe: 'Tables as CSV' })
      .option('md', { type: 'boolean', default: false, describe: 'Tables as markdown' })
      .option('all', { type: 'boolean', default: false, describe: 'compare: every param, not only the differing ones' })
      .option('baseline', { type: 'string', describe: 'compare: the run deltas are taken against (default the first)' })
      .option('name', { type: 'string', describe: 'tag: display name; export --what test: which stored predictions (default the only ones)' })
      .option('note', { type: 'string', describe: 'tag: append a note' })
      .option('lb', { type: 'number', describe: 'tag: leaderboard score' })
      .option('tag', { type: 'string', array: true, describe: 'tag: add these tags' })
      .option('untag', { type: 'string', array: true, describe: 'tag: remove these tags' })
      .option('what', { type: 'string', choices: ['oof', 'test'], default: 'oof', describe: 'export: OOF, or the test predictions stored by `predict --store-in-run`' })
      .option('format', { type: 'string', choices: ['arrow', 'csv', 'npy'], default: 'csv', describe: 'export: file format' })
      .option('out', { type: 'string', describe: 'export: output file; report: the markdown file (default reports/experiments/<date>_summary.md)' })
      .option('overwrite', { type: 'boolean', default: false, describe: 'export/report: replace --out if it exists' }),
  async run(args, runtime) {
    const { bestRun, buildRunIndex, compareRuns, diffRuns, exportRunOof, exportRunTest, findRun, loadRuns, groupBySeed, openRun, parseRunFilter, readRunSearch, restoreRun, sortRuns, trashRun, updateTracking } = await import('@pipeline/runs');
    const root = runtime.resolvePath(String(args.runsRoot ?? 'runs'));
    const ids = Array.isArray(args.ids) ? args.ids.map(String) : [];
    const style: TableStyle = args.md === true ? 'md' : args.csv === true ? 'csv' : 'text';
    const metric = String(args.metric ?? 'accuracy');
    const action = String(args.action);
    const need = (n: number, what: string): void => {
      if (ids.length < n) throw new PipelineError('E_USAGE', `runs ${action} needs ${what}`, { field: 'ids', hint: `e.g. pipeline runs ${action} <id>${n > 1 ? ' <id>' : ''}` });
    };
    // list/best/report index the whole root; the others read only the runs they name.
    const wholeRoot = action === 'list' || action === 'best' || action === 'report';
    const index = wholeRoot ? await buildRunIndex(root) : [];
    const find = async (id: string) => (await loadRuns(root, [id]))[0]!;
    switch (action) {
      case 'list': {
        let entries = typeof args.filter === 'string' ? index.filter(parseRunFilter(args.filter)) : index;
        const sort = String(args.sort ?? 'created');
        entries = sortRuns(entries, sort.endsWith(':desc') ? `-${sort.slice(0, -5)}` : sort.replace(/:asc$/, ''));
        if (typeof args.limit === 'number') entries = entries.slice(0, args.limit);
        if (args.groupBySeed === true) {
          const groups = groupBySeed(entries, metric);
          return output(runtime, groups, () => renderSeedGroups(groups, style));
        }
        return output(runtime, entries.map(({ config: _c, ...rest }) => rest), () => renderRunList(entries, metric, style));
      }
      case 'show': {
        need(1, 'a run id');
        const entry = await find(ids[0]!);
        const search = await readRunSearch(entry.dir);
        if (search === undefined) return output(runtime, entry, () => renderRunDetail(entry));
        return output(runtime, { ...entry, search }, () => `${renderRunDetail(entry)}\n${renderSearch(search, style)}`);
      }
      case 'compare': {
        need(1, 'run ids');
        const runs = await loadRuns(root, ids);
        const cmp = compareRuns(runs, { all: args.all === true, ...(typeof args.baseline === 'string' ? { baseline: (await find(args.baseline)).id } : {}) });
        return output(runtime, cmp, () => renderComparison(cmp, style));
      }
      case 'diff': {
        need(2, 'two run ids');
        const [a, b] = await loadRuns(root, ids.slice(0, 2));
        const d = await diffRuns(a!, b!);
        return output(runtime, d, () => renderDiff(d, style));
      }
      case 'best': {
        const best = bestRun(typeof args.filter === 'string' ? index.filter(parseRunFilter(args.filter)) : index, metric);
        if (best === undefined) throw new PipelineError('E_NOT_FOUND', `no completed run with a ${metric} score under ${root}`, { file: root, field: '--metric' });
        return output(runtime, best, () => renderRunDetail(best));
      }
      case 'tag': {
        need(1, 'a run id');
        const entry = await find(ids[0]!);
        const tracking = await updateTracking(entry.dir, {
          ...(typeof args.name === 'string' ? { name: args.name } : {}),
          ...(typeof args.note === 'string' ? { note: args.note } : {}),
          ...(typeof args.lb === 'number' ? { lb: args.lb } : {}),
          ...(Array.isArray(args.tag) ? { addTags: args.tag.map(String) } : {}),
          ...(Array.isArray(args.untag) ? { removeTags: args.untag.map(String) } : {}),
        });
        const cv = entry.cv[metric]?.mean;
        const gap = tracking.lb !== undefined && cv !== undefined ? `; CV–LB gap ${(cv - tracking.lb).toFixed(4)}` : '';
        return output(runtime, { id: entry.id, ...tracking }, () => `tagged ${entry.id}: ${JSON.stringify(tracking)}${gap}`);
      }
      case 'rm': {
        need(1, 'a run id');
        const moved: string[] = [];
        for (const id of ids) moved.push(await trashRun(root, (await find(id)).id));
        return output(runtime, { trashed: moved }, () => moved.map((m) => `moved to ${m} (pipeline runs restore <id> brings it back)`).join('\n'));
      }
      case 'restore': {
        need(1, 'a run id');
        const back: string[] = [];
        for (const id of ids) back.push(await restoreRun(root, id));
        return output(runtime, { restored: back }, () => back.map((m) => `restored ${m}`).join('\n'));
      }
      case 'export': {
        need(1, 'a run id');
        const entry = await find(ids[0]!);
        const format = String(args.format) as OofExportFormat;
        const what = args.what === 'test' ? 'test' : 'oof';
        const out = runtime.resolvePath(typeof args.out === 'string' ? args.out : `${entry.id}_${what}.${format}`);
        const run = await openRun(entry.dir);
        const shape =
          what === 'test'
            ? await exportRunTest(run, out, format, { overwrite: args.overwrite === true, ...(typeof args.name === 'string' ? { name: args.name } : {}) })
            : await exportRunOof(run, out, format, { overwrite: args.overwrite === true });
        return output(runtime, { out, what, ...shape }, () => `wrote ${out} (${shape.rows} rows × ${shape.cols} classes)`);
      }
      case 'report': {
        // @pipeline/workflows pulls in TensorFlow.js and the chart libraries: only the report needs it.
        const { experimentsReport } = await import('@pipeline/workflows');
        const report = await experimentsReport(
          { runsRoot: root, metric, overwrite: args.overwrite === true, ...(typeof args.out === 'string' ? { out: runtime.resolvePath(args.out) } : {}) },
          runtime.context,
        );
        const { markdown: _m, html: _h, ...facts } = report;
        return output(runtime, facts, () => `wrote ${report.mdFile} and ${report.htmlFile} (${report.runs} runs)`);
      }
      default:
        throw new PipelineError('E_USAGE', `unknown runs action '${action}'`, { field: 'action' });
    }
  },
};

function output(runtime: Runtime, json: unknown, text: () => string): void {
  if (runtime.json) runtime.printJson(json);
  else runtime.print(text());
}
