#!/usr/bin/env node
// Prints the installed packages that carry a native addon compiled at install time
// (`build/Release/*.node`, e.g. better-sqlite3), one name per line: they are tied to the ABI of the
// Node that installed them and must be rebuilt to run under another Node line. `--dirs`: their folders. Prebuilt N-API
// binaries shipped in platform packages (@swc/core-linux-x64-gnu, …) are ABI-stable and not listed.
// `--check <dir>`: loads that addon's `build/Release/*.node` files into the Node running this script
// and fails if one was compiled for another Node's ABI (NODE_MODULE_VERSION) or none loads at all
// (files that are not Node addons, like better-sqlite3's SQLite test extension, do not register and
// are not counted).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../lib/workspace.mjs';

const checkAt = process.argv.indexOf('--check');
if (checkAt !== -1) {
  const release = join(process.argv[checkAt + 1] ?? '', 'build', 'Release');
  const files = existsSync(release) ? readdirSync(release).filter((f) => f.endsWith('.node')) : [];
  let loaded = 0;
  for (const file of files) {
    try {
      process.dlopen({ exports: {} }, join(release, file));
      loaded++;
    } catch (error) {
      if (/NODE_MODULE_VERSION/.test(String(error))) {
        console.error(`native-addons: ${join(release, file)} is not built for node ${process.version}: ${String(error)}`);
        process.exit(1);
      }
    }
  }
  if (loaded === 0) {
    console.error(`native-addons: no addon in ${release} loads in node ${process.version}`);
    process.exit(1);
  }
  process.exit(0);
}

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
