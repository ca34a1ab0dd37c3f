import type { InspectResult } from '@pipeline/ingest';
import type { CommandDefinition } from '../command.js';

interface InspectArgs {
  file: string;
  labels?: boolean;
  labelCol?: string;
  idCol?: string;
  delimiter?: string;
  categoricalCols?: string[];
  numericCols?: string[];
  naValues?: string[];
}

const names = (values: unknown[] | undefined) => values?.flatMap((v) => String(v).split(',')).filter((v) => v !== '');

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((row) => row[j]!.length)));
  return rows.map((row) => `  ${row.map((cell, j) => cell.padEnd(widths[j]!)).join('  ')}`.trimEnd());
}

const size = (bytes: number) => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`);
const dims = (shape: readonly number[]) => (shape.length === 0 ? 'scalar' : shape.join(' × '));
const value = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** Human-readable report of `inspectFile`'s result. */
export function formatInspect(result: InspectResult): string {
  const lines: string[] = [];
  if (result.kind === 'hdf5') {
    lines.push(`${result.file}: HDF5, ${size(result.bytes)}, ${result.datasets!.length} datasets`);
    lines.push(
      ...table([
        ['dataset', 'shape', 'dtype', 'chunks', 'filters'],
        ...result.datasets!.map((d) => [
          d.key,
          dims(d.shape),
          d.dtype,
          d.chunks === null ? 'contiguous' : d.chunks.join(' × '),
          d.filters.map((f) => f.name).join(', ') || '-',
        ]),
      ]),
    );
  } else {
    const kind = result.kind === 'arrow' ? `Arrow IPC, ${result.batches} record batch${result.batches === 1 ? '' : 'es'}` : 'CSV';
    lines.push(`${result.file}: ${kind}, ${size(result.bytes)}, ${result.rows} rows × ${result.columns!.length} columns`);
    const shown = result.columns!.slice(0, 40);
    const typeOf = (c: NonNullable<InspectResult['columns']>[number]) =>
      c.type === 'categorical' ? `categorical (${c.categories} categories${c.missing ? `, ${c.missing} missing` : ''})` : c.type;
    lines.push(...table([['column', 'type'], ...shown.map((c) => [c.name, typeOf(c)])]));
    if (result.columns!.length > shown.length) lines.push(`  … ${result.columns!.length - shown.length} more columns (--json lists all)`);
  }
  const attrs = Object.entries(result.attrs ?? {});
  if (attrs.length > 0) {
    lines.push(result.kind === 'arrow' ? 'metadata:' : 'attributes:');
    for (const [name, v] of attrs) lines.push(`  ${name} = ${value(v)}`);
  }
  if (result.labels !== undefined) {
    lines.push(`label distribution ('${result.labels.column}'):`);
    lines.push(
      ...table([
        ['label', 'count', 'share'],
        ...result.labels.classes.map((c) => [c.label, String(c.count), `${(100 * c.fraction).toFixed(1)}%`]),
      ]),
    );
  }
  return lines.join('\n');
}

export const inspectCommand: CommandDefinition = {
  command: 'inspect <file>',
  describe:
    'Show what a CSV, HDF5, Arrow or EDF file holds (datasets, shapes, dtypes, chunking, columns, rows, labels); a CSV is checked in full, like train reads it',
  examples: [
    ['$0 inspect data/demo/X_train.h5', 'datasets with shape, dtype, chunks and filters'],
    ['$0 inspect data/demo/y_train.csv', 'rows, columns and the label distribution'],
    ['$0 inspect runs/latest/oof.arrow --json', 'one JSON document for machines'],
    ['$0 inspect data/eeg/rec01.edf', 'EDF/EDF+ header, channels (label, rate, physical range, unit), duration, annotations'],
  ],
  builder: (yargs) =>
    yargs
      .positional('file', { type: 'string', demandOption: true, describe: 'A .csv/.tsv, .h5/.hdf5, Arrow IPC (.arrow/.feather) or EDF/EDF+ (.edf) file' })
      .option('labels', { type: 'boolean', describe: 'Treat the CSV as a label file (default: guessed from its header)' })
      .option('label-col', { type: 'string', describe: 'Label column of a label CSV' })
      .option('id-col', { type: 'string', describe: "Id column of a CSV (default: 'id' when the header has it), as in train" })
      .option('delimiter', { type: 'string', describe: 'CSV delimiter, one character (default: tab for .tsv/.tab, else comma)' })
      .option('categorical-cols', { type: 'string', array: true, describe: 'CSV columns read as categories, as in train (default: a column with a non-numeric cell)' })
      .option('numeric-cols', { type: 'string', array: true, describe: 'CSV columns that must be numeric, as in train (a non-numeric cell is an error)' })
      .option('na-values', { type: 'string', array: true, describe: 'Extra cell texts read as missing, as in train' }),
  async run(rawArgs, runtime) {
    const { inspectEdf, renderEdfInspection } = await import('@pipeline/eeg');
    const args = rawArgs as unknown as InspectArgs;
    if (/\.(edf|bdf)$/i.test(args.file)) {
      const edf = await inspectEdf(runtime.resolvePath(args.file));
      if (runtime.json) runtime.printJson(edf);
      else runtime.print(renderEdfInspection(edf));
      return;
    }
    const { inspectFile } = await import('@pipeline/ingest');
    const result = await inspectFile(runtime.resolvePath(args.file), {
      ...(args.labels === undefined ? {} : { labels: args.labels }),
      ...(args.labelCol === undefined ? {} : { labelColumn: args.labelCol }),
      ...(args.idCol === undefined ? {} : { idColumn: args.idCol }),
      ...(args.delimiter === undefined ? {} : { delimiter: args.delimiter }),
      // Column types as train infers them: a non-numeric cell makes a column categorical.
      inferTypes: true,
      ...(args.categoricalCols === undefined ? {} : { categoricalCols: names(args.categoricalCols)! }),
      ...(args.numericCols === undefined ? {} : { numericCols: names(args.numericCols)! }),
      ...(args.naValues === undefined ? {} : { naValues: names(args.naValues)! }),
    });
    if (runtime.json) runtime.printJson(result);
    else runtime.print(formatInspect(result));
  },
};
