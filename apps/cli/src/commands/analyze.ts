import { writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { argmaxRows, PipelineError } from '@pipeline/core';
import {
  accuracy,
  balancedAccuracy,
  classificationReport,
  confusionMatrix,
  f1Score,
  formatClassificationReport,
  normalizeConfusion,
  perClassErrorRate,
} from '@pipeline/metrics';
import { RunDirectory } from '@pipeline/runs';
import type { CommandDefinition } from '../command.js';
import { readRunOof } from '../analyze/oof.js';
import { renderHtmlReport } from '../report/html-report.js';
import { scoreWithFolds } from '../train/scores.js';
import { renderTable } from '../train/summary.js';

export const analyzeCommand: CommandDefinition = {
  command: 'analyze',
  describe: 'Analyze a run from its saved OOF predictions: metrics, confusion matrix, report (optionally HTML)',
  examples: [
    ['$0 analyze --run-dir runs/demo', 'print the report and write metrics/analyze_oof.json'],
    ['$0 analyze --run-dir runs/demo --html report.html --no-print-report', 'write a self-contained HTML report with charts'],
  ],
  builder: (yargs) =>
    yargs
      .option('run-dir', { type: 'string', demandOption: true, describe: 'A completed run folder' })
      .option('source', { type: 'string', choices: ['oof'], default: 'oof', describe: 'What to analyze' })
      .option('print-report', { type: 'boolean', default: true, describe: 'Print the classification report' })
      .option('save-json', { type: 'boolean', default: true, describe: 'Write metrics/analyze_oof.json in the run' })
      .option('html', { type: 'string', describe: 'Write an HTML report (charts as inline SVG) to this file' })
      .option('overwrite', { type: 'boolean', default: false, describe: 'Replace --html if it exists' }),
  async run(args, runtime) {
    const run = await RunDirectory.openCompleted(runtime.resolvePath(String(args.runDir)), 'analyze');
    const m = run.manifest;
    const oof = await readRunOof(run);
    const k = oof.classNames.length;
    const labels = Array.from({ length: k }, (_, c) => c);
    const yTrue = oof.labels;
    const yPred = argmaxRows(oof.stack);
    const confusion = confusionMatrix(yTrue, yPred, { labels });
    const report = classificationReport(yTrue, yPred, { labels, targetNames: oof.classNames });
    const perClass = perClassErrorRate(yTrue, yPred, { labels });
    const folds = scoreWithFolds(yTrue, oof.stack, k, oof.foldOf);
    const baseFolds = Object.fromEntries(Object.entries(oof.base).map(([name, p]) => [name, scoreWithFolds(yTrue, p, k, oof.foldOf)]));
    const analysis = {
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
      perClassErrorRate: Object.fromEntries(oof.classNames.map((c, i) => [c, perClass[i]])),
      classificationReport: report,
      folds: folds.folds,
      baseModels: Object.fromEntries(Object.entries(baseFolds).map(([name, s]) => [name, { accuracy: s.accuracy, balancedAccuracy: s.balancedAccuracy, f1Macro: s.f1Macro, logLoss: s.logLoss }])),
    };
    if (args.saveJson !== false) await run.writeJson('metrics/analyze_oof.json', analysis);
    if (typeof args.html === 'string') {
      const out = runtime.resolvePath(args.html);
      if (existsSync(out) && args.overwrite !== true) {
        throw new PipelineError('E_USAGE', 'the HTML report file already exists', { file: out, field: '--html', hint: 'pass --overwrite or another path' });
      }
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
          ...Object.entries(baseFolds).flatMap(([name, s]) =>
            s.folds.map((f) => ({ model: name, fold: f.fold, accuracy: f.accuracy, balancedAccuracy: f.balancedAccuracy, f1Macro: f.f1Macro })),
          ),
        ],
        headline: [
          ['accuracy', analysis.accuracy],
          ['balanced accuracy', analysis.balancedAccuracy],
          ['F1 macro', analysis.f1Macro],
          ['F1 weighted', analysis.f1Weighted],
        ],
      });
      await writeFile(out, html);
      runtime.logger.info('wrote HTML report', { file: out });
    }
    if (runtime.json) {
      runtime.printJson(analysis);
      return;
    }
    const lines = [
      `run: ${run.dir}`,
      `base models: ${m.baseModels.map((b) => b.name).join(', ')}; meta: ${m.meta.kind} C=${String(m.meta.args.C ?? '')}; imbalance: ${m.imbalance.strategy}`,
      `accuracy ${analysis.accuracy.toFixed(4)}  balanced accuracy ${analysis.balancedAccuracy.toFixed(4)}  F1 macro ${analysis.f1Macro.toFixed(4)}  F1 weighted ${analysis.f1Weighted.toFixed(4)}`,
      '',
      renderTable(['true \\ pred', ...oof.classNames], confusion.map((row, i) => [oof.classNames[i]!, ...row.map(String)]), 'Confusion matrix (counts)'),
      renderTable(
        ['true \\ pred', ...oof.classNames],
        analysis.confusionMatrixNormalized.map((row, i) => [oof.classNames[i]!, ...row.map((v) => v.toFixed(3))]),
        'Confusion matrix (normalized by true class)',
      ),
      renderTable(['class', 'error rate'], oof.classNames.map((c, i) => [c, perClass[i]!.toFixed(4)]), 'Per-class error rate'),
    ];
    if (args.printReport !== false) lines.push(formatClassificationReport(report));
    runtime.print(lines.join('\n'));
  },
};
