#!/usr/bin/env bash
# The release path as users take it, end to end against a real (throwaway) private registry:
#   1. starts verdaccio 6.8 on 127.0.0.1 (random free port, temporary storage, htpasswd auth, no
#      uplinks: it serves only what we publish) and creates a throwaway user and token;
#   2. copies the workspace's manifests and built packages to a temporary stage (the working tree is
#      never modified), versions every published package with changesets as a snapshot
#      (`changeset version --snapshot ci`) and publishes them with `changeset publish --tag ci`,
#      the scope mapped to the registry in the stage's `.npmrc`;
#   3. in fresh folders outside the workspace, installs the packages that examples/consumer uses
#      (`@pipeline/*` from the registry, everything else from the npm registry as usual) with npm
#      and with pnpm, checks that nothing resolves into the workspace, typechecks the consumer
#      (NodeNext, skipLibCheck false), builds it and runs it: it fits and predicts a stack, saves
#      and reloads it, and writes and reopens a run folder.
# Needs `pnpm build` first. Exit code ≠ 0 on any failure; the temporary folders and the registry
# process are removed on exit (KEEP=1 keeps the folders).
#   ALL=1   also installs every published package into the npm consumer and imports each entry
#           point (pulls tfjs, apache-arrow, h5wasm, vega… from the npm registry: slower).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
consumer_src="$root/examples/consumer"
verdaccio_version=6.8.0
cache="${PIPELINE_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pipeline-ci}"
started=$(date +%s)
say() { echo "registry round trip: $*" >&2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/pipeline-registry.XXXXXX")"
registry_pid=""
cleanup() {
  local status=$?
  if [[ -n "$registry_pid" ]] && kill -0 "$registry_pid" 2>/dev/null; then
    kill "$registry_pid" 2>/dev/null || true
    wait "$registry_pid" 2>/dev/null || true
  fi
  if [[ $status -ne 0 && -f "$work/registry/verdaccio.log" ]]; then
    echo "--- verdaccio log (last 30 lines) ---" >&2
    tail -n 30 "$work/registry/verdaccio.log" >&2 || true
  fi
  if [[ "${KEEP:-0}" == 1 ]]; then say "keeping $work"; else rm -rf "$work"; fi
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. verdaccio (installed once into the cache with npm; not a workspace dependency) ----------
verdaccio_dir="$cache/verdaccio-$verdaccio_version"
if [[ ! -x "$verdaccio_dir/node_modules/.bin/verdaccio" ]]; then
  say "installing verdaccio $verdaccio_version into $verdaccio_dir"
  mkdir -p "$cache"
  tmp_install="$(mktemp -d "$cache/.verdaccio.XXXXXX")"
  npm install --prefix "$tmp_install" "verdaccio@$verdaccio_version" --omit=dev --no-audit --no-fund --loglevel=error >&2
  rm -rf "$verdaccio_dir" && mv "$tmp_install" "$verdaccio_dir"
fi

mkdir -p "$work/registry/storage"
port="$(node -e 'const s=require("node:net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
registry="http://127.0.0.1:$port/"
cat >"$work/registry/config.yaml" <<YAML
storage: ./storage
auth:
  htpasswd:
    file: ./htpasswd
    max_users: 1
uplinks: {}
packages:
  '@pipeline/*':
    access: \$authenticated
    publish: \$authenticated
  '**':
    access: \$authenticated
    publish: \$authenticated
listen: 127.0.0.1:$port
# JWT API tokens: verified by signature (the legacy token re-checks the bcrypt password on every request).
security:
  api:
    legacy: false
    jwt:
      sign:
        expiresIn: 1h
log: { type: stdout, format: pretty, level: warn }
publish:
  allow_offline: true
YAML
(cd "$work/registry" && exec node "$verdaccio_dir/node_modules/verdaccio/bin/verdaccio" --config ./config.yaml >verdaccio.log 2>&1) &
registry_pid=$!
for _ in $(seq 1 120); do
  if curl -fsS "${registry}-/ping" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$registry_pid" 2>/dev/null; then say "verdaccio exited during startup"; exit 1; fi
  sleep 0.5
done
curl -fsS "${registry}-/ping" >/dev/null || { say "verdaccio did not answer on $registry within 60 s"; exit 1; }

user="ci-$RANDOM$RANDOM"
password="$(node -e 'console.log(require("node:crypto").randomBytes(18).toString("base64url"))')"
token="$(curl -fsS -X PUT -H 'content-type: application/json' \
  --data "{\"name\":\"$user\",\"password\":\"$password\"}" \
  "${registry}-/user/org.couchdb.user:$user" | node -e 'const r=JSON.parse(require("node:fs").readFileSync(0,"utf8"));if(!r.token)process.exit(1);console.log(r.token)')"
scope_npmrc="@pipeline:registry=$registry
//127.0.0.1:$port/:_authToken=$token"
say "verdaccio $verdaccio_version on $registry (user $user) after $(( $(date +%s) - started )) s"

# --- 2. snapshot version + publish from a temporary stage ---------------------------------------
stage="$work/stage"
mkdir -p "$stage"
mapfile -t package_dirs < <(node --input-type=module -e "
import { workspacePackages } from '$root/scripts/lib/workspace.mjs';
for (const p of workspacePackages()) if (p.published) console.log(p.relDir);")
for dir in "${package_dirs[@]}"; do
  [[ -d "$root/$dir/dist" ]] || { say "$dir/dist is missing: run \`pnpm build\` first"; exit 1; }
done
# The manifests and what `files` publishes, never node_modules (pnpm pack reads only the stage).
(cd "$root" && tar --exclude=node_modules --exclude=.turbo --exclude='*.tsbuildinfo' -cf - \
  package.json pnpm-workspace.yaml .changeset "${package_dirs[@]}") | tar -C "$stage" -xf -
printf '%s\n' "$scope_npmrc" >"$stage/.npmrc"
{
  echo '---'
  for dir in "${package_dirs[@]}"; do
    echo "\"$(node -p "require('$stage/$dir/package.json').name")\": patch"
  done
  echo '---'
  echo
  echo 'CI registry round trip (snapshot).'
} >"$stage/.changeset/ci-registry-roundtrip.md"
changeset="$root/node_modules/@changesets/cli/bin.js"
(cd "$stage" && node "$changeset" version --snapshot ci >"$work/changeset-version.log" 2>&1) \
  || { cat "$work/changeset-version.log" >&2; exit 1; }
version="$(node -p "require('$stage/${package_dirs[0]}/package.json').version")"
# What `pnpm pack` does to `workspace:` ranges, done here because the stage has no node_modules
# for pnpm to resolve them from: `workspace:*` → the version, `workspace:^` → ^version, …
node --input-type=module - "$stage" "${package_dirs[@]}" <<'NODE'
import { readFileSync, writeFileSync } from 'node:fs';
const [stage, ...dirs] = process.argv.slice(2);
const manifests = new Map(dirs.map((dir) => [dir, JSON.parse(readFileSync(`${stage}/${dir}/package.json`, 'utf8'))]));
const versions = new Map([...manifests.values()].map((m) => [m.name, m.version]));
for (const [dir, manifest] of manifests) {
  for (const field of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (typeof range !== 'string' || !range.startsWith('workspace:')) continue;
      const version = versions.get(name);
      // A devDependency on a private workspace package (@pipeline/test-support: shared test
      // fixtures, never published) means nothing outside this repository and is never installed
      // by a consumer: it leaves the published manifest. Anything else unpublished is an error.
      if (version === undefined && field === 'devDependencies') {
        delete manifest[field][name];
        continue;
      }
      if (version === undefined) throw new Error(`${manifest.name}: ${field}.${name} is ${range} but ${name} is not published`);
      const spec = range.slice('workspace:'.length);
      manifest[field][name] = spec === '*' ? version : spec === '^' || spec === '~' ? spec + version : spec;
    }
  }
  writeFileSync(`${stage}/${dir}/package.json`, `${JSON.stringify(manifest, null, 2)}\n`);
}
NODE
[[ "$version" == *-ci-* ]] || { say "changeset version did not produce a snapshot version (got $version)"; exit 1; }
say "publishing ${#package_dirs[@]} packages as $version"
(cd "$stage" && node "$changeset" publish --tag ci --no-git-tag >"$work/changeset-publish.log" 2>&1) \
  || { cat "$work/changeset-publish.log" >&2; exit 1; }
for dir in "${package_dirs[@]}"; do
  name="$(node -p "require('$stage/$dir/package.json').name")"
  published="$(curl -fsS -H "authorization: Bearer $token" "${registry}${name/\//%2f}" \
    | node -e 'const r=JSON.parse(require("node:fs").readFileSync(0,"utf8"));console.log(r["dist-tags"]?.ci ?? "")')"
  [[ "$published" == "$version" ]] || { cat "$work/changeset-publish.log" >&2; say "$name@$version is not on the registry (ci tag: '$published')"; exit 1; }
done
say "published after $(( $(date +%s) - started )) s"

# --- 3. consumers, outside the workspace --------------------------------------------------------
# What examples/consumer imports, at the snapshot version; its devDependencies (typescript,
# @types/node) come from the npm registry.
mapfile -t wanted < <(node -e "
const m = require('$consumer_src/package.json');
for (const name of Object.keys(m.dependencies)) console.log(name + '@$version');")
if [[ "${ALL:-0}" == 1 ]]; then
  for dir in "${package_dirs[@]}"; do
    spec="$(node -p "require('$stage/$dir/package.json').name")@$version"
    [[ " ${wanted[*]} " == *" $spec "* ]] || wanted+=("$spec")
  done
fi

make_consumer() { # folder → a copy of examples/consumer without its @pipeline dependencies
  local dir="$1"
  mkdir -p "$dir"
  cp -R "$consumer_src/src" "$consumer_src/tsconfig.json" "$dir/"
  node -e "
const m = require('$consumer_src/package.json');
m.dependencies = {};
require('node:fs').writeFileSync('$dir/package.json', JSON.stringify(m, null, 2));"
  printf '%s\n' "$scope_npmrc" >"$dir/.npmrc"
}

run_consumer() { # folder, installer
  local dir="$1" tool="$2"
  (
    cd "$dir"
    for spec in "${wanted[@]}"; do
      name="${spec%@*}"
      installed="$(node -p "require('./node_modules/$name/package.json').version")"
      [[ "$installed" == "$version" ]] || { say "$tool: $name is $installed, not $version"; exit 1; }
      resolved="$(node -p "require('node:fs').realpathSync('node_modules/$name')")"
      if [[ "$resolved" == "$root"* ]]; then say "$tool: $name resolves into the workspace ($resolved)"; exit 1; fi
    done
    ./node_modules/.bin/tsc -p .   # typechecks (skipLibCheck false: our .d.ts included) and builds
    node dist/main.js >"$dir/result.json"
    if [[ "${ALL:-0}" == 1 ]]; then
      node --input-type=module -e "
const names = process.argv.slice(1);
for (const name of names) {
  const manifest = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync('node_modules/' + name + '/package.json', 'utf8')));
  for (const subpath of Object.keys(manifest.exports ?? { '.': null })) {
    if (subpath.endsWith('.json')) continue;
    const id = subpath === '.' ? name : name + subpath.slice(1);
    const module = await import(id);
    if (Object.keys(module).length === 0) throw new Error(id + ' exports nothing');
  }
}" "${wanted[@]%@*}"
    fi
  )
  say "$tool consumer passed after $(( $(date +%s) - started )) s: $(cat "$dir/result.json")"
}

make_consumer "$work/npm-consumer"
say "npm install ${wanted[*]}"
(cd "$work/npm-consumer" && npm install --no-audit --no-fund --loglevel=error "${wanted[@]}" >&2)
run_consumer "$work/npm-consumer" npm

make_consumer "$work/pnpm-consumer"
say "pnpm add ${wanted[*]}"
(cd "$work/pnpm-consumer" && pnpm add --config.auto-install-peers=false --reporter=append-only "${wanted[@]}" >"$work/pnpm-add.log" 2>&1) \
  || { cat "$work/pnpm-add.log" >&2; exit 1; }
run_consumer "$work/pnpm-consumer" pnpm

say "done in $(( $(date +%s) - started )) s"
