#!/usr/bin/env bash
# Starts, stops or shows the 3-node local NATS cluster of infra/nats/cluster (issue 6,
# "Scale-out"). Run from anywhere; the nodes' stores, logs and pid files live under
# $MEMOCO_NATS_ROOT/.memoco/nats (default root: the repo). Credentials come from the environment:
#   MEMOCO_NATS_USER=memoco MEMOCO_NATS_PASSWORD=secret infra/nats/run-cluster.sh start
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="${MEMOCO_NATS_ROOT:-$here/../..}"
state="$root/.memoco"
action="${1:-status}"

: "${MEMOCO_NATS_USER:?set MEMOCO_NATS_USER (and MEMOCO_NATS_PASSWORD)}"
: "${MEMOCO_NATS_PASSWORD:?set MEMOCO_NATS_PASSWORD}"
export MEMOCO_NATS_USER MEMOCO_NATS_PASSWORD
mkdir -p "$state/nats"

pid_of() { cat "$state/nats/n$1.pid" 2>/dev/null || true; }
running() { local pid; pid="$(pid_of "$1")"; [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }

case "$action" in
  start)
    for i in 1 2 3; do
      if running "$i"; then echo "node $i already running (pid $(pid_of "$i"))"; continue; fi
      # The configs' store_dir (.memoco/nats/nN) is relative: start each node from the root.
      (cd "$root" && nohup nats-server -c "$here/cluster/node-$i.conf" -P "$state/nats/n$i.pid" >"$state/nats/n$i.log" 2>&1 &)
    done
    for _ in $(seq 1 100); do
      healthy=0
      for i in 1 2 3; do
        node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
          "http://127.0.0.1:$((8221 + i))/healthz" && healthy=$((healthy + 1))
      done
      [ "$healthy" -eq 3 ] && { echo "cluster up: nats://127.0.0.1:4222,nats://127.0.0.1:4223,nats://127.0.0.1:4224"; exit 0; }
      sleep 0.2
    done
    echo "cluster not healthy after 20 s; see $state/nats/n*.log" >&2; exit 1 ;;
  stop)
    for i in 1 2 3; do
      if running "$i"; then kill "$(pid_of "$i")"; echo "node $i stopped"; fi
      rm -f "$state/nats/n$i.pid"
    done ;;
  status)
    for i in 1 2 3; do
      if running "$i"; then echo "node $i: running (pid $(pid_of "$i"))"; else echo "node $i: stopped"; fi
    done ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
