/**
 * Node module-customization hooks that run the monorepo's TypeScript sources in a worker thread or a
 * child process: DEVELOPMENT ONLY (jest, and packages running from `src/` through the
 * `@pipeline/source` export condition). Built code never loads them.
 *
 * `@pipeline/*` imports resolve through the `@pipeline/source` condition, a missing `./x.js` finds
 * `./x.ts`, and `.ts` files are compiled with `@swc/core` (which the running project must have
 * installed). Register them with `register('@pipeline/core/dev/source-hooks', import.meta.url)`
 * from `node:module`, or start a process with `--import` of `@pipeline/core/dev/source-register`.
 *
 * @packageDocumentation
 */
import type { LoadHook, ResolveHook } from 'node:module';

/** Resolves with the `@pipeline/source` condition added; a path import of a missing `.js` file tries its `.ts`. */
export declare const resolve: ResolveHook;

/** Compiles `file:` URLs ending in `.ts` to ES modules with `@swc/core`; passes everything else on. */
export declare const load: LoadHook;
