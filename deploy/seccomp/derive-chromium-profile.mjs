#!/usr/bin/env node
// Derives the seccomp profile meetcap's workers run with from Docker's default profile
// (deploy/seccomp/README.md). Reads the Docker-format default profile on stdin, writes JSON on stdout.
//
//   node deploy/seccomp/derive-chromium-profile.mjs < deploy/seccomp/docker-default.json > deploy/seccomp/chromium.json
//   node deploy/seccomp/derive-chromium-profile.mjs --oci --arch amd64 < deploy/seccomp/docker-default.json > deploy/seccomp/chromium-oci-amd64.json
//
// The one change: Chromium's namespace sandbox creates a user namespace (then PID and network
// namespaces inside it) with clone/unshare, and chroots its sandboxed processes into an empty
// directory. Docker's default allows those calls only to containers holding CAP_SYS_ADMIN (or
// CAP_SYS_CHROOT for chroot), which a browser container must not get. So `clone` (any flags),
// `unshare` and `chroot` are allowed outright, and the two flag-masked `clone` rules they make
// redundant are removed. Everything else is Docker's default, rule for rule. `clone3` keeps
// Docker's ENOSYS answer (glibc falls back to clone; Chromium calls clone directly). `setns` and
// `mount` stay refused: the sandbox needs neither.
//
// --oci resolves Docker's conditional rules (includes/excludes on capabilities and architectures)
// for a container with no capabilities (Kubernetes: capabilities.drop [ALL]) and one
// architecture, because Kubernetes' Localhost profiles are read as plain OCI seccomp, which has no
// such conditions: left in, every capability-gated rule would silently apply to everyone.
import { readFileSync } from 'node:fs';

const CHROMIUM_CALLS = ['clone', 'unshare', 'chroot'];
const ARCHES = { amd64: 'SCMP_ARCH_X86_64', arm64: 'SCMP_ARCH_AARCH64' };

export function deriveChromiumProfile(dockerDefault) {
  const syscalls = dockerDefault.syscalls.filter((rule) => !(rule.names.length === 1 && rule.names[0] === 'clone' && rule.args?.length));
  syscalls.push({
    names: CHROMIUM_CALLS,
    action: 'SCMP_ACT_ALLOW',
    comment: 'meetcap: Chromium namespace sandbox (user/PID/network namespaces, chroot to an empty dir)',
  });
  return { ...dockerDefault, syscalls };
}

/** Docker-format profile -> plain OCI profile for one architecture and a given capability set. */
export function toOci(profile, { arch, caps = [] }) {
  const main = ARCHES[arch];
  if (!main) throw new Error(`--arch must be one of ${Object.keys(ARCHES).join(', ')}`);
  const entry = profile.archMap.find((a) => a.architecture === main);
  const has = (list, pred) => (list ?? []).some(pred);
  const applies = (rule) => {
    const inc = rule.includes ?? {};
    const exc = rule.excludes ?? {};
    if (inc.caps && !inc.caps.every((c) => caps.includes(c))) return false;
    if (has(exc.caps, (c) => caps.includes(c))) return false;
    if (inc.arches && !inc.arches.includes(arch)) return false;
    if (has(exc.arches, (a) => a === arch)) return false;
    return true; // minKernel: every kernel a current cluster runs is newer than Docker's minimums
  };
  const syscalls = profile.syscalls.filter(applies).map(({ includes: _i, excludes: _e, comment: _c, ...rule }) => rule);
  return {
    defaultAction: profile.defaultAction,
    defaultErrnoRet: profile.defaultErrnoRet,
    architectures: [main, ...(entry?.subArchitectures ?? [])],
    syscalls,
  };
}

function main(argv) {
  const oci = argv.includes('--oci');
  const archAt = argv.indexOf('--arch');
  const input = JSON.parse(readFileSync(0, 'utf8'));
  let out = deriveChromiumProfile(input);
  if (oci) out = toOci(out, { arch: archAt >= 0 ? argv[archAt + 1] : 'amd64', caps: [] });
  process.stdout.write(`${JSON.stringify(out, null, '\t')}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) main(process.argv.slice(2));
