import { jwtVerify } from 'jose';
import { pino } from 'pino';
import puppeteer, { type Browser, type HTTPResponse, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeetcapError } from '../../src/contracts/index.js';
import type { JoinOptions } from '../../src/platforms/platform.js';
import { createZoomSdkAdapter, startSdkAssetServer, type SdkAssetServer, type ZoomSdkAdapterConfig } from '../../src/platforms/zoom/sdk/index.js';
import { parseZoomUrl } from '../../src/platforms/zoom/url.js';

/**
 * The Meeting SDK page in real Chromium, offline. Loading is real (the SDK bundle, its Wasm
 * preload, its web workers), all from the loopback asset server. ZoomMtg.init and ZoomMtg.join
 * are replaced in the page by recorders: the real ones contact Zoom's servers, which are not
 * reachable from here (and need real credentials and a live meeting). The recorders answer the
 * way the SDK does (success / error callbacks, onJoinSpeed events), so the adapter's join path
 * runs for real up to the SDK boundary. Requests to any host but 127.0.0.1 are aborted and kept.
 */
const KEY = 'chromium-test-key';
const SECRET = 'chromium-test-secret';
const MEETING = '88240852079';
const log = pino({ level: process.env.MEETCAP_TEST_LOG ?? 'silent' });

type Outcome = { kind: 'in_call' } | { kind: 'waiting_room' } | { kind: 'error'; code: number; message: string };

/** Installed before any page script runs: wraps ZoomMtg the moment the SDK bundle assigns it. A string, because tsx would add `__name` helpers to a function. */
function recorderScript(outcome: Outcome): string {
  return `(() => {
  const outcome = ${JSON.stringify(outcome)};
  const rec = { init: [], join: [], handlers: {} };
  window.__meetcapTest = rec;
  rec.emit = (event, data) => rec.handlers[event] && rec.handlers[event](data);
  const plain = (args) => Object.fromEntries(Object.entries(args).filter(([, v]) => typeof v !== 'function'));
  let real;
  Object.defineProperty(window, 'ZoomMtg', {
    configurable: true,
    get: () => real,
    set: (zoom) => {
      // ZoomMtg is itself a Proxy that forwards calls to an inner client, so its properties cannot
      // be overwritten; the page gets a wrapper whose recorders take precedence instead.
      const listen = (event, cb) => zoom.inMeetingServiceListener(event, cb);
      const own = {
        inMeetingServiceListener: (event, cb) => { rec.handlers[event] = cb; return listen(event, cb); },
        init: (args) => { rec.init.push(plain(args)); Promise.resolve().then(() => args.success({ method: 'init', status: true })); },
        join: (args) => {
          rec.join.push(plain(args));
          Promise.resolve().then(() => {
            if (outcome.kind === 'error') return args.error({ method: 'join', status: false, result: null, errorCode: outcome.code, errorMessage: outcome.message });
            if (outcome.kind === 'waiting_room') rec.emit('onJoinSpeed', { tag: 'JOIN_SPEED', level: 6 });
            else args.success({ method: 'join', status: true });
          });
        },
        getCurrentUser: (args) => args.success({ result: { currentUser: { userId: 100, userName: 'meetcap bot' } } }),
        getAttendeeslist: (args) => args.success({ result: { attendeesList: [{ userId: 100, userName: 'meetcap bot' }, { userId: 200, userName: 'Ada' }] } }),
      };
      real = new Proxy(zoom, { get: (target, prop) => (Object.hasOwn(own, prop) ? own[prop] : Reflect.get(target, prop)) });
    },
  });
})()`;
}

