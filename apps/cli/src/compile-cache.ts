import * as nodeModule from 'node:module';

/** The part of `node:module` that {@link enableCompileCache} uses (absent before Node 22.1). */
export interface CompileCacheModule {
  readonly enableCompileCache?: (() => { readonly directory?: string | undefined } | undefined) | undefined;
}

/**
 * Turns on Node's on-disk module compile cache (`module.enableCompileCache()`, Node 22.1+) for this
 * thread and, through `NODE_COMPILE_CACHE` in `env`, for the worker threads and Node child
 * processes started afterwards: a second `pipeline` run then skips compiling the code of the CLI, the
 * workflows and their dependencies. On a Node without the API (Node 20) it does nothing; it never
 * throws (a cache that cannot be written only costs the speed-up). `NODE_DISABLE_COMPILE_CACHE=1`
 * turns it off (Node's own switch), `NODE_COMPILE_CACHE=dir` chooses the folder (default
 * `<os.tmpdir()>/node-compile-cache`). Returns the cache folder, or undefined when it is off.
 */
export function enableCompileCache(
  module: CompileCacheModule = nodeModule as CompileCacheModule,
  env: Record<string, string | undefined> = process.env,
): string | undefined {
  if (typeof module.enableCompileCache !== 'function') return undefined;
  try {
    const directory = module.enableCompileCache()?.directory;
    if (directory === undefined) return undefined;
    env.NODE_COMPILE_CACHE ??= directory;
    return directory;
  } catch {
    return undefined;
  }
}
