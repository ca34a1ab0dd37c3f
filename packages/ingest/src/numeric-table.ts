/** What every numeric table read from a file (CSV, Arrow) reports besides its values. */
export interface NumericTableInfo {
  /** Absolute path of the file. */
  readonly file: string;
  /** Names of the value columns, in output order. */
  readonly columns: string[];
  readonly rows: number;
  readonly cols: number;
  /** Row ids (as text), when the file has an id column. */
  readonly ids: string[] | undefined;
  readonly idColumn: string | undefined;
}
