import type { OptimizeRunResult } from '@pipeline/workflows';
import { renderTable } from './summary.js';

const show = (value: unknown): string => (typeof value === 'number' ? (Number.isInteger(value) ? String(value) : value.toPrecision(4)) : JSON.stringify(value));

/** The search's trials (one row each) and the best params. */
export function formatTrialsTable(result: OptimizeRunResult): string {
  const names = [...new Set(result.trials.flatMap((t) => Object.keys(t.params)))];
  const header = ['trial', 'state', result.metric, 'folds', ...names, 's'];
  const rows = result.trials.map((t) => [
    String(t.number),
    t.state,
    t.score === null ? '' : t.score.toFixed(4),
    String(t.foldScores.length),
    ...names.map((name) => (t.params[name] === undefined ? '' : show(t.params[name]))),
    (t.durationMs / 1000).toFixed(2),
  ]);
  const table = renderTable(header, rows, `Search: ${result.trials.length} trials (${result.ran} run now), ${result.metric} (${result.direction})`);
  const best = Object.entries(result.best.params).map(([name, value]) => `  ${name}: ${show(value)}`).join('\n');
  return `${table}best: trial ${result.best.trial}, ${result.metric} ${result.best.score.toFixed(4)}\n${best}\n`;
}
