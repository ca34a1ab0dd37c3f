import { readFile } from 'node:fs/promises';
import { PipelineError } from '@pipeline/core';
import { LineCounter, parseDocument, isNode } from 'yaml';
import { z } from 'zod';
import { FA_TARGETS, MONITORED_METRICS, SEIZURE_VALIDATION_DEFAULTS, type SeizureValidationArgs } from './seizure-metrics.js';
import { SEIZURE_NET_DEFAULTS, type SeizureNetArgs } from './seizure-net.js';
import type { SeizureTrainArgs } from './train-seizure-net.js';

/** Where the data comes from and how it is cut into windows (the `data` block). */
export interface SeizureDataArgs {
  /** Folder of `NAME.edf` (or BIDS `…_eeg.edf`) with `NAME_events.tsv` / `NAME.csv_bi` beside each. null = given on the command line. */
  readonly dir: string | null;
  /** Sampling rate the recordings are resampled to, in Hz. */
  readonly sampleRate: number;
  /** Window length in seconds (the model's `samples` = windowSec · sampleRate). */
  readonly windowSec: number;
  /** Stride between windows in seconds. */
  readonly strideSec: number;
  /** Fraction of the recordings (never windows) held out for validation. */
  readonly validationFraction: number;
  /** `average` (19 channels re-referenced to their mean, `Fp1-Avg` …, the challenge layout), `bipolar` (double banana) or `referential`. */
  readonly montage: 'average' | 'bipolar' | 'referential';
  /** Zero-phase band-pass edges in Hz ([low, high]); null = none. */
  readonly bandpass: readonly [number, number] | null;
  /** Zero-phase notch frequencies in Hz (e.g. [50] or [60]); null = none. */
  readonly notch: readonly number[] | null;
  /** Per-channel z-scoring over each recording. */
  readonly standardize: boolean;
}

/** Where the run writes (the `run` block). */
export interface SeizureRunArgs {
  /** Run folder: `checkpoints/best`, `checkpoints/last`, `events/` (TensorBoard + JSONL), `config.json`, `result.json`. */
  readonly dir: string;
  /** tfjs backend: `auto` (wasm with the training kernels on a CPU machine), `wasm` or `cpu`. */
  readonly backend: 'auto' | 'wasm' | 'cpu' | 'tensorflow';
}

/** A whole seizure config: what `configs/local.yaml` and `configs/production.yaml` hold. */
export interface SeizureConfig {
  readonly seed: number;
  readonly data: SeizureDataArgs;
  /** Architecture; `channels` and `samples` come from the data block when omitted. */
  readonly model: Omit<SeizureNetArgs, 'channels' | 'samples'>;
  readonly train: SeizureTrainArgs;
  readonly validation: SeizureValidationArgs;
  readonly run: SeizureRunArgs;
}

const positive = () => z.number().positive();
const positiveInt = () => z.number().int().min(1);
const fraction = () => z.number().min(0).max(1);

const dataSchema = z.strictObject({
  dir: z.string().min(1).nullable().default(null),
  sampleRate: positive().default(256),
  windowSec: positive().default(60),
  strideSec: positive().default(10),
  validationFraction: z.number().gt(0).lt(1).default(0.25),
  montage: z.enum(['average', 'bipolar', 'referential']).default('average'),
  bandpass: z.tuple([z.number().min(0), positive()]).nullable().default([0.5, 120]),
  notch: z.array(positive()).nullable().default(null),
  standardize: z.boolean().default(true),
});

const modelSchema = z.strictObject({
  filters: positiveInt().default(SEIZURE_NET_DEFAULTS.filters),
  stemKernel: positiveInt().default(SEIZURE_NET_DEFAULTS.stemKernel),
  pool: positiveInt().default(SEIZURE_NET_DEFAULTS.pool),
  kernelSize: positiveInt().default(SEIZURE_NET_DEFAULTS.kernelSize),
  dilations: z.array(positiveInt()).min(1).default([...SEIZURE_NET_DEFAULTS.dilations]),
});

const monitored = Object.keys(MONITORED_METRICS) as [keyof typeof MONITORED_METRICS, ...(keyof typeof MONITORED_METRICS)[]];

