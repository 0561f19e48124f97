import { request } from 'node:http';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { pino } from 'pino';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeetcapError, REASONS } from '../../src/contracts/index.js';
import {
  createZoomSdkAdapter,
  reasonForSdkError,
  reasonForUserLeave,
  signMeetingSdkSignature,
  startSdkAssetServer,
  toProbe,
  type SdkAssetServer,
  type SdkPageStatus,
} from '../../src/platforms/zoom/sdk/index.js';
import { parseZoomUrl } from '../../src/platforms/zoom/url.js';

const KEY = 'test-sdk-key';
const SECRET = 'test-sdk-secret-that-is-long-enough';
const NOW = Date.UTC(2026, 2, 10, 12, 0, 0);
const NOW_SEC = NOW / 1000;

async function refusal(p: Promise<unknown>): Promise<MeetcapError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MeetcapError);
  return err as MeetcapError;
}

describe('Meeting SDK signature', () => {
  it('is an HS256 JWT that verifies with the secret and carries Zoom’s claims', async () => {
    const token = await signMeetingSdkSignature({ sdkKey: KEY, sdkSecret: SECRET, meetingNumber: '88240852079', role: 0, now: NOW });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' });
    const { payload } = await jwtVerify(token, new TextEncoder().encode(SECRET), { currentDate: new Date(NOW) });
    expect(payload).toEqual({
      appKey: KEY,
      sdkKey: KEY,
      mn: '88240852079',
      role: 0,
      iat: NOW_SEC - 30,
      exp: NOW_SEC - 30 + 7200,
      tokenExp: NOW_SEC - 30 + 7200,
    });
  });

  it('does not verify with another secret', async () => {
    const token = await signMeetingSdkSignature({ sdkKey: KEY, sdkSecret: SECRET, meetingNumber: '123456789', role: 1, now: NOW });
    await expect(jwtVerify(token, new TextEncoder().encode('another-secret'))).rejects.toThrow();
  });

  it('adds video_webrtc_mode only when asked and honours a custom lifetime', async () => {
    const plain = await signMeetingSdkSignature({ sdkKey: KEY, sdkSecret: SECRET, meetingNumber: '123456789', role: 0, now: NOW });
    expect((await jwtVerify(plain, new TextEncoder().encode(SECRET), { currentDate: new Date(NOW) })).payload).not.toHaveProperty('video_webrtc_mode');
    const token = await signMeetingSdkSignature({ sdkKey: KEY, sdkSecret: SECRET, meetingNumber: '123456789', role: 1, now: NOW, lifetimeSec: 1800, videoWebrtcMode: 1 });
    const { payload } = await jwtVerify(token, new TextEncoder().encode(SECRET), { currentDate: new Date(NOW) });
    expect(payload).toMatchObject({ role: 1, video_webrtc_mode: 1, iat: NOW_SEC - 30, exp: NOW_SEC - 30 + 1800 });
  });

  it.each([[1799], [172_801], [0], [-5], [3600.5]])('refuses a lifetime of %s s (Zoom accepts 1800 s to 48 h)', async (lifetimeSec) => {
    const err = await refusal(signMeetingSdkSignature({ sdkKey: KEY, sdkSecret: SECRET, meetingNumber: '123456789', role: 0, lifetimeSec }));
    expect(err.code).toBe('sdk_signature_rejected');
    expect(err.details).toMatchObject({ stage: 'local' });
  });

  it('accepts the window’s edges', async () => {
    for (const lifetimeSec of [1800, 172_800]) {
      await expect(signMeetingSdkSignature({ sdkKey: KEY, sdkSecret: SECRET, meetingNumber: '123456789', role: 0, lifetimeSec })).resolves.toMatch(/^ey/);
    }
  });

  it.each([['12345678'], ['123456789012'], ['jane.doe'], ['882-4085-2079'], ['']])('refuses meeting number %j as invalid_job', async (meetingNumber) => {
    expect((await refusal(signMeetingSdkSignature({ sdkKey: KEY, sdkSecret: SECRET, meetingNumber, role: 0 }))).code).toBe('invalid_job');
  });

  it('refuses empty credentials and never puts the secret in the error', async () => {
    expect((await refusal(signMeetingSdkSignature({ sdkKey: '', sdkSecret: SECRET, meetingNumber: '123456789', role: 0 }))).code).toBe('sdk_signature_rejected');
    const err = await refusal(signMeetingSdkSignature({ sdkKey: KEY, sdkSecret: SECRET, meetingNumber: '123456789', role: 0, lifetimeSec: 10 }));
    expect(JSON.stringify(err.toJSON()) + err.message).not.toContain(SECRET);
  });
});

