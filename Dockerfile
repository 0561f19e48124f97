# meetcap worker image: Node 22 LTS on Debian 12 (bookworm), Debian's own chromium and ffmpeg
# (the versions the bot is tested against; no browser download), tini as PID 1, a non-root user.
# Chromium's sandbox stays ON (MEETCAP_CHROMIUM_NO_SANDBOX is never set here): the container must
# be allowed to create user namespaces. docs/deploy.md says what that takes under Docker's default
# seccomp profile, Kubernetes and Ubuntu's AppArmor, and validates this file in tests (no Docker
# engine runs on the build machines).
FROM node:22-bookworm-slim

ENV DEBIAN_FRONTEND=noninteractive
# chromium + ffmpeg from Debian (bookworm-security carries current Chromium); tini reaps the
# processes Chromium double-forks (crashpad) and forwards SIGTERM to the worker; fonts so pages
# render text like a desktop browser would.
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium ffmpeg tini ca-certificates fonts-liberation \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY package.json package-lock.json ./
# tsx is a runtime dependency: bin/meetcap.js loads the TypeScript sources, there is no build step.
RUN PUPPETEER_SKIP_DOWNLOAD=1 npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force
COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY bot-profiles ./bot-profiles
COPY tenants ./tenants

# A fixed numeric uid/gid so Kubernetes' runAsNonRoot can verify it without a passwd lookup.
RUN groupadd --system --gid 10001 meetcap \
 && useradd --system --uid 10001 --gid meetcap --create-home --home-dir /home/meetcap meetcap \
 && mkdir -p /var/lib/meetcap/spool /var/lib/meetcap/recordings \
 && chown -R meetcap:meetcap /var/lib/meetcap
WORKDIR /var/lib/meetcap

ENV NODE_ENV=production \
    MEETCAP_CHROMIUM=/usr/bin/chromium \
    MEETCAP_FFMPEG=/usr/bin/ffmpeg \
    MEETCAP_METRICS_HOST=0.0.0.0 \
    MEETCAP_METRICS_PORT=9464 \
    MEETCAP_SPOOL_DIR=/var/lib/meetcap/spool \
    MEETCAP_RECORDINGS_DIR=/var/lib/meetcap/recordings
EXPOSE 9464
USER 10001:10001

# /healthz is 200 while the worker's Redis connection is ready (src/observability/metrics.ts).
# node, not curl: the slim image has no curl.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.MEETCAP_METRICS_PORT||'9464')+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# SIGTERM (docker stop, Kubernetes) reaches the worker through tini: it stops leasing, asks every
# session to leave and finalize, and exits when they have (stop_grace_period must cover that).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/meetcap.js"]
CMD ["worker"]
