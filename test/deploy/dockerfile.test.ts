import { execFile } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import type { FleetContext, TypedEmitter, WorkerEventMap } from '../../src/fleet/context.js';
import { fleetKeys } from '../../src/fleet/keys.js';
import { attachMetrics } from '../../src/observability/metrics.js';
import { dockerignored, exists, parseDockerfile, parseKeyValues, read, yamlDocs } from './files.js';

const run = promisify(execFile);
const dockerfile = parseDockerfile(read('Dockerfile'));
const all = (op: string) => dockerfile.filter((i) => i.op === op);
const last = (op: string) => all(op).at(-1);
const env = Object.assign({}, ...all('ENV').map((i) => parseKeyValues(i.args))) as Record<string, string>;

describe('Dockerfile', () => {
  it('is Node 22 LTS on Debian bookworm with Debian chromium, ffmpeg and tini, production deps only', () => {
    expect(all('FROM')).toHaveLength(1);
    expect(last('FROM')!.args).toMatch(/^node:22-bookworm(-slim)?$/);
    const runs = all('RUN').map((i) => i.args).join('\n');
    const apt = /apt-get install[^&]*/.exec(runs)?.[0] ?? '';
    for (const pkg of ['chromium', 'ffmpeg', 'tini']) expect(apt.split(/\s+/)).toContain(pkg);
    expect(runs).toMatch(/npm ci --omit=dev/);
    // --omit=dev leaves tsx out unless it is a runtime dependency (bin/meetcap.js needs it).
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies)).toEqual(expect.arrayContaining(['tsx', 'prom-client']));
    expect(env.MEETCAP_CHROMIUM).toBe('/usr/bin/chromium');
  });

  it('copies only paths that exist and that .dockerignore does not exclude', () => {
    const sources = all('COPY').flatMap((i) => i.args.split(/\s+/).filter((a) => !a.startsWith('--')).slice(0, -1));
    expect(sources).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'bin', 'src', 'bot-profiles', 'tenants']));
    for (const src of sources) {
      expect(exists(src), src).toBe(true);
      expect(dockerignored(src), `${src} is in .dockerignore`).toBe(false);
    }
    expect(dockerignored('node_modules')).toBe(true);
  });

  it('runs as a fixed non-root uid, the one the Kubernetes Deployment declares', () => {
    const user = last('USER')!;
    expect(dockerfile.indexOf(user)).toBeGreaterThan(dockerfile.indexOf(last('RUN')!));
    const [uid, gid] = user.args.split(':');
    expect(uid).toMatch(/^\d+$/);
    expect(Number(uid)).not.toBe(0);
    expect(all('RUN').some((i) => i.args.includes(`useradd --system --uid ${uid}`))).toBe(true);
    const [deployment] = yamlDocs<{ spec: { template: { spec: { securityContext: Record<string, unknown> } } } }>('deploy/k8s/worker-deployment.yaml');
    expect(deployment!.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: Number(uid), runAsGroup: Number(gid) });
  });

  it('starts the worker under tini with Chromium\'s sandbox left on', () => {
    const entry = last('ENTRYPOINT')!.exec!;
    expect(entry.slice(0, 2)).toEqual(['/usr/bin/tini', '--']);
    expect(entry.slice(2)).toEqual(['node', '/app/bin/meetcap.js']);
    expect(all('WORKDIR')[0]!.args).toBe('/app');
    expect(exists('bin/meetcap.js')).toBe(true);
    expect(last('CMD')!.exec).toEqual(['worker']);
    expect(read('src/ops/cli.ts')).toContain(".command('worker')");
    const text = read('Dockerfile');
    expect(text).not.toMatch(/^\s*ENV[^\n]*MEETCAP_CHROMIUM_NO_SANDBOX/m);
    expect(text).not.toContain('--no-sandbox');
  });

  it('its HEALTHCHECK command passes against a ready worker and fails when Redis or the server is gone', async () => {
    const hc = last('HEALTHCHECK')!;
    expect(hc.args).toMatch(/--interval=\d+s/);
    const cmd = hc.exec!;
    expect(cmd[0]).toBe('node'); // slim images have no curl
    expect(cmd.join(' ')).toContain('/healthz');
    // The same port everywhere: config default, image ENV, EXPOSE.
    expect(env.MEETCAP_METRICS_PORT).toBe(String(loadConfig({}).fleet.metricsPort));
    expect(last('EXPOSE')!.args).toBe(env.MEETCAP_METRICS_PORT);
    expect(env.MEETCAP_METRICS_HOST).toBe('0.0.0.0');

    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
    await new Promise<void>((resolve) => (redis.status === 'ready' ? resolve() : redis.once('ready', () => resolve())));
    const metrics = await attachMetrics(fakeContext(redis));
    const port = new URL(metrics.endpoints!.healthz!).port;
    const check = () => run(cmd[0]!, cmd.slice(1), { env: { ...process.env, MEETCAP_METRICS_PORT: port }, timeout: 10_000 }).then(() => 0, (e: { code?: number }) => e.code ?? -1);
    try {
      expect(await check()).toBe(0);
      redis.disconnect();
      expect(await check()).toBe(1);
    } finally {
      await metrics.close();
      redis.disconnect();
    }
    expect(await check()).toBe(1);
  });
});

function fakeContext(redis: Redis): FleetContext {
  const config = loadConfig({ ...process.env, MEETCAP_METRICS_PORT: '0', MEETCAP_METRICS_HOST: '127.0.0.1', MEETCAP_QUEUE_PREFIX: 'mctest-dockerfile' });
  return {
    config,
    redis,
    keys: fleetKeys(config.queuePrefix),
    log: pino({ level: 'silent' }),
    workerId: 'h:1:x',
    host: 'h',
    pid: 1,
    events: new EventEmitter() as unknown as TypedEmitter<WorkerEventMap>,
    sessions: new Map(),
    now: Date.now,
  };
}
