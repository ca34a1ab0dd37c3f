#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the server's PostgreSQL test run: nothing global, 127.0.0.1 only.
#   pg-throwaway.sh start DIR   → initdb in DIR, start on a random free port, create database
#                                  `pipeline_test`, print its postgres:// URL on stdout
#   pg-throwaway.sh stop DIR    → stop the cluster and remove DIR
# PostgreSQL refuses to run as root: as root, the cluster runs as the user `pipeline-pg` (created
# if missing; DIR's parent must be traversable by it, e.g. mode 755). Needs Debian's `postgresql` package (initdb/pg_ctl under /usr/lib/postgresql/*/bin).
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?directory}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
[[ -n "$bin" && -x "$bin/initdb" ]] || { echo "pg-throwaway: PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
as_pg=()
if [[ $(id -u) -eq 0 ]]; then
  id -u pipeline-pg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin pipeline-pg
  as_pg=(runuser -u pipeline-pg --)
fi
case "$cmd" in
  start)
    mkdir -p "$dir"
    if [[ ${#as_pg[@]} -gt 0 ]]; then chown pipeline-pg "$dir"; chmod 755 "$dir"; fi
    "${as_pg[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync >"$dir/initdb.log" 2>&1
    port=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
    "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
    "${as_pg[@]}" "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qc 'CREATE DATABASE pipeline_test' >/dev/null
    echo "$port" >"$dir/port"
    echo "postgres://postgres@127.0.0.1:$port/pipeline_test"
    ;;
  stop)
    if [[ -d "$dir/data" ]]; then
      "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: pg-throwaway.sh start|stop DIR" >&2
    exit 2
    ;;
esac
