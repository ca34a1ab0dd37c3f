import { resolve } from 'node:path';
import yargs, { type Argv } from 'yargs';
import { PipelineError, exitCodeFor, EXIT_CODES, isPipelineError } from '@pipeline/core';
import { commands } from './commands/index.js';
import type { CliIo } from './io.js';
import { createPino, LOG_LEVELS, toLogger, type LogLevel } from './logger.js';
import { createProgress } from './progress.js';
import { renderError } from './render-error.js';
import type { Runtime } from './runtime.js';

const EPILOGUE = `Exit codes: 0 ok, 1 failure, 2 usage error, 3 bad input data, 4 not found, 130 interrupted.
Logs and progress go to stderr; results go to stdout (--json prints exactly one JSON document).`;

interface GlobalArgs {
  logLevel: LogLevel;
  json: boolean;
  quiet: boolean;
  seed?: number;
}

/**
 * Builds the yargs parser for `argv` (arguments after the binary), writing through `io`.
 * The returned parser has no handlers attached to the process: use {@link runCli} to execute.
 */
export function buildCli(argv: readonly string[], io: CliIo, onRun?: (run: Promise<number>) => void): Argv {
  let parser = yargs([...argv])
    .scriptName('pipeline')
    .usage('$0 <command> [options]')
    .option('log-level', {
      type: 'string',
      choices: LOG_LEVELS as unknown as string[],
      default: 'info',
      describe: 'Log level of the stderr logs',
      global: true,
    })
    .option('json', { type: 'boolean', default: false, describe: 'Print one JSON document on stdout', global: true })
    .option('quiet', { type: 'boolean', default: false, describe: 'No progress bars; only warnings and errors', global: true })
    .option('seed', { type: 'number', describe: 'Seed for every random choice (default 42; a --config file\'s seed unless given)', global: true })
    .parserConfiguration({ 'duplicate-arguments-array': false })
    .strict()
    .demandCommand(1, 'Name a command: see `pipeline --help`.')
    .recommendCommands()
    .help()
    .alias('help', 'h')
    .version(false)
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .epilogue(EPILOGUE)
    .exitProcess(false);

  for (const definition of commands) {
    parser = parser.command(
      definition.command,
      definition.describe,
      (y) => {
        let withOptions = definition.builder(y);
        for (const [example, description] of definition.examples) withOptions = withOptions.example(example, description);
        return withOptions;
      },
      (args) => {
        onRun?.(execute(definition.run, args as unknown as Record<string, unknown> & GlobalArgs, io, argv));
      },
    );
  }
  skipHelpCache(parser);
  return parser;
}

/**
 * yargs lays out the whole help text of a command each time the command runs, in case the handler
 * later asks for it (`cacheHelpMessage`): 10–30 % of `pipeline runs list`'s process time in a CPU
 * profile. Help is laid out when it is shown instead (yargs computes it then when nothing is cached).
 * Guarded: a yargs without this internal hook is left as it is.
 */
function skipHelpCache(parser: Argv): void {
  const internal = (parser as unknown as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } }).getInternalMethods?.();
  const usage = internal?.getUsageInstance?.();
  if (usage !== undefined && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
}

/**
 * Runs the `prepare` step of every command named in `argv` (what its builder needs, such as the
 * config schema for `train`'s help text). Call it before {@link buildCli}; {@link runCli} does.
 */
export async function prepareCommands(argv: readonly string[]): Promise<void> {
  const named = new Set(argv.filter((a) => !a.startsWith('-')));
  for (const definition of commands) {
    if (definition.prepare !== undefined && named.has(definition.command.split(' ')[0]!)) await definition.prepare(argv);
  }
}

/** Calls the `release` step of every command (what `prepare` started and no run took). */
function releaseCommands(): void {
  for (const definition of commands) definition.release?.();
}

/**
 * Joins `--opt -value` into `--opt=-value` for the options commands declare in `dashValueOptions`
 * (`runs list --sort -cv`), so a descending sort key is not read as short flags.
 */
