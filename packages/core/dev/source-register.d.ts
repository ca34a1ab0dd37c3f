/**
 * Importing this module registers `@pipeline/core/dev/source-hooks` in the current process, so it can
 * load the monorepo's TypeScript sources: the target of `node --import` for a child process started
 * from `src/` (jest, `@pipeline/source` development). DEVELOPMENT ONLY. It exports nothing.
 *
 * @packageDocumentation
 */
export {};
