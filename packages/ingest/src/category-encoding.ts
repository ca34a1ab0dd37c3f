import { PipelineError } from '@pipeline/core';

/** Version of the {@link CategoryEncoding} JSON layout. */
export const CATEGORY_ENCODING_VERSION = 1;

/** The category → code table of one categorical column. */
export interface CategoryTable {
  /** The categories seen in the training rows; a category's code is its index here. */
  readonly categories: readonly string[];
  /** Training rows per category (same order). */
  readonly counts: readonly number[];
  /** Training rows whose cell was missing (empty or an NA token). */
  readonly missing: number;
}

/**
 * Category → code tables learned on the training rows, stored with the run (`encoding/table.json`).
 * Codes are 0…k-1 in category order: by numeric value when every category is a number (integer
 * codes declared categorical), else by UTF-16 code unit order, so the same rows give the same codes
 * whatever their order. Missing cells and, at predict time, categories not in the table (the
 * "unknown" bucket) become NaN: the missing value every model already handles (the GBDT's learned
 * missing direction; the `missing` strategy for the others). Unknown cells are counted and reported.
 */
export interface CategoryEncoding {
  readonly version: typeof CATEGORY_ENCODING_VERSION;
  /** What an unseen category becomes: always `missing` (NaN) in this version. */
  readonly unknown: 'missing';
  /** Extra missing-value tokens used when reading (besides pandas' defaults). */
  readonly naValues: readonly string[];
  /** Per categorical column, in feature order. */
  readonly columns: Readonly<Record<string, CategoryTable>>;
}

const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Sorts categories into code order (numeric when all are numbers, else by code units). */
export function sortCategories(categories: readonly string[]): string[] {
  const sorted = [...categories];
  if (sorted.every((c) => NUMERIC.test(c))) return sorted.sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0));
  return sorted.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** An empty encoding (no categorical column). */
export function emptyCategoryEncoding(naValues: readonly string[] = []): CategoryEncoding {
  return { version: CATEGORY_ENCODING_VERSION, unknown: 'missing', naValues: [...naValues], columns: {} };
}

/** Checks a parsed `encoding/table.json`; throws `E_INPUT` naming the file and the field. */
export function parseCategoryEncoding(value: unknown, file: string): CategoryEncoding {
  const fail = (field: string, what: string): never => {
    throw new PipelineError('E_INPUT', `the category encoding is damaged: ${what}`, { file, field, hint: 'retrain the run; this file is written by train' });
  };
  if (typeof value !== 'object' || value === null) return fail('', 'not a JSON object');
  const v = value as Record<string, unknown>;
  if (v.version !== CATEGORY_ENCODING_VERSION) {
    return fail('version', `version ${JSON.stringify(v.version)} is not ${CATEGORY_ENCODING_VERSION}`);
  }
  if (v.unknown !== 'missing') fail('unknown', `unknown must be "missing"`);
  if (!Array.isArray(v.naValues) || !v.naValues.every((t) => typeof t === 'string')) fail('naValues', 'naValues must be an array of strings');
  if (typeof v.columns !== 'object' || v.columns === null) return fail('columns', 'columns must be an object');
  for (const [name, table] of Object.entries(v.columns as Record<string, unknown>)) {
    const t = table as Partial<CategoryTable> | null;
    if (
      t === null ||
      !Array.isArray(t.categories) ||
      !t.categories.every((c) => typeof c === 'string') ||
      new Set(t.categories).size !== t.categories.length ||
      !Array.isArray(t.counts) ||
      t.counts.length !== t.categories.length ||
      typeof t.missing !== 'number'
    ) {
      fail(`columns.${name}`, `column '${name}' needs unique string categories, one count per category and a missing count`);
    }
  }
  return value as CategoryEncoding;
}