describe('Meeting SDK error and leave codes', () => {
  it.each([
    [3001, 'meeting_not_found'],
    [3004, 'passcode_wrong'],
    [3008, 'meeting_not_started'],
    [3009, 'removed_by_host'],
    [3099, 'join_blocked'],
    [3100, 'sign_in_required'],
    [3705, 'sdk_signature_rejected'],
    [3708, 'sdk_signature_rejected'],
    [3712, 'sdk_signature_rejected'],
    [4011, 'sdk_token_required'],
    [4012, 'sdk_token_required'],
    [4017, 'meeting_not_started'],
    [3265, 'sdk_token_required'],
    [3623, 'sdk_token_required'],
    [3636, 'sdk_token_required'],
    [1, 'join_blocked'],
    [3610, 'join_blocked'],
    [99999, 'join_blocked'],
  ])('join error %i → %s', (code, reason) => {
    expect(reasonForSdkError(code)).toBe(reason);
    expect(REASONS).toHaveProperty(reason);
  });

  it('4017 (OBF owner not in the meeting) is retryable, token and signature errors are not', () => {
    expect(REASONS[reasonForSdkError(4017)].retryable).toBe(true);
    expect(REASONS[reasonForSdkError(4012)].retryable).toBe(false);
    expect(REASONS[reasonForSdkError(3712)].retryable).toBe(false);
  });

  it.each([
    [1, 'meeting_ended'],
    [6, 'removed_by_host'],
    [7, 'denied_by_host'],
    [0, 'meeting_ended'],
    [2, 'meeting_ended'],
    [3, 'meeting_ended'],
    [5, 'meeting_ended'],
    [8, 'meeting_ended'],
  ])('leave reason %i → %s', (code, reason) => {
    expect(reasonForUserLeave(code)).toBe(reason);
  });
});

describe('Meeting SDK page status → probe', () => {
  const base: SdkPageStatus = { phase: 'in_call', participants: [] };
  it('lists participants other than the bot (by SDK self flag or by name)', () => {
    const probe = toProbe(
      {
        ...base,
        participants: [
          { id: '1', name: 'meetcap', speaking: false, self: true },
          { id: '2', name: 'Ada', speaking: true },
          { id: '3', name: 'Recorder Bot', speaking: false },
        ],
      },
      'Recorder Bot',
    );
    expect(probe).toEqual({ phase: 'in_call', participants: [{ id: '2', name: 'Ada', speaking: true, self: false }] });
  });

  it.each<[SdkPageStatus | null, object]>([
    [null, { phase: 'loading' }],
    [{ ...base, phase: 'ready' }, { phase: 'prejoin' }],
    [{ ...base, phase: 'joining', waitingForHost: true }, { phase: 'prejoin' }],
    [{ ...base, phase: 'waiting_room' }, { phase: 'waiting_room' }],
    [{ ...base, phase: 'joining', errorCode: 3004 }, { phase: 'prejoin', reason: 'passcode_wrong' }],
    [{ ...base, phase: 'loading', errorCode: -1 }, { phase: 'prejoin', reason: 'internal_error' }],
    [{ ...base, phase: 'left', leaveReason: 6 }, { phase: 'left', reason: 'removed_by_host' }],
    [{ ...base, phase: 'left' }, { phase: 'left', reason: 'meeting_ended' }],
  ])('%j → %j', (status, expected) => {
    expect(toProbe(status)).toMatchObject(expected);
  });
});

