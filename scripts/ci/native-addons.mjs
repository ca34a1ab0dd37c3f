#!/usr/bin/env node
// Prints the installed packages that carry a native addon compiled at install time
// (`build/Release/*.node`, e.g. better-sqlite3), one name per line: they are tied to the ABI of the
// Node that installed them and must be rebuilt to run under another Node line. `--dirs`: their folders. Prebuilt N-API
// binaries shipped in platform packages (@swc/core-linux-x64-gnu, …) are ABI-stable and not listed.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../lib/workspace.mjs';

const store = join(root, 'node_modules', '.pnpm');
const names = new Set();
const dirsWanted = process.argv.includes('--dirs');
const addonDirs = new Set();
if (existsSync(store)) {
  for (const entry of readdirSync(store)) {
    const modules = join(store, entry, 'node_modules');
    if (!existsSync(modules)) continue;
    for (const scopeOrName of readdirSync(modules)) {
      const dirs = scopeOrName.startsWith('@') ? readdirSync(join(modules, scopeOrName)).map((n) => join(scopeOrName, n)) : [scopeOrName];
      for (const name of dirs) {
        const release = join(modules, name, 'build', 'Release');
        if (!existsSync(release) || !readdirSync(release).some((f) => f.endsWith('.node'))) continue;
        const manifest = JSON.parse(readFileSync(join(modules, name, 'package.json'), 'utf8'));
        names.add(manifest.name);
        addonDirs.add(join(modules, name));
      }
    }
  }
}
for (const line of [...(dirsWanted ? addonDirs : names)].sort()) console.log(line);
