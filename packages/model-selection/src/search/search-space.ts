import { PipelineError } from '@pipeline/core';
import { z } from 'zod';
import { canonicalJson } from '../bytes.js';

/** A choice value: any plain JSON (a string, a number, a boolean, null, or an array/object such as a CNN's filter list). */
export type ChoiceValue = string | number | boolean | null | readonly ChoiceValue[] | { readonly [key: string]: ChoiceValue };

/** A sampled parameter value. */
export type ParamValue = ChoiceValue;

/** The parameters of one trial, keyed by the space's parameter names (e.g. `hgb.learningRate`). */
export type Params = Readonly<Record<string, ParamValue>>;

/** `param` is active only when the choice parameter `parent` took one of `in`. */
export interface ParamCondition {
  /** Name of a `choice` parameter of the same space. */
  readonly parent: string;
  /** Values of the parent that activate this parameter. */
  readonly in: readonly ChoiceValue[];
}

interface ParamBase {
  /** Present for a conditional parameter. */
  readonly when?: ParamCondition;
}

/** A float drawn uniformly from [low, high]. */
export interface UniformParam extends ParamBase {
  readonly type: 'uniform';
  readonly low: number;
  readonly high: number;
}

/** A float whose logarithm is uniform on [log low, log high]; both bounds > 0. */
export interface LogUniformParam extends ParamBase {
  readonly type: 'log-uniform';
  readonly low: number;
  readonly high: number;
}

/** An integer in [low, high] (both included), optionally log-distributed (then low >= 1). */
export interface IntParam extends ParamBase {
  readonly type: 'int';
  readonly low: number;
  readonly high: number;
  readonly log?: boolean;
}

/** One of `choices` (categorical: no order is assumed). */
export interface ChoiceParam extends ParamBase {
  readonly type: 'choice';
  readonly choices: readonly ChoiceValue[];
}

/** One parameter's distribution. */
export type ParamSpec = UniformParam | LogUniformParam | IntParam | ChoiceParam;

/**
 * A search space as data: parameter name → distribution. Names are `<target>.<argument>`
 * (`hgb.learningRate`, `meta.C`) so that a trial's params become a config patch
 * ({@link paramsToPatch}). Parameters are sampled in the order of `order` (parents before their
 * conditional children).
 */
export interface SearchSpace {
  readonly params: Readonly<Record<string, ParamSpec>>;
  /** Parameter names, parents before children (stable otherwise: the order they were declared in). */
  readonly order: readonly string[];
}

const json: z.ZodType<ChoiceValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(json), z.record(z.string(), json)]),
);
const condition = z.strictObject({ parent: z.string().min(1), in: z.array(json).min(1) });
const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const paramSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('uniform'), low: finite, high: finite, when: condition.optional() }),
  z.strictObject({ type: z.literal('log-uniform'), low: finite, high: finite, when: condition.optional() }),
  z.strictObject({ type: z.literal('int'), low: z.number().int(), high: z.number().int(), log: z.boolean().optional(), when: condition.optional() }),
  z.strictObject({ type: z.literal('choice'), choices: z.array(json), when: condition.optional() }),
]);

/** The zod schema of one parameter (`{ type: 'uniform' | 'log-uniform' | 'int' | 'choice', … , when? }`). */
export const PARAM_SCHEMA = paramSchema;

/**
 * The zod schema of a search-space file: `{ params: { name: ParamSpec | null } }`. `null` removes a
 * default parameter when the file overrides a default space.
 */
export const SEARCH_SPACE_FILE_SCHEMA = z.strictObject({
  params: z.record(z.string().min(1), z.union([paramSchema, z.null()])),
});

/** What {@link parseSearchSpace} checks names against. */
export interface ParseSearchSpaceOptions {
  /** The file the space came from (named in errors). */
  readonly file?: string;
  /**
   * Known arguments per target: a name `target.arg` must have `target` here and `arg` in its list.
   * Omitted: any name is accepted.
   */
  readonly knownParams?: Readonly<Record<string, readonly string[]>>;
}

function fail(field: string, message: string, options: ParseSearchSpaceOptions, hint?: string): never {
  throw new PipelineError('E_INPUT', message, {
    field,
    ...(options.file === undefined ? {} : { file: options.file }),
    ...(hint === undefined ? {} : { hint }),
  });
}

/**
 * Validates a search space given as plain data (`{ params: { … } }`, e.g. parsed from YAML/JSON)
 * and returns it with its sampling order. Rejected with `PipelineError('E_INPUT')` naming the field
 * path (`params.hgb.learningRate.low`): a schema violation, low > high, a log bound <= 0, an empty
 * choice, an unknown target or argument, a condition on a missing or non-choice parent, a condition
 * value the parent cannot take, or a cycle of conditions.
 */
export function parseSearchSpace(input: unknown, options: ParseSearchSpaceOptions = {}): SearchSpace {
  const entries = Object.entries(parseParams(input, options)).filter((entry): entry is [string, ParamSpec] => entry[1] !== null);
  return checkSpace(Object.fromEntries(entries), options);
}

/** Schema check of `{ params: { name: spec | null } }`, one parameter at a time so errors name the exact field. */
function parseParams(input: unknown, options: ParseSearchSpaceOptions): Record<string, ParamSpec | null> {
  const outer = z.strictObject({ params: z.record(z.string().min(1), z.unknown()) }).safeParse(input);
  if (!outer.success) {
    const issue = outer.error.issues[0]!;
    fail(issue.path.map(String).join('.') || '(root)', `invalid search space: ${issue.message}`, options, 'a search space is { params: { <target>.<argument>: { type, … } } }');
  }
  const out: Record<string, ParamSpec | null> = {};
  for (const [name, value] of Object.entries(outer.data.params)) {
    if (value === null) {
      out[name] = null;
      continue;
    }
    const parsed = paramSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = ['params', name, ...issue.path.map(String)].join('.');
      fail(field, `invalid search space: ${issue.message}`, options, "types: uniform, log-uniform (low, high), int (low, high, log?), choice (choices); optional when: { parent, in }");
    }
    out[name] = parsed.data as ParamSpec;
  }
  return out;
}

