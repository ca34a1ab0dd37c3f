#!/usr/bin/env node
// `pnpm bench`: builds everything, then runs each package's `bench` script one after another (never
// in parallel: the machine has 2 cores). Each writes bench/results/<package>.md and .json.
// Usage: pnpm bench [package-name ...]   e.g. `pnpm bench model-gbdt features`
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);
mkdirSync(join(root, 'bench/results'), { recursive: true });
const build = spawnSync('pnpm', ['build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const dirs = ['packages', 'apps'].flatMap((group) =>
  readdirSync(join(root, group)).map((name) => ({ name, dir: join(root, group, name) })),
);
let failed = 0;
for (const { name, dir } of dirs) {
  if (only.length > 0 && !only.includes(name)) continue;
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) continue;
  const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
  if (!pkg.scripts?.bench) continue;
  console.error(`\n=== bench ${pkg.name}`);
  const result = spawnSync('pnpm', ['run', 'bench'], { cwd: dir, stdio: 'inherit' });
  if (result.status !== 0) {
    failed += 1;
    console.error(`bench ${pkg.name} failed with exit code ${result.status}`);
  }
}
console.error(`\nresults: ${join(root, 'bench/results')}`);
process.exit(failed > 0 ? 1 : 0);
