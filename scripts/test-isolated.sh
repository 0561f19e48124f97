#!/usr/bin/env bash
# Runs the suite inside a network namespace that has only loopback, so test traffic cannot leave
# the machine: WebRTC between the bot and the sandbox's participants gathers 127.0.0.1 only, and
# Redis, the S3 server and the sandbox are all started inside it (Redis by this script).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${MEETCAP_IN_NETNS:-}" != 1 ]; then
  export MEETCAP_IN_NETNS=1
  if unshare -n true 2>/dev/null; then exec unshare -n "$0" "$@"; fi
  if unshare -rn true 2>/dev/null; then exec unshare -rn "$0" "$@"; fi
  echo "[test] cannot create a network namespace (need root or user namespaces); refusing to run media tests off loopback" >&2
  exit 1
fi

ip link set lo up
workdir=$(mktemp -d)
redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no \
  --pidfile "$workdir/redis.pid" --dir "$workdir" --logfile "$workdir/redis.log"
# Stop our Redis and wait until it has really exited (it writes its log while shutting down),
# so removing its directory cannot race it. Cleanup never changes the suite's exit status.
cleanup() {
  local pid
  pid=$(cat "$workdir/redis.pid" 2>/dev/null) || true
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$workdir" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 50); do [ -f "$workdir/redis.pid" ] && break; sleep 0.1; done
export REDIS_URL=redis://127.0.0.1:6379
status=0
npx vitest run "$@" || status=$?
exit "$status"
