import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { read, repoPath } from './files.js';

const run = promisify(execFile);
const SCRIPT = repoPath('deploy/seccomp/derive-chromium-profile.mjs');

interface Rule { names: string[]; action: string; args?: unknown[]; includes?: { caps?: string[]; arches?: string[] }; excludes?: { caps?: string[] } }
interface Profile { defaultAction: string; syscalls: Rule[]; archMap?: unknown; architectures?: string[] }

async function derive(...args: string[]): Promise<string> {
  const child = run(process.execPath, [SCRIPT, ...args], { maxBuffer: 1 << 22 });
  child.child.stdin!.end(read('deploy/seccomp/docker-default.json'));
  return (await child).stdout;
}
const json = (p: string) => JSON.parse(read(p)) as Profile;
/** Syscalls a rule set allows outright: no argument filter, no capability or arch condition. */
const unconditional = (p: Profile) => new Set(p.syscalls.filter((r) => r.action === 'SCMP_ACT_ALLOW' && !r.args && !r.includes && !r.excludes).flatMap((r) => r.names));

describe('deploy/seccomp', () => {
  it('the checked-in profiles are exactly what the script derives from Docker\'s default', async () => {
    expect(await derive()).toBe(read('deploy/seccomp/chromium.json'));
    expect(await derive('--oci', '--arch', 'amd64')).toBe(read('deploy/seccomp/chromium-oci-amd64.json'));
    expect(await derive('--oci', '--arch', 'arm64')).toBe(read('deploy/seccomp/chromium-oci-arm64.json'));
  });

  it('differs from Docker\'s default only by allowing clone, unshare and chroot', () => {
    const docker = json('deploy/seccomp/docker-default.json');
    const chromium = json('deploy/seccomp/chromium.json');
    expect(docker.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(chromium.defaultAction).toBe('SCMP_ACT_ERRNO');
    for (const call of ['clone', 'unshare', 'chroot']) {
      expect(unconditional(docker).has(call), `docker default allows ${call}`).toBe(false);
      expect(unconditional(chromium).has(call), `chromium allows ${call}`).toBe(true);
    }
    const added = [...unconditional(chromium)].filter((c) => !unconditional(docker).has(c));
    expect(added.sort()).toEqual(['chroot', 'clone', 'unshare']);
    // Every other rule is Docker's, unchanged and in order: drop the two masked clone rules from
    // Docker's and the one added rule (the last) from ours, and the rest must be identical.
    const isMaskedClone = (r: Rule) => r.names.length === 1 && r.names[0] === 'clone' && !!r.args;
    expect(chromium.syscalls.at(-1)!.names).toEqual(['clone', 'unshare', 'chroot']);
    expect(chromium.syscalls.slice(0, -1)).toEqual(docker.syscalls.filter((r) => !isMaskedClone(r)));
    expect(docker.syscalls.filter(isMaskedClone)).toHaveLength(2);
    for (const stillRefused of ['setns', 'mount', 'bpf', 'ptrace']) expect(unconditional(chromium).has(stillRefused)).toBe(false);
  });

  it('the OCI profiles carry no Docker-only conditions and grant no capability-gated call', () => {
    const oci = json('deploy/seccomp/chromium-oci-amd64.json');
    expect(oci.archMap).toBeUndefined();
    expect(oci.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    expect(oci.syscalls.every((r) => !r.includes && !r.excludes)).toBe(true);
    const allowed = new Set(oci.syscalls.filter((r) => r.action === 'SCMP_ACT_ALLOW').flatMap((r) => r.names));
    for (const gated of ['mount', 'setns', 'bpf', 'perf_event_open', 'kcmp', 'init_module', 'reboot']) expect(allowed.has(gated), gated).toBe(false);
    expect(allowed.has('clone') && allowed.has('unshare') && allowed.has('chroot')).toBe(true);
    expect(allowed.has('arch_prctl')).toBe(true);
    expect(allowed.has('s390_runtime_instr')).toBe(false);
  });
});