const trainSchema = z.strictObject({
  epochs: positiveInt().default(10),
  batchSize: positiveInt().default(8),
  lr: positive().default(1e-3),
  weightDecay: z.number().min(0).default(1e-2),
  warmupRatio: z.number().min(0).lt(1).default(0.1),
  minLrRatio: fraction().default(0),
  clipNorm: z.number().min(0).default(1),
  positiveWeight: positive().default(1),
  balanced: z.boolean().default(true),
  earlyStopping: z
    .strictObject({
      metric: z.enum(monitored).default('sensitivity_at_10fa'),
      patience: z.number().int().min(0).default(5),
      minDelta: z.number().min(0).default(0),
    })
    .default({ metric: 'sensitivity_at_10fa', patience: 5, minDelta: 0 }),
  validationBatchSize: positiveInt().default(16),
  mixedPrecision: z.boolean().default(false),
});

const validationSchema = z.strictObject({
  tauOn: fraction().default(SEIZURE_VALIDATION_DEFAULTS.tauOn),
  tauOff: fraction().default(SEIZURE_VALIDATION_DEFAULTS.tauOff),
  morphologyKernel: positiveInt().default(SEIZURE_VALIDATION_DEFAULTS.morphologyKernel),
  minDurationSec: z.number().min(0).default(SEIZURE_VALIDATION_DEFAULTS.minDurationSec),
  faScorer: z.enum(['ovlp', 'taes', 'timescoring']).default(SEIZURE_VALIDATION_DEFAULTS.faScorer),
  faThresholds: z.array(fraction()).min(1).default([...SEIZURE_VALIDATION_DEFAULTS.faThresholds]),
  taesMode: z.enum(['nedc', 'exact']).default(SEIZURE_VALIDATION_DEFAULTS.taesMode),
});

const runSchema = z.strictObject({
  dir: z.string().min(1).default('runs/seizure'),
  backend: z.enum(['auto', 'wasm', 'cpu', 'tensorflow']).default('auto'),
});

/** The zod 4 schema of a seizure config: unknown keys are errors at every level. */
const rootSchema = z.strictObject({
    seed: z.number().int().min(0).default(42),
    data: dataSchema.default(dataSchema.parse({})),
    model: modelSchema.default(modelSchema.parse({})),
    train: trainSchema.default(trainSchema.parse({})),
    validation: validationSchema.default(validationSchema.parse({})),
    run: runSchema.default(runSchema.parse({})),
});

export const seizureConfigSchema = rootSchema.superRefine((config, context) => {
    if (config.validation.tauOff > config.validation.tauOn) {
      context.addIssue({ code: 'custom', path: ['validation', 'tauOff'], message: `must be <= validation.tauOn (${config.validation.tauOn}), got ${config.validation.tauOff}`, input: config.validation.tauOff });
    }
    const samples = config.data.windowSec * config.data.sampleRate;
    if (!Number.isInteger(samples)) {
      context.addIssue({ code: 'custom', path: ['data', 'windowSec'], message: `windowSec · sampleRate must be a whole number of samples, got ${samples}`, input: config.data.windowSec });
    } else if (samples % config.model.pool !== 0) {
      context.addIssue({ code: 'custom', path: ['model', 'pool'], message: `must divide the window length (${samples} samples), got ${config.model.pool}`, input: config.model.pool });
    }
    if (config.data.strideSec > config.data.windowSec) {
      context.addIssue({ code: 'custom', path: ['data', 'strideSec'], message: `must be <= data.windowSec (${config.data.windowSec}), got ${config.data.strideSec}`, input: config.data.strideSec });
    }
  });

/** The network arguments a config implies (channels from the montage, samples from the window). */
export function seizureNetArgsOf(config: SeizureConfig, channels: number): SeizureNetArgs {
  return { ...config.model, channels, samples: Math.round(config.data.windowSec * config.data.sampleRate) };
}

/** One problem of a config, with its dotted path (`train.lr`) and the YAML line when known. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
  readonly line?: number;
}

function describeInput(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (input === null) return 'null';
  if (typeof input === 'string') return JSON.stringify(input);
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  return String(input);
}

const TYPE_NAMES: Record<string, string> = { number: 'a number', string: 'a string', boolean: 'true or false', object: 'a mapping', array: 'a list', int: 'an integer' };

function issueMessage(issue: z.core.$ZodIssue): string {
  const got = `got ${describeInput((issue as { input?: unknown }).input)}`;
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}, ${got}`;
    case 'too_small': {
      const what = issue.origin === 'array' ? 'a list with length' : issue.origin === 'string' ? 'a string with length' : 'a number';
      return `expected ${what} ${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}, ${got}`;
    }
    case 'too_big': {
      const what = issue.origin === 'array' ? 'a list with length' : issue.origin === 'string' ? 'a string with length' : 'a number';
      return `expected ${what} ${issue.inclusive ? '<=' : '<'} ${String(issue.maximum)}, ${got}`;
    }
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, ${got}`;
    case 'invalid_format':
      return `expected ${issue.format}, ${got}`;
    case 'not_multiple_of':
      return `expected a multiple of ${String(issue.divisor)}, ${got}`;
    case 'unrecognized_keys':
      return 'unknown key';
    default:
      return issue.code === 'custom' ? issue.message : `${issue.message}, ${got}`;
  }
}

/** Turns zod issues into problems with dotted paths (`train.lr`); each unknown key is its own problem at its own path. */
export function configProblems(issues: readonly z.core.$ZodIssue[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    const base = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const known = knownKeys(base);
        problems.push({ path: [...base, key].join('.'), message: `unknown key${known.length > 0 ? ` (known keys: ${known.join(', ')})` : ''}` });
      }
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      problems.push({ path: base.join('.') || '(root)', message: issueMessage(issue.errors[0]![0] ?? issue) });
    } else {
      problems.push({ path: base.join('.') || '(root)', message: issueMessage(issue) });
    }
  }
  return problems;
}

