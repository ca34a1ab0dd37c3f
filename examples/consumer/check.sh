#!/usr/bin/env bash
# Uses the @pipeline packages from another project exactly as a user would: builds the ones
# examples/consumer depends on (with their own @pipeline dependencies), packs
# them with `pnpm pack` (which rewrites `workspace:*` ranges), installs the tarballs into a temporary
# copy of this project (pnpm, `pnpm.overrides` pointing every @pipeline/* at its tarball so nothing
# is fetched from a registry but TypeScript and @types/node, which come from the pnpm store when
# present), typechecks it with moduleResolution NodeNext, then builds and runs src/main.ts, which
# fits, predicts, saves and reloads a small stack and checks the numbers.
# A broken `exports` map, a missing .d.ts or a bad dependency range fails here. Exit code ≠ 0 on any failure.
# Usage: examples/consumer/check.sh
#   SKIP_BUILD=1  use the packages' existing dist/ (e.g. right after `pnpm build` in CI)
#   KEEP=1        keep the temporary folder for inspection
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# The @pipeline packages the example depends on, with their own @pipeline dependencies (folder names).
mapfile -t packages < <(node --input-type=module - "$root" "$here/package.json" <<'NODE'
import { readFileSync } from 'node:fs';
const [root, example] = process.argv.slice(-2);
const { workspacePackages } = await import(`${root}/scripts/lib/workspace.mjs`);
const byName = new Map(workspacePackages().map((p) => [p.name, p]));
const wanted = Object.keys(JSON.parse(readFileSync(example, 'utf8')).dependencies);
const seen = new Set();
const visit = (name) => {
  const pkg = byName.get(name);
  if (!pkg) throw new Error(`${name} is not a workspace package`);
  if (seen.has(pkg)) return;
  seen.add(pkg);
  for (const dep of Object.keys(pkg.manifest.dependencies ?? {})) if (byName.has(dep)) visit(dep);
};
wanted.forEach(visit);
for (const pkg of seen) console.log(pkg.relDir.replace(/^packages\//, ''));
NODE
)
(( ${#packages[@]} > 0 )) || { echo "consumer check: could not list the packages of the example" >&2; exit 1; }
work="$(mktemp -d "${TMPDIR:-/tmp}/pipeline-consumer.XXXXXX")"
if [[ "${KEEP:-0}" != 1 ]]; then trap 'rm -rf "$work"' EXIT; else echo "consumer check: keeping $work" >&2; fi

cd "$root"
filters=()
for p in "${packages[@]}"; do filters+=(--filter "@pipeline/$p..."); done
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  echo "consumer check: building ${packages[*]}" >&2
  pnpm "${filters[@]}" run build >&2
fi

mkdir -p "$work/tarballs" "$work/consumer"
for p in "${packages[@]}"; do
  (cd "packages/$p" && pnpm pack --pack-destination "$work/tarballs" >/dev/null)
done
cp -R "$here/src" "$here/tsconfig.json" "$work/consumer/"

# The consumer's package.json with every @pipeline/* dependency (direct or transitive) on its tarball.
node - "$here/package.json" "$work" "${packages[@]}" <<'NODE'
const { readFileSync, readdirSync, writeFileSync } = require('node:fs');
const [template, work, ...packages] = process.argv.slice(2);
const manifest = JSON.parse(readFileSync(template, 'utf8'));
const tarballs = readdirSync(`${work}/tarballs`);
const overrides = {};
for (const name of packages) {
  const file = tarballs.find((f) => f.startsWith(`pipeline-${name}-`) && /^\d/.test(f.slice(`pipeline-${name}-`.length)));
  if (!file) throw new Error(`no tarball for @pipeline/${name} in ${tarballs.join(', ')}`);
  overrides[`@pipeline/${name}`] = `file:../tarballs/${file}`;
}
for (const name of Object.keys(manifest.dependencies)) {
  if (!overrides[name]) throw new Error(`${name} is a dependency of the example but not packed`);
  manifest.dependencies[name] = overrides[name];
}
manifest.pnpm = { overrides };
writeFileSync(`${work}/consumer/package.json`, JSON.stringify(manifest, null, 2));
NODE

cd "$work/consumer"
echo "consumer check: installing the tarballs into $work/consumer" >&2
pnpm install --prefer-offline --ignore-workspace --config.auto-install-peers=false >&2
for p in "${packages[@]}"; do
  # Each package must be the installed tarball, never a link into the workspace.
  resolved="$(node -e "console.log(require('node:fs').realpathSync('node_modules/@pipeline/$p'))")"
  if [[ "$resolved" == "$root"* ]]; then
    echo "consumer check: @pipeline/$p resolves into the workspace ($resolved)" >&2
    exit 1
  fi
done
echo "consumer check: tsc --noEmit (moduleResolution NodeNext)" >&2
./node_modules/.bin/tsc --noEmit -p .
./node_modules/.bin/tsc -p .
echo "consumer check: running the example" >&2
node dist/main.js
