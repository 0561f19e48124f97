#!/usr/bin/env bash
# Runs the capture benchmark (run.ts, same arguments) inside a fresh network namespace that has
# only loopback, as the media tests do: WebRTC between the bots and the sandbox then gathers
# 127.0.0.1 only, and nothing leaves the machine. Everything the benchmark needs (sandbox, S3
# server, bots) is started by run.ts inside the namespace; it needs no Redis (no queue involved).
#   bash scripts/bench/capture/run.sh [--quick] [--runs N] [--minutes M] [--only cpu|latency|concurrency] [--mode audio_video|audio_only] [--max-bots N] [--storage s3|local]
set -euo pipefail
cd "$(dirname "$0")/../../.."

if [ "${MEETCAP_BENCH_IN_NETNS:-}" != 1 ]; then
  for tool in Xvfb pulseaudio pactl; do
    command -v "$tool" >/dev/null || { echo "[bench] $tool missing: run scripts/bench/capture/setup.sh first" >&2; exit 1; }
  done
  export MEETCAP_BENCH_IN_NETNS=1
  if unshare -n true 2>/dev/null; then exec unshare -n "$0" "$@"; fi
  if unshare -rn true 2>/dev/null; then exec unshare -rn "$0" "$@"; fi
  echo "[bench] cannot create a network namespace (need root or user namespaces)" >&2
  exit 1
fi

ip link set lo up
exec node --import tsx scripts/bench/capture/run.ts "$@"
