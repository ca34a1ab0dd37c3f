import { PipelineError } from '@pipeline/core';
import { PRIMARY_METRIC, type RunIndexEntry } from './run-index.js';

/** A parsed `--filter` expression: a predicate over index entries. */
export type RunFilter = (entry: RunIndexEntry) => boolean;

type Op = '=' | '!=' | '<' | '<=' | '>' | '>=' | '~';
type Node =
  | { readonly kind: 'and' | 'or'; readonly left: Node; readonly right: Node }
  | { readonly kind: 'not'; readonly inner: Node }
  | { readonly kind: 'cmp'; readonly field: string; readonly op: Op; readonly value: string | number };

interface Token {
  readonly type: 'word' | 'number' | 'string' | 'op' | 'lparen' | 'rparen' | 'and' | 'or' | 'not' | 'end';
  readonly text: string;
  /** 1-based character position in the expression. */
  readonly pos: number;
}

/**
 * Parses a filter such as `cv > 0.8 and tag = baseline and not status = failed` or
 * `(model = hgb or features >= 100) && config.cv.splits = 5`. Fields: see {@link runField}.
 * Operators `= == != < <= > >= ~` (~: contains). Syntax errors are `E_USAGE` naming the 1-based position.
 */
export function parseRunFilter(expression: string): RunFilter {
  const tokens = tokenize(expression);
  let i = 0;
  const peek = (): Token => tokens[i]!;
  const fail = (token: Token, what: string): never => {
    throw new PipelineError('E_USAGE', `--filter syntax error at position ${token.pos}: ${what} (in '${expression}')`, {
      field: '--filter',
      hint: "write comparisons like cv > 0.8, tag = baseline, name ~ lstm joined by and/or/not and parentheses",
    });
  };
  const describe = (t: Token): string => (t.type === 'end' ? 'the end of the expression' : `'${t.text}'`);
  const parseOr = (): Node => {
    let left = parseAnd();
    while (peek().type === 'or') {
      i++;
      left = { kind: 'or', left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): Node => {
    let left = parseNot();
    while (peek().type === 'and') {
      i++;
      left = { kind: 'and', left, right: parseNot() };
    }
    return left;
  };
  const parseNot = (): Node => {
    if (peek().type === 'not') {
      i++;
      return { kind: 'not', inner: parseNot() };
    }
    return parsePrimary();
  };
  const parsePrimary = (): Node => {
    const t = peek();
    if (t.type === 'lparen') {
      i++;
      const inner = parseOr();
      if (peek().type !== 'rparen') fail(peek(), `expected ')' to close the '(' at position ${t.pos}, found ${describe(peek())}`);
      i++;
      return inner;
    }
    if (t.type !== 'word') fail(t, `expected a field name, found ${describe(t)}`);
    i++;
    const op = peek();
    if (op.type !== 'op') fail(op, `expected an operator (= != < <= > >= ~) after '${t.text}', found ${describe(op)}`);
    i++;
    const v = peek();
    if (v.type !== 'word' && v.type !== 'number' && v.type !== 'string') fail(v, `expected a value after '${op.text}', found ${describe(v)}`);
    i++;
    return { kind: 'cmp', field: t.text, op: (op.text === '==' ? '=' : op.text) as Op, value: v.type === 'number' ? Number(v.text) : v.text };
  };
  if (peek().type === 'end') fail(peek(), 'the expression is empty');
  const tree = parseOr();
  if (peek().type !== 'end') fail(peek(), `unexpected ${describe(peek())}`);
  return (entry) => evaluate(tree, entry);
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const pos = i + 1;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      out.push({ type: c === '(' ? 'lparen' : 'rparen', text: c, pos });
      i++;
    } else if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      if (end < 0) {
        throw new PipelineError('E_USAGE', `--filter syntax error at position ${pos}: the quote is never closed (in '${text}')`, { field: '--filter' });
      }
      out.push({ type: 'string', text: text.slice(i + 1, end), pos });
      i = end + 1;
    } else if (text.startsWith('&&', i) || text.startsWith('||', i)) {
      out.push({ type: c === '&' ? 'and' : 'or', text: text.slice(i, i + 2), pos });
      i += 2;
    } else if (/[<>=!~]/.test(c)) {
      const two = text.slice(i, i + 2);
      if (two === '<=' || two === '>=' || two === '!=' || two === '==') {
        out.push({ type: 'op', text: two, pos });
        i += 2;
      } else if (c === '!') {
        out.push({ type: 'not', text: c, pos });
        i++;
      } else {
        out.push({ type: 'op', text: c, pos });
        i++;
      }
    } else {
      const m = /^[^\s()<>=!~"']+/.exec(text.slice(i));
      if (m === null) {
        throw new PipelineError('E_USAGE', `--filter syntax error at position ${pos}: unexpected '${c}' (in '${text}')`, { field: '--filter' });
      }
      const word = m[0];
      const lower = word.toLowerCase();
      const type = lower === 'and' || lower === 'or' || lower === 'not' ? lower : /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(word) ? 'number' : 'word';
      out.push({ type, text: word, pos });
      i += word.length;
    }
  }
  out.push({ type: 'end', text: '', pos: text.length + 1 });
  return out;
}