function knownKeys(path: readonly string[]): string[] {
  const shapes: Record<string, z.ZodObject> = { '': rootSchema as unknown as z.ZodObject, data: dataSchema, model: modelSchema, train: trainSchema, validation: validationSchema, run: runSchema, 'train.earlyStopping': trainSchema.shape.earlyStopping.unwrap() };
  const shape = shapes[path.join('.')];
  return shape === undefined || !('shape' in shape) ? [] : Object.keys(shape.shape);
}

/** Validates a parsed config object; throws `E_USAGE` listing every problem as `path: message`. */
export function parseSeizureConfig(value: unknown, file?: string): SeizureConfig {
  const result = seizureConfigSchema.safeParse(value ?? {}, { reportInput: true });
  if (result.success) return result.data as SeizureConfig;
  throw configError(configProblems(result.error.issues), file);
}

function configError(problems: readonly ConfigProblem[], file: string | undefined): PipelineError {
  const lines = problems.map((p) => `${p.path}: ${p.message}${p.line === undefined ? '' : ` (line ${p.line})`}`);
  const error = new PipelineError('E_USAGE', `invalid seizure config:\n  ${lines.join('\n  ')}`, {
    ...(file === undefined ? {} : { file }),
    field: problems[0]?.path ?? '(root)',
    hint: 'fix the fields named above; `pipeline seizure validate FILE` checks a config',
  });
  return Object.assign(error, { problems });
}

/**
 * Parses and validates a YAML config text. YAML syntax errors and schema problems are `E_USAGE`
 * errors naming the file, the field path and (for schema problems) the line.
 */
export function parseSeizureConfigYaml(text: string, file?: string): SeizureConfig {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    const first = document.errors[0]!;
    const line = first.linePos?.[0]?.line;
    throw new PipelineError('E_USAGE', `not valid YAML${line === undefined ? '' : ` (line ${line})`}: ${first.message.split('\n')[0]}`, {
      ...(file === undefined ? {} : { file }),
      hint: 'fix the YAML syntax',
    });
  }
  const value: unknown = document.toJS();
  const result = seizureConfigSchema.safeParse(value ?? {}, { reportInput: true });
  if (result.success) return result.data as SeizureConfig;
  const problems = configProblems(result.error.issues).map((problem) => {
    const node = document.getIn(problem.path.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)), true);
    const offset = isNode(node) && node.range !== undefined && node.range !== null ? node.range[0] : findKeyOffset(document, problem.path);
    return offset === undefined ? problem : { ...problem, line: lineCounter.linePos(offset).line };
  });
  throw configError(problems, file);
}

function findKeyOffset(document: ReturnType<typeof parseDocument>, path: string): number | undefined {
  const parts = path.split('.');
  const parent = parts.length === 1 ? document.contents : document.getIn(parts.slice(0, -1), true);
  const items = (parent as { items?: Array<{ key?: { value?: unknown; range?: [number, number, number] } }> } | null)?.items;
  const pair = items?.find((item) => item.key?.value === parts[parts.length - 1]);
  return pair?.key?.range?.[0];
}

/** Reads and validates a YAML config file (`E_NOT_FOUND` when missing). */
export async function readSeizureConfig(path: string): Promise<SeizureConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new PipelineError('E_NOT_FOUND', 'config file not found', { file: path, cause, hint: 'see configs/local.yaml for an example' });
  }
  return parseSeizureConfigYaml(text, path);
}

/** FA/24h budgets of the report (fixed by the seed). */
export const REPORTED_FA_TARGETS = FA_TARGETS;
