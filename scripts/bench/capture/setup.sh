#!/usr/bin/env bash
# Packages only the capture benchmark needs, from Debian's archive: the reference bot's X server
# (Xvfb), its sound server (PulseAudio + pactl) and procps. The product, its tests and CI never
# need these, which is why they are not in scripts/setup.sh. Idempotent: installs only what is
# missing, and runs the project's own set-up (Chromium, ffmpeg, redis, npm ci) first.
set -euo pipefail
cd "$(dirname "$0")/../../.."

log() { printf '[bench-setup] %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else log "need root for: $*"; exit 1; fi; }

bash scripts/setup.sh

missing=()
command -v Xvfb >/dev/null || missing+=(xvfb)
command -v pulseaudio >/dev/null || missing+=(pulseaudio)
command -v pactl >/dev/null || missing+=(pulseaudio-utils)
command -v ps >/dev/null || missing+=(procps)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# x11grab and pulse input are in Debian's ffmpeg build; say so early rather than mid-benchmark.
ffmpeg -hide_banner -devices 2>/dev/null | grep -q x11grab || { log "ffmpeg lacks x11grab"; exit 1; }
ffmpeg -hide_banner -devices 2>/dev/null | grep -qw pulse || { log "ffmpeg lacks the pulse input"; exit 1; }
log "ready: $(dpkg-query -W -f "xvfb \${Version}" xvfb), $(pulseaudio --version)"
