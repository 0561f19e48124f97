import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  createVerifier,
  MAX_AGE_MS,
  MAX_FUTURE_MS,
  parseEnvelope,
  signEnvelope,
  type ControlEnvelope,
} from '../../src/control/envelope.js';

const SECRET = 'unit-secret-0123456789abcdef';
const T0 = Date.UTC(2026, 10, 21, 15, 0, 0);

/** A verifier whose clock the test moves. */
function verifierAt(start: number, secret: string | null = SECRET) {
  let now = start;
  const v = createVerifier({ secret: secret ?? undefined, now: () => now });
  return { verify: (e: ControlEnvelope) => v.verify(e), setNow: (t: number) => void (now = t) };
}

const signed = (over: Partial<Parameters<typeof signEnvelope>[0]> = {}): ControlEnvelope =>
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
    expect(parseEnvelope(JSON.stringify({ ...signed(), v: 2 })).problem).toBe('unknown version');
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
