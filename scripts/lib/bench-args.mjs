// Command-line options of the benchmark scripts (`bench/*.mjs` of the packages): `--name value`
// pairs, looked up by name, the first occurrence winning. Benchmarks are not published, so they may
// import this file by a relative path.

/** The value after `--name` in `argv` (default: this process's arguments), or `fallback` if `--name` is absent. */
export function option(name, fallback, argv = process.argv.slice(2)) {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
}

/** {@link option} as a number: `Number(value)` when `--name` is given, else `fallback` unchanged. */
export function numberOption(name, fallback, argv = process.argv.slice(2)) {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
}