export function joinDashValues(argv: readonly string[]): string[] {
  const options = new Set(commands.flatMap((c) => (c.dashValueOptions ?? []).map((o) => `--${o}`)));
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    const next = argv[i + 1];
    if (options.has(token) && next !== undefined && next.startsWith('-') && next !== '--' && !next.startsWith('--')) {
      out.push(`${token}=${next}`);
      i += 1;
    } else {
      out.push(token);
    }
  }
  return out;
}

/** Parses and runs one CLI invocation; resolves to the process exit code. Never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await parseAndRun(argv, io);
  } finally {
    releaseCommands();
  }
}

async function parseAndRun(argv: readonly string[], io: CliIo): Promise<number> {
  const args = joinDashValues(argv);
  await prepareCommands(args);
  let run: Promise<number> | undefined;
  const parser = buildCli(args, io, (p) => {
    run = p;
  });
  let usageError: Error | undefined;
  let output = '';
  try {
    await new Promise<void>((resolveParse) => {
      parser.parse([...args], {}, (error: Error | null | undefined, _parsed: unknown, text: string) => {
        if (error) usageError = error;
        output = text;
        resolveParse();
      });
    });
  } catch (error) {
    usageError = error instanceof Error ? error : new Error(String(error));
  }
  if (usageError !== undefined && run === undefined) {
    io.stderr(output ? `${output}\n` : `error: ${usageError.message}\n`);
    io.stderr(`Run 'pipeline --help' for the commands and their options.\n`);
    return EXIT_CODES.usage;
  }
  if (run === undefined) {
    // --help or a bare completion: yargs produced the text.
    if (output) io.stdout(`${output}\n`);
    return EXIT_CODES.ok;
  }
  return run;
}

async function execute(
  handler: (args: Record<string, unknown>, runtime: Runtime) => Promise<number | void>,
  args: Record<string, unknown> & GlobalArgs,
  io: CliIo,
  argv: readonly string[],
): Promise<number> {
  const level: LogLevel = args.quiet && args.logLevel === 'info' ? 'warn' : args.logLevel;
  const pretty = io.stderrIsTTY === true ? (await import('pino-pretty')).default : undefined;
  let pinoLogger: ReturnType<typeof createPino> | undefined;
  const log = () => (pinoLogger ??= createPino(io, level, pretty));
  const progress = createProgress(io, !args.quiet && !args.json);
  const signal = io.signal ?? new AbortController().signal;
  const cwd = io.cwd ?? process.cwd();
  let printedJson = false;
  const runtime: Runtime = {
    io,
    argv,
    logger: toLogger(log, level),
    onProgress: progress.onProgress,
    signal,
    json: args.json,
    quiet: args.quiet,
    seed: args.seed ?? 42,
    cwd,
    context: { logger: toLogger(log, level), onProgress: progress.onProgress, signal, cwd, env: io.env ?? process.env },
    resolvePath: (path) => resolve(cwd, path),
    print: (text) => {
      if (!args.json) io.stdout(text.endsWith('\n') ? text : `${text}\n`);
    },
    printJson: (document) => {
      if (printedJson) throw new PipelineError('E_INTERNAL', 'a command printed two JSON documents');
      printedJson = true;
      io.stdout(`${JSON.stringify(document, null, 2)}\n`);
    },
  };
  try {
    const code = await handler(args, runtime);
    return code ?? EXIT_CODES.ok;
  } catch (error) {
    const exit = exitCodeFor(error);
    const message = renderError(error);
    if (exit === EXIT_CODES.failure && !isPipelineError(error)) {
      log().error({ err: error }, 'unexpected failure');
    }
    io.stderr(`error: ${message}\n`);
    if (args.json) {
      const code = isPipelineError(error) ? error.code : 'E_INTERNAL';
      io.stdout(`${JSON.stringify({ error: { code, message, exitCode: exit } })}\n`);
    }
    return exit;
  } finally {
    progress.stop();
  }
}
