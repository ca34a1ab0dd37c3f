/** The OOF metric a search optimizes (log-loss is minimized, the others maximized). */
export type OptimizeMetric = 'accuracy' | 'balanced-accuracy' | 'log-loss' | 'f1-macro';

/** Every metric `optimizeRun` accepts. */
export const OPTIMIZE_METRICS: readonly OptimizeMetric[] = Object.freeze(['accuracy', 'balanced-accuracy', 'log-loss', 'f1-macro']);
