import { PipelineError } from '@pipeline/core';
import { formatFixed } from './python-round.js';
import { checkLabelList, checkPair, uniqueLabels, type LabelArray } from './labels.js';
import { precisionRecallFscoreSupport, precisionScore, recallScore, f1Score, type Average } from './precision-recall-fscore.js';

export interface ClassificationReportOptions {
  /** The labels to report, in order. Default: the sorted labels present in either input. */
  readonly labels?: ArrayLike<number>;
  /** Display names, one per label. Default: the label values as text. */
  readonly targetNames?: readonly string[];
  /** Value of a ratio with a zero denominator. Default 0. */
  readonly zeroDivision?: 0 | 1;
}

/** Precision, recall, F1 and support of one class or one average. */
export interface ReportScores {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly support: number;
}

export interface ReportClassRow extends ReportScores {
  readonly label: number;
  readonly name: string;
}

/**
 * What scikit-learn's `classification_report` computes, as data. `accuracy` is present when the
 * report covers every label that occurs (then micro-averaged F1 equals accuracy); otherwise
 * `microAvg` is present instead.
 */
export interface ClassificationReport {
  readonly classes: readonly ReportClassRow[];
  readonly accuracy?: number;
  readonly microAvg?: ReportScores;
  readonly macroAvg: ReportScores;
  readonly weightedAvg: ReportScores;
}

/** Builds the classification report (scikit-learn's `classification_report(output_dict=True)`). */
export function classificationReport(
  yTrue: LabelArray,
  yPred: LabelArray,
  options: ClassificationReportOptions = {},
): ClassificationReport {
  checkPair(yTrue, yPred, 'classificationReport');
  const present = uniqueLabels(yTrue, yPred);
  const labels = options.labels === undefined ? present : checkLabelList(options.labels, 'classificationReport');
  const names = options.targetNames ?? labels.map((l) => String(l));
  if (names.length !== labels.length) {
    throw new PipelineError('E_USAGE', `classificationReport: ${names.length} target names for ${labels.length} labels`, {
      field: 'targetNames',
      hint: 'give one name per label (pass { labels } too when some class is absent from the data)',
    });
  }
  const zeroDivision = options.zeroDivision ?? 0;
  const perClass = precisionRecallFscoreSupport(yTrue, yPred, { labels, zeroDivision });
  const totalSupport = perClass.support.reduce((a, b) => a + b, 0);
  const averaged = (average: Average): ReportScores => {
    const o = { labels, average, zeroDivision } as const;
    return {
      precision: precisionScore(yTrue, yPred, o),
      recall: recallScore(yTrue, yPred, o),
      f1: f1Score(yTrue, yPred, o),
      support: totalSupport,
    };
  };
  const coversAll = labels.length === present.length && present.every((l) => labels.includes(l));
  const micro = averaged('micro');
  return {
    classes: labels.map((label, i) => ({
      label,
      name: names[i]!,
      precision: perClass.precision[i]!,
      recall: perClass.recall[i]!,
      f1: perClass.fScore[i]!,
      support: perClass.support[i]!,
    })),
    ...(coversAll ? { accuracy: micro.f1 } : { microAvg: micro }),
    macroAvg: averaged('macro'),
    weightedAvg: averaged('weighted'),
  };
}

/**
 * Renders a report as scikit-learn's text table, character for character (same widths; numbers
 * rounded half-to-even on the exact binary value, like Python's `format`).
 */
export function formatClassificationReport(report: ClassificationReport, options: { readonly digits?: number } = {}): string {
  const digits = options.digits ?? 2;
  const lastHeading = 'weighted avg';
  const width = Math.max(...report.classes.map((c) => c.name.length), lastHeading.length, digits);
  const headers = ['precision', 'recall', 'f1-score', 'support'];
  const num = (x: number): string => formatFixed(x, digits).padStart(9);
  const row = (name: string, s: ReportScores): string =>
    `${name.padStart(width)}  ${num(s.precision)} ${num(s.recall)} ${num(s.f1)} ${String(s.support).padStart(9)}\n`;
  let text = `${''.padStart(width)} ${headers.map((h) => ` ${h.padStart(9)}`).join('')}\n\n`;
  for (const c of report.classes) text += row(c.name, c);
  text += '\n';
  if (report.accuracy !== undefined) {
    const blank = ''.padStart(9);
    text += `${'accuracy'.padStart(width)}  ${blank} ${blank} ${num(report.accuracy)} ${String(report.macroAvg.support).padStart(9)}\n`;
  } else if (report.microAvg !== undefined) {
    text += row('micro avg', report.microAvg);
  }
  text += row('macro avg', report.macroAvg);
  text += row('weighted avg', report.weightedAvg);
  return text;
}
