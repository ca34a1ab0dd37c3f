import { isPipelineError } from '@pipeline/core';
import { FLAG_OF_FIELD } from './train/options.js';

/**
 * An error's message in the CLI user's language: library field names (config paths such as
 * `inputs.table`, options such as `overwrite`) are followed by the flag that sets them, so
 * "pass overwrite: true" reads "field 'overwrite' (--overwrite)".
 */
export function renderError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (!isPipelineError(error)) return message;
  let out = message;
  // Quoted fields first ("field 'inputs.table'"), then config paths in the text ("inputs.labels: …").
  out = out.replace(/field '([^']+)'/g, (whole, field: string) => {
    const flags = field.split(', ').map(flagFor).filter((f): f is string => f !== undefined);
    return flags.length > 0 ? `${whole} (${flags.join(', ')})` : whole;
  });
  out = out.replace(/\b((?:inputs|imbalance|cv|meta|features)(?:\.[A-Za-z]+)+)/g, (path: string, _p: string, offset: number, text: string) => {
    const flag = flagFor(path);
    return flag === undefined || text[offset - 1] === "'" || text.startsWith(` (${flag}`, offset + path.length) ? path : `${path} (${flag})`;
  });
  out = out.replace(/allow overwriting/g, 'pass --overwrite');
  return out;
}

function flagFor(field: string): string | undefined {
  if (field.startsWith('--')) return undefined;
  // A base model's args are set by --hgb-*/--lstm-*/--cnn-* flags: the config path says which model.
  if (/^baseModels\[\d+\]\./.test(field)) return undefined;
  for (const [path, flag] of FLAG_OF_FIELD) if (field === path || field.startsWith(`${path}.`)) return flag;
  return undefined;
}
