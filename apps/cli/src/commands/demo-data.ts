import type { CommandDefinition } from '../command.js';

interface DemoDataArgs {
  out: string;
  n: number;
  testN?: number;
  seed: number;
  overwrite: boolean;
}

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

export const demoDataCommand: CommandDefinition = {
  command: 'demo-data',
  describe: 'Write a synthetic EEG-like data set (X_train.h5, y_train.csv, X_train.csv, X_test.h5, X_test.csv)',
  examples: [
    ['$0 demo-data --out data/demo', '5000 training rows with seed 7 (what `train --demo` uses)'],
    ['$0 demo-data --out /tmp/big --n 50000 --seed 3', 'a larger set with another seed'],
  ],
  builder: (yargs) =>
    yargs
      .option('out', { type: 'string', default: 'data/demo', describe: 'Folder to write into (created if missing)' })
      .option('n', { type: 'number', default: 5000, describe: 'Training rows' })
      .option('test-n', { type: 'number', describe: 'Test rows (default n/5; 0 writes no test files)' })
      .option('seed', { type: 'number', default: 7, describe: 'Seed: the same seed and sizes give byte-identical files' })
      .option('overwrite', { type: 'boolean', default: false, describe: 'Replace existing files in --out' }),
  async run(rawArgs, runtime) {
    const { DEMO_CLASSES, DEMO_META_COLUMNS, generateDemoData } = await import('@pipeline/ingest');
    const args = rawArgs as unknown as DemoDataArgs;
    const result = await generateDemoData({
      outDir: runtime.resolvePath(args.out),
      n: args.n,
      seed: args.seed,
      ...(args.testN === undefined ? {} : { testN: args.testN }),
      overwrite: args.overwrite,
      signal: runtime.signal,
      logger: runtime.logger,
      onProgress: runtime.onProgress,
    });
    if (runtime.json) {
      runtime.printJson({ ...result, classes: [...DEMO_CLASSES], metaColumns: [...DEMO_META_COLUMNS] });
      return;
    }
    const total = result.classCounts.reduce((a, b) => a + b, 0);
    const lines = [
      `demo data in ${result.outDir} (seed ${result.seed}, ${result.n} train + ${result.testN} test rows)`,
      ...result.files.map((f) => `  ${f.name.padEnd(12)} ${megabytes(f.bytes).padStart(9)}  sha256 ${f.sha256.slice(0, 16)}`),
      `classes in y_train.csv: ${result.classCounts
        .map((count, k) => `${k} ${DEMO_CLASSES[k]} ${count} (${((100 * count) / total).toFixed(1)}%)`)
        .join(', ')}`,
      `X_train.h5 'features' = ${DEMO_META_COLUMNS.length} meta columns (${DEMO_META_COLUMNS.join(', ')}) + 1250 samples at 250 Hz`,
    ];
    runtime.print(lines.join('\n'));
  },
};
