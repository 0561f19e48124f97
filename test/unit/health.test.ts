import { describe, expect, it } from 'vitest';
import type { SessionHealth } from '../../src/contracts/index.js';
import { createRootLogger } from '../../src/observability/logger.js';
import { HealthReporter, type LiveBrowser } from '../../src/session/health.js';
import { FakeClock } from '../helpers/fake-clock.js';

const log = createRootLogger({ level: 'silent' });

/** A page double: `mode` decides how the browser answers evaluate and screenshot. */
function fakePage(mode: { evaluate: 'answer' | 'hang' | 'error'; screenshot?: 'ok' | 'hang' | 'error'; closed?: boolean }) {
  const calls = { evaluate: 0 };
  const never = new Promise<never>(() => undefined);
  const page = {
    isClosed: () => mode.closed ?? false,
    evaluate: () => {
      calls.evaluate += 1;
      if (mode.evaluate === 'hang') return never;
      return mode.evaluate === 'answer' ? Promise.resolve(1) : Promise.reject(new Error('Execution context was destroyed'));
    },
    screenshot: () => {
      if (mode.screenshot === 'hang') return never;
      return mode.screenshot === 'error' ? Promise.reject(new Error('Target closed')) : Promise.resolve('iVBORw0KGgo=');
    },
  } as unknown as LiveBrowser['page'];
  return { page, calls };
}

function setup(opts: { probeTimeoutMs?: number; screenshotTimeoutMs?: number } = {}) {
  const clock = new FakeClock();
  const sent: SessionHealth[] = [];
  const reporter = new HealthReporter({ clock, log, send: (h) => sent.push(h), probeTimeoutMs: 20, screenshotTimeoutMs: 50, ...opts });
  let media = { mediaBytes: 0, uploadBacklogBytes: 0 };
  const live = (page: LiveBrowser['page']): LiveBrowser => ({ page, media: { progress: () => media } });
  return { clock, sent, reporter, live, setMedia: (m: typeof media) => (media = m) };
}

describe('session health reports', () => {
  it('carry the state, the media figures and when the browser last answered', async () => {
    const s = setup();
    s.reporter.observeState('launching');
    expect(await s.reporter.report()).toEqual({ at: '2026-11-21T10:00:00.000Z', state: 'launching', mediaBytes: 0, uploadBacklogBytes: 0 });

    s.reporter.attach(s.live(fakePage({ evaluate: 'answer' }).page));
    s.reporter.observeState('recording');
    s.setMedia({ mediaBytes: 123_456, uploadBacklogBytes: 7_000 });
    s.clock.advance(5_000);
    await s.reporter.report();
    expect(s.sent.at(-1)).toEqual({
      at: '2026-11-21T10:00:05.000Z',
      state: 'recording',
      mediaBytes: 123_456,
      uploadBacklogBytes: 7_000,
      browserRespondedAt: '2026-11-21T10:00:05.000Z',
    });
  });

  it('a hung browser does not hold the report back: it goes out with the last answer, one probe pending', async () => {
    const s = setup();
    const answering = fakePage({ evaluate: 'answer' });
    s.reporter.attach(s.live(answering.page));
    await s.reporter.report();
    const hung = fakePage({ evaluate: 'hang' });
    s.clock.advance(1_000);
    // The launch that hands over the page is the browser's last answer; then it hangs.
    const answeredAt = new Date(s.clock.now()).toISOString();
    s.reporter.attach(s.live(hung.page));
    for (let i = 0; i < 4; i++) {
      s.clock.advance(5_000);
      const started = Date.now();
      const h = await s.reporter.report();
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(h.browserRespondedAt).toBe(answeredAt);
    }
    expect(s.sent).toHaveLength(5);
    expect(hung.calls.evaluate).toBe(1);
  });

  it('an error from a live page is still an answer; a closed page is not', async () => {
    const s = setup();
    s.reporter.attach(s.live(fakePage({ evaluate: 'error' }).page));
    s.clock.advance(5_000);
    expect((await s.reporter.report()).browserRespondedAt).toBe('2026-11-21T10:00:05.000Z');
    const closed = fakePage({ evaluate: 'answer', closed: true });
    s.clock.advance(5_000);
    const before = new Date(s.clock.now()).toISOString();
    s.reporter.attach(s.live(closed.page));
    s.clock.advance(5_000);
    expect((await s.reporter.report()).browserRespondedAt).toBe(before);
    expect(closed.calls.evaluate).toBe(0);
  });

  it('stops sending once closed', async () => {
    const s = setup();
    s.reporter.close();
    s.reporter.close();
    await s.reporter.report();
    expect(s.sent).toEqual([]);
  });
});

describe('screenshots', () => {
  it('return the PNG of the meeting page', async () => {
    const s = setup();
    s.reporter.attach(s.live(fakePage({ evaluate: 'answer', screenshot: 'ok' }).page));
    expect(await s.reporter.screenshot()).toEqual({ ok: true, pngBase64: 'iVBORw0KGgo=' });
  });

  it('are refused with a typed error before the page exists, after it closed, on failure and on timeout', async () => {
    const s = setup();
    expect(await s.reporter.screenshot()).toMatchObject({ ok: false, error: { code: 'control_refused' } });
    s.reporter.attach(s.live(fakePage({ evaluate: 'answer', closed: true }).page));
    expect(await s.reporter.screenshot()).toMatchObject({ ok: false, error: { code: 'meeting_not_live' } });
    s.reporter.attach(s.live(fakePage({ evaluate: 'answer', screenshot: 'error' }).page));
    expect(await s.reporter.screenshot()).toMatchObject({ ok: false, error: { code: 'internal_error', message: 'Target closed' } });
    s.reporter.attach(s.live(fakePage({ evaluate: 'answer', screenshot: 'hang' }).page));
    expect(await s.reporter.screenshot()).toMatchObject({ ok: false, error: { code: 'internal_error', message: 'no screenshot within 50 ms' } });
  });
});
