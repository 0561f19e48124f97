import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  canonicalString,
  createVerifier,
  MAX_AGE_MS,
  MAX_FUTURE_MS,
  MAX_REASON_CHARS,
  parseEnvelope,
  signEnvelope,
  signEnvelopeV2,
  targetOf,
  type ControlEnvelope,
  type EnvelopeV1,
  type EnvelopeV2,
} from '../../src/control/envelope.js';
import { pngSize, targetOfId } from '../../src/ops/operator-ops.js';

const SECRET = 'unit-secret-0123456789abcdef';
const T0 = Date.UTC(2026, 10, 21, 15, 0, 0);

/** A verifier whose clock the test moves. */
function verifierAt(start: number, secret: string | null = SECRET) {
  let now = start;
  const v = createVerifier({ secret: secret ?? undefined, now: () => now });
  return { verify: (e: ControlEnvelope) => v.verify(e), setNow: (t: number) => void (now = t) };
}

const signed = (over: Partial<Parameters<typeof signEnvelope>[0]> = {}): EnvelopeV1 =>
  signEnvelope({ meetingId: 'crm-8812', command: 'pause', issuedAt: T0, ...over }, SECRET);

describe('control envelope signing', () => {
  it('a command signed with the shared secret verifies, once', () => {
    const v = verifierAt(T0 + 1_000);
    const e = signed();
    expect(e.requestId).toMatch(/^[A-Za-z0-9_-]{16,128}$/);
    expect(v.verify(e)).toEqual({ ok: true });
    // The same envelope again (captured off Redis and re-sent) is a replay.
    expect(v.verify({ ...e })).toEqual({ ok: false, why: 'replayed' });
    // A fresh request id for the same command is a new command.
    expect(v.verify(signed())).toEqual({ ok: true });
  });

  it.each([
    ['meetingId', { meetingId: 'crm-9999' }],
    ['command', { command: 'resume' }],
    ['issuedAt', { issuedAt: T0 + 1 }],
    ['requestId', { requestId: 'req_aaaaaaaaaaaaaaaaaaaaaaaa' }],
    ['signature', { signature: 'f'.repeat(64) }],
    ['signature (not hex)', { signature: 'not-a-signature' }],
    ['signature (short)', { signature: 'abcd' }],
  ] as const)('changing %s after signing breaks the signature', (_field, change) => {
    const v = verifierAt(T0);
    expect(v.verify({ ...signed(), ...change } as ControlEnvelope)).toEqual({ ok: false, why: 'bad_signature' });
  });

  it('a signature made with another secret is refused', () => {
    const e = signEnvelope({ meetingId: 'crm-8812', command: 'pause', issuedAt: T0 }, 'other-secret-0123456789abcdef');
    expect(verifierAt(T0).verify(e)).toEqual({ ok: false, why: 'bad_signature' });
  });

  it('a worker without a secret refuses everything', () => {
    expect(verifierAt(T0, null).verify(signed())).toEqual({ ok: false, why: 'no_secret' });
  });

  it('refuses commands older than 60 s or more than 5 s ahead of the clock', () => {
    expect(verifierAt(T0 + MAX_AGE_MS).verify(signed())).toEqual({ ok: true });
    expect(verifierAt(T0 + MAX_AGE_MS + 1).verify(signed())).toEqual({ ok: false, why: 'stale' });
    expect(verifierAt(T0 - MAX_FUTURE_MS).verify(signed())).toEqual({ ok: true });
    expect(verifierAt(T0 - MAX_FUTURE_MS - 1).verify(signed())).toEqual({ ok: false, why: 'from_the_future' });
  });

  it('a replay stays refused for as long as the command could pass the age check', () => {
    const v = verifierAt(T0);
    const e = signed();
    expect(v.verify(e).ok).toBe(true);
    v.setNow(T0 + MAX_AGE_MS);
    expect(v.verify(e)).toEqual({ ok: false, why: 'replayed' });
    v.setNow(T0 + MAX_AGE_MS + 1);
    expect(v.verify(e)).toEqual({ ok: false, why: 'stale' });
  });

  it('a forged command does not burn its request id for the real one', () => {
    const v = verifierAt(T0);
    const real = signed();
    expect(v.verify({ ...real, signature: '0'.repeat(64) })).toEqual({ ok: false, why: 'bad_signature' });
    expect(v.verify(real)).toEqual({ ok: true });
  });

  it('parses only well-formed envelopes off the channel', () => {
    expect(parseEnvelope(JSON.stringify(signed())).envelope).toMatchObject({ meetingId: 'crm-8812', command: 'pause' });
    expect(parseEnvelope('not json').problem).toBe('not JSON');
    expect(parseEnvelope(JSON.stringify({ ...signed(), v: 3 })).problem).toBe('unknown version');
    expect(parseEnvelope(JSON.stringify({ ...signed(), command: 'stop' })).problem).toBe('unknown command');
    expect(parseEnvelope(JSON.stringify({ ...signed(), requestId: 'x:y' })).problem).toBe('bad requestId');
    expect(parseEnvelope(JSON.stringify({ ...signed(), meetingId: 'a\nb' })).problem).toBe('bad meetingId');
    expect(parseEnvelope(JSON.stringify({ ...signed(), issuedAt: '2026-11-21' })).problem).toBe('bad issuedAt');
    const { signature: _s, ...unsigned } = signed();
    expect(parseEnvelope(JSON.stringify(unsigned)).problem).toBe('no signature');
  });

  it('will not sign a meeting id that could make the canonical string ambiguous', () => {
    expect(() => signEnvelope({ meetingId: 'a\nb', command: 'pause' }, SECRET)).toThrow(/bad meetingId/);
  });

  it("docs/control.md's worked example verifies with its secret", async () => {
    const doc = await readFile(new URL('../../docs/control.md', import.meta.url), 'utf8');
    const envelope = parseEnvelope(/```json\n([\s\S]*?)```/.exec(doc)![1]!).envelope!;
    const secret = /\(secret `([^`]+)`/.exec(doc)![1]!;
    expect(envelope).toBeDefined();
    expect(createVerifier({ secret, now: () => envelope.issuedAt }).verify(envelope)).toEqual({ ok: true });
    // The openssl line in the doc prints the same signature.
    expect(doc).toContain(`SHA2-256(stdin)= ${envelope.signature}`);
  });
});

const SESSION = 'ses_0b7c6f1e-9a2d-4c3b-8e5f-1a2b3c4d5e6f';
const signedV2 = (over: Partial<Parameters<typeof signEnvelopeV2>[0]> = {}): EnvelopeV2 =>
  signEnvelopeV2({ target: { kind: 'meeting', id: 'crm-8812' }, command: 'kill', reason: 'wrong call', issuedAt: T0, ...over }, SECRET);

describe('v2 envelopes (operator commands)', () => {
  it('kill, screenshot and drain verify once, each against its own target kind', () => {
    const v = verifierAt(T0);
    const kill = signedV2({ target: { kind: 'session', id: SESSION } });
    expect(parseEnvelope(JSON.stringify(kill)).envelope).toEqual(kill);
    expect(v.verify(kill)).toEqual({ ok: true });
    expect(v.verify({ ...kill })).toEqual({ ok: false, why: 'replayed' });
    expect(v.verify(signedV2({ command: 'screenshot', reason: undefined }))).toEqual({ ok: true });
    const drain = signedV2({ command: 'drain', target: { kind: 'worker', id: 'host-a:4121:9f3e2a1b' }, reason: undefined });
    expect(v.verify(drain)).toEqual({ ok: true });
    expect(targetOf(drain)).toEqual({ kind: 'worker', id: 'host-a:4121:9f3e2a1b' });
  });

  // The target-kind case signs a meeting id that looks like a session id, then re-aims it.
  it.each([
    ['the target id', {}, { target: { kind: 'meeting', id: 'crm-9999' } }],
    ['the target kind', { target: { kind: 'meeting', id: SESSION } }, { target: { kind: 'session', id: SESSION } }],
    ['the command', { reason: undefined }, { command: 'screenshot' }],
    ['the reason', {}, { reason: 'routine cleanup' }],
    ['the reason (added)', { reason: undefined }, { reason: 'routine cleanup' }],
    ['issuedAt', {}, { issuedAt: T0 + 1 }],
    ['requestId', {}, { requestId: 'req_bbbbbbbbbbbbbbbbbbbbbbbb' }],
  ] as const)('changing %s after signing breaks the signature', (_field, base, change) => {
    const tampered = { ...signedV2(base), ...change } as EnvelopeV2;
    expect(parseEnvelope(JSON.stringify(tampered)).envelope).toBeDefined();
    expect(verifierAt(T0).verify(tampered)).toEqual({ ok: false, why: 'bad_signature' });
  });

  it('dropping the reason after signing breaks the signature', () => {
    const { reason: _r, ...withoutReason } = signedV2();
    expect(verifierAt(T0).verify(withoutReason as EnvelopeV2)).toEqual({ ok: false, why: 'bad_signature' });
  });

  it('a v1 signature does not verify a v2 envelope with the same fields', () => {
    const v1 = signed();
    const asV2 = { v: 2, requestId: v1.requestId, target: { kind: 'meeting', id: v1.meetingId }, command: v1.command, issuedAt: v1.issuedAt, signature: v1.signature };
    const parsed = parseEnvelope(JSON.stringify(asV2)).envelope!;
    expect(verifierAt(T0).verify(parsed)).toEqual({ ok: false, why: 'bad_signature' });
    // Extra fields on a v1 envelope are neither signed nor used for routing.
    const withTarget = parseEnvelope(JSON.stringify({ ...v1, target: { kind: 'meeting', id: 'other' } })).envelope!;
    expect(targetOf(withTarget)).toEqual({ kind: 'meeting', id: 'crm-8812' });
  });

  it('refuses shapes a worker must not act on', () => {
    const problem = (over: Record<string, unknown>): string | undefined => parseEnvelope(JSON.stringify({ ...signedV2(), ...over })).problem;
    expect(problem({ target: undefined })).toBe('no target');
    expect(problem({ target: { kind: 'tenant', id: 'acme' } })).toBe('unknown target kind');
    expect(problem({ target: { kind: 'session', id: 'crm-8812' } })).toBe('bad session id');
    expect(problem({ command: 'drain' })).toBe('drain cannot target a meeting');
    expect(problem({ target: { kind: 'worker', id: 'host:1:abc' } })).toBe('kill cannot target a worker');
    expect(problem({ command: 'reboot' })).toBe('unknown command');
    expect(problem({ command: 'screenshot' })).toBe('only kill carries a reason');
    expect(problem({ reason: '' })).toBe('empty reason (omit the field)');
    expect(problem({ reason: 'line one\nline two' })).toMatch(/control characters/);
    expect(problem({ reason: 'x'.repeat(MAX_REASON_CHARS + 1) })).toMatch(/longer than 200/);
    expect(problem({ reason: 'x'.repeat(MAX_REASON_CHARS) })).toBeUndefined();
    expect(() => signedV2({ reason: 'a\u2028b' })).toThrow(/control characters/);
  });

  it('recording commands also travel as v2, aimed at a session', () => {
    const e = signedV2({ command: 'pause', target: { kind: 'session', id: SESSION }, reason: undefined });
    expect(canonicalString(e)).toBe(`meetcap-control\n2\n${e.requestId}\nsession\n${SESSION}\npause\n${T0}\n`);
    expect(verifierAt(T0).verify(e)).toEqual({ ok: true });
  });

  it("docs/control.md's v2 worked example verifies with its secret", async () => {
    const doc = await readFile(new URL('../../docs/control.md', import.meta.url), 'utf8');
    const block = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => parseEnvelope(m[1]!).envelope).find((e) => e?.v === 2)!;
    const secret = /\(secret `([^`]+)`/.exec(doc)![1]!;
    expect(block).toMatchObject({ command: 'kill', target: { kind: 'meeting' } });
    expect(createVerifier({ secret, now: () => block.issuedAt }).verify(block)).toEqual({ ok: true });
    expect(doc).toContain(`SHA2-256(stdin)= ${block.signature}`);
  });
});

describe('operator ids and screenshots', () => {
  it('a ses_<uuid> id names a session; anything else a meeting', () => {
    expect(targetOfId(SESSION)).toEqual({ kind: 'session', id: SESSION });
    expect(targetOfId('crm-8812')).toEqual({ kind: 'meeting', id: 'crm-8812' });
    expect(targetOfId('ses_not-a-uuid')).toEqual({ kind: 'meeting', id: 'ses_not-a-uuid' });
  });

  it('reads a PNG size from its header and refuses what is not a PNG', () => {
    const header = Buffer.alloc(33);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(header, 0);
    header.writeUInt32BE(13, 8);
    header.write('IHDR', 12, 'latin1');
    header.writeUInt32BE(1280, 16);
    header.writeUInt32BE(720, 20);
    expect(pngSize(header)).toEqual({ width: 1280, height: 720 });
    expect(() => pngSize(Buffer.from('GIF89a'.padEnd(40, '\0')))).toThrow(/not a PNG/);
  });
});
