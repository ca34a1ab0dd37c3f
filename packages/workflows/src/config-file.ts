import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { extname, resolve } from 'node:path';
import type * as Yaml from 'yaml';
import { PipelineError } from '@pipeline/core';
import { parseTrainConfig, type TrainConfig } from './train-config.js';

let yamlModule: typeof Yaml | undefined;
/**
 * `yaml`, loaded on first use (its Node build is CommonJS, which `import` loads too): a command that
 * reads no YAML file and writes none (`train` from flags) does not pay for it (70–85 CPU-ms).
 */
const yaml = (): typeof Yaml => (yamlModule ??= createRequire(import.meta.url)('yaml') as typeof Yaml);

/** A config file's parsed value (YAML or JSON; JSON is YAML, but `.json` files get JSON's error messages). */
export async function readConfigValue(path: string): Promise<unknown> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new PipelineError('E_NOT_FOUND', 'config file not found', { file, field: '--config', hint: 'pass the path of a .yaml or .json run config', cause });
  }
  if (extname(file).toLowerCase() === '.json') {
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw new PipelineError('E_USAGE', `config file is not valid JSON: ${(cause as Error).message}`, { file, field: '--config', hint: 'fix the JSON syntax', cause });
    }
  }
  const document = yaml().parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    const first = document.errors[0]!;
    const where = first.linePos?.[0] === undefined ? '' : ` at line ${first.linePos[0].line}, column ${first.linePos[0].col}`;
    throw new PipelineError('E_USAGE', `config file is not valid YAML${where}: ${first.message.split('\n')[0]}`, { file, field: '--config', hint: 'fix the YAML syntax' });
  }
  const value: unknown = document.toJS();
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new PipelineError('E_USAGE', 'config file must hold a mapping (key: value pairs)', { file, field: '--config', hint: 'see the README for an example config' });
  }
  return value;
}

/** Reads and validates a training config file; paths inside stay as written (resolved by the caller). */
export async function readTrainConfig(path: string): Promise<TrainConfig> {
  return parseTrainConfig(await readConfigValue(path), resolve(path));
}

/** A config as YAML (keys in schema order), e.g. to write the resolved config of a run. */
export function trainConfigToYaml(config: TrainConfig): string {
  return yaml().stringify(config, { lineWidth: 0 });
}
