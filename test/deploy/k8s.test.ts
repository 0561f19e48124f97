import { QueueKeys } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { fleetKeys } from '../../src/fleet/keys.js';
import { QUEUE_NAME } from '../../src/scheduler/queue.js';
import { exists, read, yamlDocs } from './files.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- Kubernetes manifests are checked field by field */
type Doc = Record<string, any>;
const [deployment] = yamlDocs<Doc>('deploy/k8s/worker-deployment.yaml');
const keda = yamlDocs<Doc>('deploy/k8s/keda-scaledobject.yaml');
const secrets = yamlDocs<Doc>('deploy/k8s/secrets.example.yaml');
const pod = deployment!.spec.template.spec;
const container = pod.containers[0];
const envValue = (name: string): string | undefined => container.env.find((e: Doc) => e.name === name)?.value;
const slots = Number(envValue('MEETCAP_SLOTS'));

/** The per-bot benchmark figures (docs/benchmarks.md, docs/deploy.md) the requests derive from. */
const PER_BOT = { cpuMilli: 600, memMi: 640 };
const WORKER = { cpuMilli: 100, memMi: 192 };
/** The worker's spare session process (MEETCAP_SPARE_SESSION), loaded and idle. */
const SPARE = { memMi: 140 };
const milli = (q: string): number => (q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000);
const mebi = (q: string): number => {
  const m = /^(\d+)(Mi|Gi)$/.exec(q);
  if (!m) throw new Error(`unexpected quantity ${q}`);
  return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
};

describe('deploy/k8s worker Deployment', () => {
  it('requests resources from the per-bot benchmark figures times its slots', () => {
    expect(slots).toBeGreaterThanOrEqual(1);
    const { requests, limits } = container.resources;
    expect(milli(requests.cpu)).toBe(slots * PER_BOT.cpuMilli + WORKER.cpuMilli);
    expect(mebi(requests.memory)).toBe(slots * PER_BOT.memMi + WORKER.memMi + SPARE.memMi);
    expect(mebi(limits.memory)).toBe(slots * PER_BOT.memMi * 1.5 + WORKER.memMi + SPARE.memMi);
    expect(milli(limits.cpu)).toBeGreaterThanOrEqual(milli(requests.cpu));
    expect(read('docs/deploy.md')).toContain(`${slots} x 600m + 100m = ${milli(requests.cpu)}m`);
  });

  it('waits longer than the drain before the kubelet kills the pod', () => {
    const stopGrace = Number(envValue('MEETCAP_SESSION_STOP_GRACE_SEC') ?? loadConfig({}).sessionStopGraceSec);
    // The session stop grace, then upload completion and the manifest (>= 60 s allowed), then margin.
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(stopGrace + 90);
    expect(container.lifecycle?.preStop).toBeUndefined(); // SIGTERM itself starts the drain
  });

  it('probes /healthz on the port the metrics server listens on', () => {
    const port = container.ports.find((p: Doc) => p.name === 'metrics');
    expect(String(port.containerPort)).toBe(envValue('MEETCAP_METRICS_PORT'));
    expect(envValue('MEETCAP_METRICS_HOST')).toBe('0.0.0.0');
    for (const probe of [container.readinessProbe, container.livenessProbe]) {
      expect(probe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    }
    // A Redis restart (seconds) must not restart every worker and end its meetings.
    const { periodSeconds, failureThreshold } = container.livenessProbe;
    expect(periodSeconds * failureThreshold).toBeGreaterThanOrEqual(120);
    expect(deployment!.spec.template.metadata.annotations).toMatchObject({ 'prometheus.io/port': envValue('MEETCAP_METRICS_PORT') });
  });

  it('takes the control secret, S3 and Redis credentials from Secrets that the example defines', () => {
    const refs = container.env.filter((e: Doc) => e.valueFrom?.secretKeyRef).map((e: Doc) => [e.name, e.valueFrom.secretKeyRef]);
    expect(refs.map(([n]: [string]) => n).sort()).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'MEETCAP_CONTROL_SECRET', 'REDIS_URL']);
    for (const [, ref] of refs) {
      const secret = secrets.find((s) => s.kind === 'Secret' && s.metadata.name === ref.name);
      expect(secret, ref.name).toBeDefined();
      expect(secret!.stringData).toHaveProperty(ref.key);
    }
    // No credential is written into the Deployment itself.
    expect(container.env.filter((e: Doc) => /SECRET|PASSWORD|KEY_ID/.test(e.name) && e.value !== undefined)).toEqual([]);
  });

  it('keeps Chromium sandboxed: non-root, no capabilities, the shipped Localhost seccomp profile', () => {
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(pod.securityContext.seccompProfile).toEqual({ type: 'Localhost', localhostProfile: 'profiles/meetcap-chromium.json' });
    expect(exists('deploy/seccomp/chromium-oci-amd64.json')).toBe(true);
    expect(container.env.some((e: Doc) => e.name === 'MEETCAP_CHROMIUM_NO_SANDBOX')).toBe(false);
    // A read-only root needs writable mounts where Chromium, the spool and HOME write.
    const mounts = container.volumeMounts.map((m: Doc) => m.mountPath);
    expect(mounts).toEqual(expect.arrayContaining(['/tmp', '/home/meetcap', '/var/lib/meetcap']));
    expect(envValue('MEETCAP_SPOOL_DIR')!.startsWith('/var/lib/meetcap/')).toBe(true);
  });
});

describe('deploy/k8s KEDA ScaledObject', () => {
  const scaled = keda.find((d) => d.kind === 'ScaledObject')!;
  const trigger = (type: string) => scaled.spec.triggers.find((t: Doc) => t.type === type);

  it('scales the worker Deployment, never below one worker', () => {
    expect(scaled.spec.scaleTargetRef.name).toBe(deployment!.metadata.name);
    expect(scaled.spec.minReplicaCount).toBeGreaterThanOrEqual(1);
  });

  it("reads BullMQ 5's wait LIST of queue `meetings` under prefix `meetcap`", () => {
    const redis = trigger('redis');
    const prefix = envValue('MEETCAP_QUEUE_PREFIX')!;
    expect(redis.metadata.listName).toBe(new QueueKeys(prefix).getKeys(QUEUE_NAME).wait);
    expect(redis.metadata.listName).toBe(fleetKeys(prefix).queue.wait);
    expect(redis.metadata.listName).toBe('meetcap:meetings:wait');
    expect(Number(redis.metadata.listLength)).toBe(slots);
    const auth = keda.find((d) => d.kind === 'TriggerAuthentication' && d.metadata.name === redis.authenticationRef.name)!;
    for (const ref of auth.spec.secretTargetRef) {
      expect(secrets.find((s) => s.metadata.name === ref.name)!.stringData).toHaveProperty(ref.key);
    }
  });

  it('also scales on demand from /metrics (running sessions + due meetings), one pod per slots', () => {
    const prom = trigger('prometheus');
    expect(prom.metadata.query).toContain('meetcap_sessions{');
    expect(prom.metadata.query).toContain('meetcap_queue_due_jobs');
    expect(Number(prom.metadata.threshold)).toBe(slots);
    const metricsSource = read('src/observability/metrics.ts') + read('src/observability/metrics-recorder.ts');
    for (const name of prom.metadata.query.match(/meetcap_[a-z_]+/g)) expect(metricsSource).toContain(`'${name}'`);
  });
});
