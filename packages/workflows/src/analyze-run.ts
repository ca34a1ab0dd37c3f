import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { PipelineError, argmaxRows, atomicWrite, resolveContext } from '@pipeline/core';
import {
  accuracy,
  balancedAccuracy,
  classificationReport,
  confusionMatrix,
  f1Score,
  normalizeConfusion,
  perClassErrorRate,
  type ClassificationReport,
} from '@pipeline/metrics';
import { RUN_FILES, RunDirectory } from '@pipeline/runs';
import { openCompletedRun } from './predict-run.js';
import { renderHtmlReport } from './report/html-report.js';
import { scoreWithFolds, type ScoreSummary } from './scores.js';
import type { WorkflowContext } from './workflow-context.js';

export interface AnalyzeRunOptions {
  readonly runDir: string;
  /** Write `metrics/analyze_oof.json` in the run. Default true. */
  readonly saveJson?: boolean;
  /** Write a self-contained HTML report (inline SVG charts) to this file. */
  readonly html?: string;
  /** Replace `html` if it exists. */
  readonly overwrite?: boolean;
}

/** The OOF analysis of a run (also written to `metrics/analyze_oof.json`). */
export interface RunAnalysis {
  readonly runDir: string;
  readonly source: 'oof';
  readonly summary: {
    readonly baseModels: Array<{ name: string; kind: string; input: string }>;
    readonly meta: { kind: string; args: Readonly<Record<string, unknown>> };
    readonly imbalance: string;
    readonly splitter: unknown;
    readonly rows: number;
    readonly classes: string[];
  };
  readonly accuracy: number;
  readonly balancedAccuracy: number;
  readonly f1Macro: number;
  readonly f1Weighted: number;
  readonly confusionMatrix: number[][];
  readonly confusionMatrixNormalized: number[][];
  readonly perClassErrorRate: Record<string, number>;
  readonly classificationReport: ClassificationReport;
  readonly folds: ScoreSummary['folds'];
  readonly baseModels: Record<string, { accuracy: number; balancedAccuracy: number; f1Macro: number; logLoss: number }>;
  /** The HTML report written, if any. */
  readonly html?: string;
}

/** Analyzes a completed run from its saved OOF predictions (never trains): metrics, confusion, report, optional HTML. */
export async function analyzeRun(options: AnalyzeRunOptions, context: WorkflowContext = {}): Promise<RunAnalysis> {
  const cwd = context.cwd ?? process.cwd();
  const { logger } = resolveContext(context);
  const run = await openCompletedRun(options.runDir, 'analyze', cwd);
  const htmlFile = options.html === undefined ? undefined : resolve(cwd, options.html);
  if (htmlFile !== undefined && existsSync(htmlFile) && options.overwrite !== true) {
    throw new PipelineError('E_USAGE', 'the HTML report file already exists', { file: htmlFile, field: 'overwrite', hint: 'choose another path or allow overwriting' });
  }
  const m = run.manifest;
  const oof = await run.oof();
  const k = oof.classNames.length;
  const labels = Array.from({ length: k }, (_, c) => c);
  const yTrue = oof.labels;
  const yPred = argmaxRows(oof.stack);
  const confusion = confusionMatrix(yTrue, yPred, { labels });
  const report = classificationReport(yTrue, yPred, { labels, targetNames: oof.classNames });
  const perClass = perClassErrorRate(yTrue, yPred, { labels });
  const folds = scoreWithFolds(yTrue, oof.stack, k, oof.foldOf);
  const baseFolds = Object.fromEntries(Object.entries(oof.base).map(([name, p]) => [name, scoreWithFolds(yTrue, p, k, oof.foldOf)]));
  const analysis: RunAnalysis = {
    runDir: run.dir,
    source: 'oof',
    summary: {
      baseModels: m.baseModels.map((b) => ({ name: b.name, kind: b.kind, input: b.input })),
      meta: m.meta,
      imbalance: m.imbalance.strategy,
      splitter: m.splitter,
      rows: yTrue.length,
      classes: oof.classNames,
    },
    accuracy: accuracy(yTrue, yPred),
    balancedAccuracy: balancedAccuracy(yTrue, yPred),
    f1Macro: f1Score(yTrue, yPred, { average: 'macro', labels }),
    f1Weighted: f1Score(yTrue, yPred, { average: 'weighted', labels }),
    confusionMatrix: confusion,
    confusionMatrixNormalized: normalizeConfusion(confusion, 'true'),
    perClassErrorRate: Object.fromEntries(oof.classNames.map((c, i) => [c, perClass[i]!])),
    classificationReport: report,
    folds: folds.folds,
    baseModels: Object.fromEntries(Object.entries(baseFolds).map(([name, s]) => [name, { accuracy: s.accuracy, balancedAccuracy: s.balancedAccuracy, f1Macro: s.f1Macro, logLoss: s.logLoss }])),
  };
  if (options.saveJson !== false) await (await RunDirectory.open(run.dir)).writeJson(RUN_FILES.analysis, analysis);
  if (htmlFile === undefined) return analysis;
  const html = await renderHtmlReport({
    title: `OOF analysis of ${run.dir}`,
    summary: [
      ['run', run.dir],
      ['base models (frozen order)', m.baseModels.map((b) => `${b.name} (${b.kind} on ${b.input})`).join(', ')],
      ['meta-learner', `${m.meta.kind} ${JSON.stringify(m.meta.args)}`],
      ['imbalance', m.imbalance.strategy],
      ['folds', `${m.splitter.kind} ${JSON.stringify(m.splitter.args)}`],
      ['rows', String(yTrue.length)],
    ],
    classNames: oof.classNames,
    confusion,
    perClass: oof.classNames.map((label, i) => {
      const row = report.classes[i]!;
      return { label, precision: row.precision, recall: row.recall, f1: row.f1, support: row.support, errorRate: perClass[i]! };
    }),
    folds: [
      ...folds.folds.map((f) => ({ model: 'stack', fold: f.fold, accuracy: f.accuracy, balancedAccuracy: f.balancedAccuracy, f1Macro: f.f1Macro })),
      ...Object.entries(baseFolds).flatMap(([name, s]) => s.folds.map((f) => ({ model: name, fold: f.fold, accuracy: f.accuracy, balancedAccuracy: f.balancedAccuracy, f1Macro: f.f1Macro }))),
    ],
    headline: [
      ['accuracy', analysis.accuracy],
      ['balanced accuracy', analysis.balancedAccuracy],
      ['F1 macro', analysis.f1Macro],
      ['F1 weighted', analysis.f1Weighted],
    ],
  });
  await atomicWrite(htmlFile, html);
  logger.info('wrote HTML report', { file: htmlFile });
  return { ...analysis, html: htmlFile };
}