describe('Meeting SDK adapter without a browser', () => {
  const adapter = createZoomSdkAdapter({ origin: 'http://127.0.0.1:4567', sdkKey: KEY, sdkSecret: SECRET });
  it('only lets the page navigate to the asset server', () => {
    expect(adapter.allowsNavigationTo('127.0.0.1')).toBe(true);
    expect(adapter.allowsNavigationTo('zoom.us')).toBe(false);
    expect(adapter.allowsNavigationTo('source.zoom.us')).toBe(false);
    expect(adapter.signInHosts).toEqual([]);
  });

  it('refuses a personal link before touching the page', async () => {
    const meeting = parseZoomUrl(new URL('https://zoom.us/my/jane.doe'));
    expect(meeting).not.toBeNull();
    const page = new Proxy({}, { get: () => { throw new Error('page used'); } }) as Page;
    const opts = { botName: 'bot', meeting: meeting!, log: pino({ level: 'silent' }), deadline: Date.now() + 1000, notStartedTimeoutMs: 0 };
    expect((await refusal(adapter.join(page, opts))).code).toBe('platform_unsupported');
  });
});

describe('Meeting SDK asset server', () => {
  let server: SdkAssetServer;
  beforeAll(async () => {
    server = await startSdkAssetServer();
  });
  afterAll(async () => {
    await server.close();
  });

  function get(rawPath: string, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
    // Raw request paths: fetch() would normalise the `..` away before it reaches the server.
    const { port } = new URL(server.origin);
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: rawPath, method }, (res) => {
        let body = '';
        res.setEncoding('latin1');
        res.on('data', (c: string) => (body += c.length < 4096 ? c : c.slice(0, 16)));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject).end();
    });
  }

  it('listens on loopback only', () => {
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it.each([
    ['/', 'text/html; charset=utf-8'],
    ['/sdk-page.js', 'text/javascript; charset=utf-8'],
    ['/left', 'text/html; charset=utf-8'],
    ['/zoom/lib/av/audio.simd.wasm', 'application/wasm'],
    ['/zoom/lib/lang/en-US.json', 'application/json; charset=utf-8'],
    ['/zoom/ui/zoom-meetingsdk.css', 'text/css; charset=utf-8'],
    ['/vendor/react.min.js', 'text/javascript; charset=utf-8'],
    ['/vendor/react-dom.min.js', 'text/javascript; charset=utf-8'],
    ['/vendor/redux.min.js', 'text/javascript; charset=utf-8'],
    ['/vendor/redux-thunk.min.js', 'text/javascript; charset=utf-8'],
    ['/vendor/react-redux.min.js', 'text/javascript; charset=utf-8'],
    ['/vendor/lodash.min.js', 'text/javascript; charset=utf-8'],
  ])('serves %s as %s with the isolation headers', async (p, type) => {
    const res = await get(p, 'HEAD');
    expect(res.status).toBe(200);
    expect(res.headers).toMatchObject({
      'content-type': type,
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'cross-origin-resource-policy': 'same-origin',
    });
  });

  it('names the installed SDK bundle in the page', async () => {
    const { version } = (await import('@zoom/meetingsdk/package.json', { with: { type: 'json' } })).default as { version: string };
    const page = await get('/');
    expect(page.body).toContain(`/zoom/zoom-meeting-${version}.min.js`);
    expect(page.body).not.toContain('__ZOOM_SDK_VERSION__');
    expect((await get(`/zoom/zoom-meeting-${version}.min.js`, 'HEAD')).status).toBe(200);
  });

  it.each([
    '/../package.json',
    '/zoom/../package.json',
    '/zoom/..%2fpackage.json',
    '/zoom/..%2fREADME.md',
    '/..%2fassets.ts',
    '/public/..%2f..%2fassets.ts',
    '/zoom/%2e%2e/%2e%2e/package.json',
    '/zoom/../../../../etc/passwd',
    '/%2e%2e/assets.ts',
    '/vendor/../assets.ts',
    '/vendor/react/package.json',
    '/vendor/index.js',
    '/zoom/lib',
    '/zoom/%00',
    '/assets.ts',
    '/nothing-here',
  ])('answers %s with 4xx and no file outside the roots', async (p) => {
    const res = await get(p);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body).not.toMatch(/"name"|root:|import /);
  });

  it('refuses writes and closes idempotently', async () => {
    expect((await get('/', 'POST')).status).toBe(405);
    const other = await startSdkAssetServer();
    await Promise.all([other.close(), other.close()]);
    await other.close();
  });
});