describe('Zoom Meeting SDK page in Chromium', () => {
  let server: SdkAssetServer;
  let browser: Browser;
  const requested: string[] = [];
  const offsite: string[] = [];

  beforeAll(async () => {
    server = await startSdkAssetServer();
    browser = await puppeteer.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
      pipe: true,
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function openPage(outcome?: Outcome): Promise<Page> {
    const page = await browser.newPage();
    await page.setRequestInterception(true);
    page.on('request', (req) => {
      const url = new URL(req.url());
      requested.push(req.url());
      if ((url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'ws:' || url.protocol === 'wss:') && url.hostname !== '127.0.0.1') {
        offsite.push(req.url());
        void req.abort('blockedbyclient');
      } else {
        void req.continue();
      }
    });
    if (outcome) await page.evaluateOnNewDocument(recorderScript(outcome));
    return page;
  }

  function joinOptions(passcode?: string, link = `https://us02web.zoom.us/j/${MEETING}`): JoinOptions {
    const meeting = parseZoomUrl(new URL(link));
    if (!meeting) throw new Error('test link did not parse');
    return { botName: 'meetcap bot', meeting, log, deadline: Date.now() + 60_000, notStartedTimeoutMs: 0, ...(passcode ? { passcode } : {}) };
  }

  function adapterFor(extra: Partial<ZoomSdkAdapterConfig> = {}) {
    return createZoomSdkAdapter({ origin: server.origin, sdkKey: KEY, sdkSecret: SECRET, ...extra });
  }

  it('loads the Client View from the loopback server, cross-origin isolated, Wasm preloaded', async () => {
    const page = await openPage();
    const wasm = page.waitForResponse((res: HTTPResponse) => res.url().startsWith(`${server.origin}/zoom/lib/av/`) && res.url().endsWith('.wasm'));
    await page.goto(`${server.origin}/`, { waitUntil: 'load' });
    await page.waitForFunction("window.meetcapSdk && (window.meetcapSdk.status.phase !== 'loading' || window.meetcapSdk.status.errorMessage)");
    const state = (await page.evaluate(
      '({ zoom: typeof window.ZoomMtg, isolated: window.crossOriginIsolated, sab: typeof SharedArrayBuffer, status: window.meetcapSdk.status })',
    )) as { zoom: string; isolated: boolean; sab: string; status: { phase: string; errorMessage?: string } };
    expect(state).toMatchObject({ zoom: 'object', isolated: true, sab: 'function', status: { phase: 'ready' } });
    expect(state.status.errorMessage).toBeUndefined();
    expect((await wasm).status()).toBe(200);
    expect(requested.some((u) => u.startsWith(`${server.origin}/zoom/zoom-meeting-`))).toBe(true);
    expect(requested.some((u) => u.startsWith(`${server.origin}/vendor/react.min.js`))).toBe(true);
    await page.close();
  });

  it('joins with the exact arguments: signature for the meeting, passWord, userName, the OBF token when configured', async () => {
    const page = await openPage({ kind: 'waiting_room' });
    // Both tokens configured: the SDK refuses both at once (3636), so only the OBF token goes.
    const adapter = adapterFor({ zak: 'zak-token-value', obfToken: 'obf-token-value', userEmail: 'bot@example.com' });
    await adapter.join(page, joinOptions('s3cret-pass'));
    const rec = (await page.evaluate('({ init: window.__meetcapTest.init, join: window.__meetcapTest.join })')) as {
      init: Array<Record<string, unknown>>;
      join: Array<Record<string, unknown>>;
    };
    expect(rec.init).toEqual([{ leaveUrl: `${server.origin}/left`, patchJsMedia: true, disablePreview: true }]);
    expect(rec.join).toHaveLength(1);
    const { signature, ...rest } = rec.join[0] as { signature: string };
    expect(rest).toEqual({
      meetingNumber: MEETING,
      userName: 'meetcap bot',
      passWord: 's3cret-pass',
      userEmail: 'bot@example.com',
      obfToken: 'obf-token-value',
    });
    const { payload } = await jwtVerify(signature, new TextEncoder().encode(SECRET));
    expect(payload).toMatchObject({ appKey: KEY, sdkKey: KEY, mn: MEETING, role: 0 });
    expect(await adapter.probe(page, 'meetcap bot')).toEqual({ phase: 'waiting_room', participants: [] });
    await page.close();
  });

  it("passes a webinar registrant's tk from the link", async () => {
    const page = await openPage({ kind: 'in_call' });
    await adapterFor().join(page, joinOptions(undefined, `https://us02web.zoom.us/w/${MEETING}?tk=registrant-token-1&pwd=abc.1`));
    const join = (await page.evaluate('window.__meetcapTest.join[0]')) as Record<string, unknown>;
    expect(join).toMatchObject({ meetingNumber: MEETING, tk: 'registrant-token-1' });
    await page.close();
  });

  it('passes a ZAK when it is the only token', async () => {
    const page = await openPage({ kind: 'in_call' });
    await adapterFor({ zak: 'zak-token-value' }).join(page, joinOptions());
    const join = (await page.evaluate('window.__meetcapTest.join[0]')) as Record<string, unknown>;
    expect(join).toMatchObject({ zak: 'zak-token-value' });
    expect(join).not.toHaveProperty('obfToken');
    await page.close();
  });

  it('without tokens or a passcode sends an empty passWord and no zak/obfToken; the call is then probed', async () => {
    const page = await openPage({ kind: 'in_call' });
    const adapter = adapterFor();
    await adapter.join(page, joinOptions());
    const join = (await page.evaluate('window.__meetcapTest.join[0]')) as Record<string, unknown>;
    expect(join).toMatchObject({ meetingNumber: MEETING, userName: 'meetcap bot', passWord: '' });
    expect(Object.keys(join).sort()).toEqual(['meetingNumber', 'passWord', 'signature', 'userName']);
    await page.waitForFunction("window.meetcapSdk.status.participants.length === 2 && window.meetcapSdk.status.selfId === '100'");
    expect(await adapter.probe(page, 'meetcap bot')).toEqual({ phase: 'in_call', participants: [{ id: '200', name: 'Ada', speaking: false, self: false }] });
    await page.evaluate(`window.__meetcapTest.emit('onActiveSpeaker', [{ userId: 200, userName: 'Ada' }])`);
    expect((await adapter.probe(page)).participants).toEqual([{ id: '200', name: 'Ada', speaking: true, self: false }]);
    await page.evaluate(`window.__meetcapTest.emit('onUserLeave', { userId: 100, reasonCode: 6 })`);
    expect(await adapter.probe(page)).toEqual({ phase: 'left', reason: 'removed_by_host', participants: [] });
    // The SDK then navigates to leaveUrl; the reason must survive the navigation.
    await page.goto(`${server.origin}/left`, { waitUntil: 'load' });
    expect(await adapter.probe(page)).toEqual({ phase: 'left', reason: 'removed_by_host', participants: [] });
    await page.close();
  });

  it.each([
    [3004, 'Wrong meeting password', 'passcode_wrong'],
    [4012, 'App can not anonymous join meeting', 'sdk_token_required'],
  ])('join error %i (%s) surfaces as %s', async (code, message, reason) => {
    const page = await openPage({ kind: 'error', code, message });
    const err = await adapterFor()
      .join(page, joinOptions('wrong'))
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(MeetcapError);
    expect(err).toMatchObject({ code: reason, details: { sdkCode: code } });
    expect((err as MeetcapError).message).not.toContain('wrong"');
    await page.close();
  });

  it('every request any page made went to 127.0.0.1 (or stayed in the page: blob/data)', () => {
    expect(offsite).toEqual([]);
    for (const url of requested) {
      const { protocol, hostname } = new URL(url);
      if (protocol === 'blob:' || protocol === 'data:') continue;
      expect(hostname).toBe('127.0.0.1');
    }
  });
});
