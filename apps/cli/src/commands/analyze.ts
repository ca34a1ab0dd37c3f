import type { CommandDefinition } from '../command.js';
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
    const { analyzeRun } = await import('@pipeline/workflows');
    const analysis = await analyzeRun(
      {
        runDir: String(args.runDir),
        saveJson: args.saveJson !== false,
        ...(typeof args.html === 'string' ? { html: args.html } : {}),
        overwrite: args.overwrite === true,
      },
      runtime.context,
    );
    const oof = { classNames: analysis.summary.classes };
    const perClass = oof.classNames.map((c) => analysis.perClassErrorRate[c]!);
    const confusion = analysis.confusionMatrix;
    const report = analysis.classificationReport;
    const m = analysis.summary;
    if (runtime.json) {
      runtime.printJson(analysis);
      return;
    }
    const lines = [
      `run: ${analysis.runDir}`,
      `base models: ${m.baseModels.map((b) => b.name).join(', ')}; meta: ${m.meta.kind} C=${String(m.meta.args.C ?? '')}; imbalance: ${m.imbalance}`,
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
    if (args.printReport !== false) lines.push((await import('@pipeline/metrics')).formatClassificationReport(report));
    runtime.print(lines.join('\n'));
  },
};