function evaluate(node: Node, entry: RunIndexEntry): boolean {
  switch (node.kind) {
    case 'and':
      return evaluate(node.left, entry) && evaluate(node.right, entry);
    case 'or':
      return evaluate(node.left, entry) || evaluate(node.right, entry);
    case 'not':
      return !evaluate(node.inner, entry);
    case 'cmp': {
      const value = runField(entry, node.field);
      const values = Array.isArray(value) ? value : [value];
      return values.some((v) => compare(v, node.op, node.value));
    }
  }
}

function compare(actual: unknown, op: Op, expected: string | number): boolean {
  if (actual === undefined || actual === null) return op === '!=';
  if (op === '~') return String(actual).toLowerCase().includes(String(expected).toLowerCase());
  if (typeof actual === 'number' && typeof expected === 'number') {
    switch (op) {
      case '=': return actual === expected;
      case '!=': return actual !== expected;
      case '<': return actual < expected;
      case '<=': return actual <= expected;
      case '>': return actual > expected;
      case '>=': return actual >= expected;
    }
  }
  const a = typeof actual === 'object' ? JSON.stringify(actual) : String(actual);
  const b = String(expected);
  switch (op) {
    case '=': return a === b;
    case '!=': return a !== b;
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
  }
}

/**
 * The value of a filter/sort field of an entry: `cv` (fold mean of the primary metric), `cv.<metric>`,
 * `std[.<metric>]`, `oof.<metric>` (overall OOF score), `lb`, `gap` (cv − lb), `id`, `name`, `status`,
 * `tag` (any tag), `seed`, `features`, `rows`, `model` (any base model name or kind), `created`, `hash`,
 * `group` (seed group), `study`, `config.<path>` (e.g. `config.cv.splits`, `config.baseModels.0.args.maxIter`).
 */
export function runField(entry: RunIndexEntry, field: string): unknown {
  const [head, ...rest] = field.split('.');
  const metric = rest.length > 0 ? rest.join('.') : PRIMARY_METRIC;
  switch (head) {
    case 'cv':
      return entry.cv[metric]?.mean;
    case 'std':
      return entry.cv[metric]?.std;
    case 'oof':
      return entry.cv[metric]?.overall;
    case 'lb':
      return entry.lb;
    case 'gap': {
      const cv = entry.cv[PRIMARY_METRIC]?.mean;
      return cv === undefined || entry.lb === undefined ? undefined : cv - entry.lb;
    }
    case 'id':
      return entry.id;
    case 'name':
      return entry.name;
    case 'status':
      return entry.status;
    case 'tag':
    case 'tags':
      return entry.tags;
    case 'seed':
      return entry.seed;
    case 'features':
      return entry.nFeatures;
    case 'rows':
      return entry.nRows;
    case 'model':
      return entry.baseModels.flatMap((b) => [b.name, b.kind]);
    case 'created':
      return entry.createdAt;
    case 'hash':
      return entry.configHash;
    case 'group':
      return entry.seedGroup;
    case 'study':
      return entry.study?.id;
    case 'config': {
      let v: unknown = entry.config;
      for (const key of rest) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
      return v;
    }
    default:
      throw new PipelineError('E_USAGE', `unknown run field '${field}'`, {
        field: '--filter',
        hint: 'fields: cv, cv.<metric>, std, oof.<metric>, lb, gap, id, name, status, tag, seed, features, rows, model, created, hash, group, study, config.<path>',
      });
  }
}

/** Sorts entries by a field (`cv`, `-cv` for descending, `lb`, `created`, …); entries without the value last. */
export function sortRuns(entries: readonly RunIndexEntry[], spec: string): RunIndexEntry[] {
  const descending = spec.startsWith('-');
  const field = descending || spec.startsWith('+') ? spec.slice(1) : spec;
  const keyed = entries.map((e) => ({ e, k: runField(e, field) }));
  return keyed
    .sort((a, b) => {
      if (a.k === undefined || b.k === undefined) return a.k === undefined ? (b.k === undefined ? 0 : 1) : -1;
      const c = typeof a.k === 'number' && typeof b.k === 'number' ? a.k - b.k : String(a.k) < String(b.k) ? -1 : String(a.k) > String(b.k) ? 1 : 0;
      return descending ? -c : c;
    })
    .map((x) => x.e);
}