function checkSpace(params: Record<string, ParamSpec>, options: ParseSearchSpaceOptions): SearchSpace {
  const names = Object.keys(params);
  for (const name of names) {
    const spec = params[name]!;
    const field = `params.${name}`;
    if (options.knownParams !== undefined) {
      const dot = name.indexOf('.');
      const target = dot < 0 ? '' : name.slice(0, dot);
      const argument = dot < 0 ? name : name.slice(dot + 1);
      const known = options.knownParams[target];
      if (known === undefined) {
        fail(field, `unknown target '${target}' in parameter '${name}'`, options, `name parameters <target>.<argument> with target one of ${Object.keys(options.knownParams).join(', ')}`);
      }
      if (!known.includes(argument)) {
        fail(field, `'${argument}' is not a searchable argument of target '${target}'`, options, `known: ${known.join(', ')}`);
      }
    }
    if (spec.type === 'choice') {
      if (spec.choices.length === 0) fail(`${field}.choices`, `choice parameter '${name}' has no choices`, options, 'give at least one value');
      const seen = new Set<string>();
      for (const choice of spec.choices) {
        const key = canonicalJson(choice);
        if (seen.has(key)) fail(`${field}.choices`, `choice parameter '${name}' lists ${key} twice`, options);
        seen.add(key);
      }
    } else {
      if (spec.low > spec.high) fail(`${field}.low`, `low (${spec.low}) > high (${spec.high}) in '${name}'`, options, 'swap or fix the bounds');
      const log = spec.type === 'log-uniform' || (spec.type === 'int' && spec.log === true);
      if (log && spec.low <= 0) fail(`${field}.low`, `a log-distributed parameter needs low > 0, '${name}' has low ${spec.low}`, options, 'use a positive lower bound or a uniform distribution');
    }
    if (spec.when !== undefined) {
      const parent = params[spec.when.parent];
      if (parent === undefined) fail(`${field}.when.parent`, `'${name}' depends on '${spec.when.parent}', which is not in the space`, options);
      if (parent.type !== 'choice') fail(`${field}.when.parent`, `'${name}' depends on '${spec.when.parent}', which is not a choice parameter`, options);
      const allowed = new Set(parent.choices.map(canonicalJson));
      for (const value of spec.when.in) {
        if (!allowed.has(canonicalJson(value))) fail(`${field}.when.in`, `'${spec.when.parent}' never takes ${canonicalJson(value)}`, options, `its choices: ${parent.choices.map(canonicalJson).join(', ')}`);
      }
    }
  }
  // Parents first (depth-first over declared order); a cycle is an error.
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): void => {
    const mark = state.get(name);
    if (mark === 'done') return;
    if (mark === 'visiting') fail(`params.${name}.when.parent`, `conditions form a cycle: ${[...path, name].join(' → ')}`, options);
    state.set(name, 'visiting');
    const when = params[name]!.when;
    if (when !== undefined) visit(when.parent, [...path, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of names) visit(name, []);
  return { params: Object.freeze({ ...params }), order: Object.freeze(order) };
}

/** Builds a space from parameter specs (checked as {@link parseSearchSpace} does). */
export function searchSpace(params: Readonly<Record<string, ParamSpec>>, options: ParseSearchSpaceOptions = {}): SearchSpace {
  return parseSearchSpace({ params }, options);
}

/**
 * A default space with a file's parameters laid over it: a parameter in the file replaces the one
 * of the same name, a new name is added, `null` removes one. The result is checked again.
 */
export function mergeSearchSpace(base: SearchSpace, override: unknown, options: ParseSearchSpaceOptions = {}): SearchSpace {
  const merged: Record<string, ParamSpec | null> = { ...base.params, ...parseParams(override, options) };
  return parseSearchSpace({ params: merged }, options);
}

/** True when `name`'s condition (and its parent's, recursively) holds for the given params. */
export function isActive(space: SearchSpace, name: string, params: Params): boolean {
  const when = space.params[name]?.when;
  if (when === undefined) return true;
  if (!(when.parent in params)) return false;
  const value = canonicalJson(params[when.parent]!);
  return when.in.some((choice) => canonicalJson(choice) === value);
}

/** True for a log-distributed numeric parameter. */
export function isLogParam(spec: ParamSpec): boolean {
  return spec.type === 'log-uniform' || (spec.type === 'int' && spec.log === true);
}

/**
 * A trial's params as a config patch: `{ 'hgb.learningRate': 0.1, 'meta.C': 2 }` →
 * `{ hgb: { learningRate: 0.1 }, meta: { C: 2 } }` (split at the first dot; a name without a dot
 * stays at the top level).
 */
export function paramsToPatch(params: Params): Record<string, ParamValue | Record<string, ParamValue>> {
  const patch: Record<string, ParamValue | Record<string, ParamValue>> = {};
  for (const [name, value] of Object.entries(params)) {
    const dot = name.indexOf('.');
    if (dot < 0) {
      patch[name] = value;
      continue;
    }
    const target = name.slice(0, dot);
    const group = (patch[target] ??= {}) as Record<string, ParamValue>;
    group[name.slice(dot + 1)] = value;
  }
  return patch;
}
