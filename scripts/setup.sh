#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian 12 machine (and quick when already done): Debian's
# chromium + ffmpeg (+ redis-server and iproute2 when missing), npm ci when the lockfile changed,
# and a local Redis when none answers at REDIS_URL. Never downloads a browser of its own.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else log "need root for: $*"; exit 1; fi; }

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v ffmpeg >/dev/null || missing+=(ffmpeg)
command -v ffprobe >/dev/null || missing+=(ffmpeg)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v ip >/dev/null || missing+=(iproute2)
command -v unshare >/dev/null || missing+=(util-linux)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm ci only when the installed tree is older than the lockfile.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci"
  PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
fi

redis_url="${REDIS_URL:-redis://127.0.0.1:6379}"
hostport="${redis_url#redis://}"; hostport="${hostport##*@}"; hostport="${hostport%%/*}"
host="${hostport%%:*}"; port="${hostport##*:}"; [ "$port" = "$host" ] && port=6379
redis_up() { (exec 3<>"/dev/tcp/$host/$port" && printf 'PING\r\n' >&3 && timeout 2 head -c 5 <&3 | grep -q PONG) 2>/dev/null; }
if ! redis_up; then
  if [ "$host" = 127.0.0.1 ] || [ "$host" = localhost ]; then
    log "starting a local redis-server on $port"
    redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save '' --appendonly no >/dev/null
    for _ in $(seq 50); do redis_up && break; sleep 0.1; done
  else
    log "no Redis answers at $host:$port (REDIS_URL); start one or fix REDIS_URL"; exit 1
  fi
fi
log "ready: $(chromium --version 2>/dev/null | head -1), $(ffmpeg -version | head -1 | cut -d' ' -f1-3), node $(node -v)"
