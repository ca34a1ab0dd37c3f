// The workspace's packages, read from pnpm-workspace.yaml's `packages:` globs (one `*` level, as
// this repository uses) so every release script follows the packages that exist today.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Every workspace package: `{ name, dir (absolute), relDir, manifest, published }`, sorted by folder.
 * `published` is false for `"private": true` packages.
 */
export function workspacePackages() {
  const yaml = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const globs = [];
  let inPackages = false;
  for (const line of yaml.split('\n')) {
    if (/^packages:\s*$/.test(line)) { inPackages = true; continue; }
    if (inPackages && /^\s+-\s+/.test(line)) { globs.push(line.replace(/^\s+-\s+/, '').replace(/^["']|["']$/g, '').trim()); continue; }
    if (inPackages && /^\S/.test(line)) inPackages = false;
  }
  const dirs = [];
  for (const glob of globs) {
    if (glob.startsWith('!')) continue;
    if (glob.endsWith('/*')) {
      const parent = join(root, glob.slice(0, -2));
      if (!existsSync(parent)) continue;
      for (const entry of readdirSync(parent, { withFileTypes: true })) {
        if (entry.isDirectory() && existsSync(join(parent, entry.name, 'package.json'))) dirs.push(join(parent, entry.name));
      }
    } else if (!glob.includes('*') && existsSync(join(root, glob, 'package.json'))) {
      dirs.push(join(root, glob));
    } else {
      throw new Error(`pnpm-workspace.yaml: the glob '${glob}' is not supported by scripts/lib/workspace.mjs (use 'dir/*' or 'dir')`);
    }
  }
  return dirs.sort().map((dir) => {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    return { name: manifest.name, dir, relDir: relative(root, dir), manifest, published: manifest.private !== true };
  });
}

/**
 * The entry points a package publishes: one `{ subpath, types }` per `exports` key that has a
 * `types` condition (`./package.json` and other non-code subpaths are left out). `types` is
 * relative to the package folder.
 */
export function typeEntryPoints(manifest) {
  const exportsField = manifest.exports;
  if (exportsField === undefined) return manifest.types ? [{ subpath: '.', types: manifest.types }] : [];
  const map = typeof exportsField === 'string' || Object.keys(exportsField).every((k) => !k.startsWith('.'))
    ? { '.': exportsField }
    : exportsField;
  const entries = [];
  for (const [subpath, target] of Object.entries(map)) {
    const types = findTypes(target);
    if (types) entries.push({ subpath, types: types.replace(/^\.\//, '') });
  }
  return entries;
}

function findTypes(target) {
  if (target === null || typeof target !== 'object') return undefined;
  if (typeof target.types === 'string') return target.types;
  for (const [condition, value] of Object.entries(target)) {
    if (condition === '@pipeline/source') continue;
    const found = findTypes(value);
    if (found) return found;
  }
  return undefined;
}

/** `@pipeline/metrics` + `./eeg` → `metrics-eeg`; `.` → `metrics`. */
export function entryFileStem(name, subpath) {
  const unscoped = name.replace(/^@[^/]+\//, '');
  return subpath === '.' ? unscoped : `${unscoped}-${subpath.replace(/^\.\//, '').replace(/[^A-Za-z0-9]+/g, '-')}`;
}
