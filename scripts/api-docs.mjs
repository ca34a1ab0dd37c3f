#!/usr/bin/env node
// API reference (typedoc) for every published workspace package, written to docs/api/ (not
// committed). Warnings fail the build (`treatWarningsAsErrors` in typedoc.json): a broken {@link},
// a public type that is not exported. Needs `pnpm build` first (entry points come from each
// package's `exports` → dist/*.d.ts → declaration maps → src).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root, workspacePackages } from './lib/workspace.mjs';

const dirs = workspacePackages().filter((p) => p.published).map((p) => p.relDir);
const typedoc = join(root, 'node_modules', 'typedoc', 'bin', 'typedoc');
const result = spawnSync(process.execPath, [typedoc, '--options', join(root, 'typedoc.json'), ...process.argv.slice(2), ...dirs], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
