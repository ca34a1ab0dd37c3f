import type { FoldRecord } from '@pipeline/model-selection';
import type { ScoreSummary } from '@pipeline/workflows';

const pad = (text: string, width: number) => text.padEnd(width);
const padLeft = (text: string, width: number) => text.padStart(width);

/** A plain-text table of OOF scores: overall, and mean ± std over folds. */
export function formatScoresTable(scores: Record<string, ScoreSummary>): string {
  const header = ['model', 'accuracy', 'balanced acc', 'F1 macro', 'log loss'];
  const rows = Object.entries(scores).map(([name, s]) => [
    name,
    `${s.accuracy.toFixed(4)} (${s.foldMean.accuracy.toFixed(4)} ± ${s.foldStd.accuracy.toFixed(4)})`,
    `${s.balancedAccuracy.toFixed(4)} (${s.foldMean.balancedAccuracy.toFixed(4)} ± ${s.foldStd.balancedAccuracy.toFixed(4)})`,
    `${s.f1Macro.toFixed(4)} (${s.foldMean.f1Macro.toFixed(4)} ± ${s.foldStd.f1Macro.toFixed(4)})`,
    `${s.logLoss.toFixed(4)} (${s.foldMean.logLoss.toFixed(4)} ± ${s.foldStd.logLoss.toFixed(4)})`,
  ]);
  return renderTable(header, rows, 'OOF scores: overall (mean ± std over folds)');
}

/** `--timing`: per-fold, per-model fit/predict durations. */
export function formatTimingTable(records: readonly FoldRecord[]): string {
  const header = ['model', 'fold', 'train rows', 'test rows', 'fit s', 'predict s', 'reused'];
  const rows = records.map((r) => [
    r.model,
    r.fold < 0 ? 'refit' : String(r.fold),
    String(r.trainRows),
    String(r.testRows),
    (r.fitMs / 1000).toFixed(3),
    (r.predictMs / 1000).toFixed(3),
    r.reused ? 'yes' : '',
  ]);
  return renderTable(header, rows, 'Timings');
}

export function renderTable(header: readonly string[], rows: readonly (readonly string[])[], title?: string): string {
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, j) => (j === 0 ? pad(c, widths[j]!) : padLeft(c, widths[j]!))).join('  ');
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  return `${title ? `${title}\n` : ''}${out.join('\n')}\n`;
}
