import type { Page } from 'puppeteer-core';
import type { Logger } from 'pino';
import {
  HEALTH_INTERVAL_MS,
  MeetcapError,
  toMeetcapError,
  type SessionHealth,
  type SessionState,
  type SessionToWorker,
} from '../contracts/index.js';
import type { Clock } from './clock.js';

export interface MediaProgress {
  mediaBytes: number;
  uploadBacklogBytes: number;
}

/** What a meeting session exposes once its browser and capture exist. */
export interface LiveBrowser {
  page: Pick<Page, 'evaluate' | 'screenshot' | 'isClosed'>;
  media: { progress(): MediaProgress };
}

export interface HealthOptions {
  clock: Clock;
  log: Logger;
  send: (health: SessionHealth) => void;
  intervalMs?: number;
  /** Longest a browser probe may take before it counts as unanswered (the report goes out anyway). */
  probeTimeoutMs?: number;
  screenshotTimeoutMs?: number;
}

type ScreenshotResult = Extract<SessionToWorker, { type: 'screenshot_result' }>['result'];

const NO_MEDIA: MediaProgress = { mediaBytes: 0, uploadBacklogBytes: 0 };

/**
 * The session's periodic report to its worker, and its screenshots. The browser probe is a
 * trivial evaluate in the meeting page (it goes through the browser process to the renderer, so a
 * hung browser or a hung page both go unanswered). A probe that does not settle in time is left
 * pending and the report goes out with the last answer: a hung browser never delays or stacks up
 * reports, which is exactly what lets the worker's stuck watchdog see it.
 */
export class HealthReporter {
  private state: SessionState = 'scheduled';
  private live: LiveBrowser | undefined;
  private respondedAt: number | undefined;
  private probing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly o: HealthOptions) {}

  observeState(state: SessionState): void {
    this.state = state;
  }

  attach(live: LiveBrowser): void {
    this.live = live;
    // Launched just now: the browser answered its launch, which counts as a response.
    this.respondedAt = this.o.clock.now();
  }

  /** Reports now, then every interval until close(). */
  start(): void {
    if (this.timer || this.closed) return;
    void this.report();
    this.timer = setInterval(() => void this.report(), this.o.intervalMs ?? HEALTH_INTERVAL_MS);
    this.timer.unref();
  }

  /** One report: probe the browser (bounded), then send. Never rejects. */
  async report(): Promise<SessionHealth> {
    await this.probe();
    const media = this.mediaProgress();
    const health: SessionHealth = {
      at: new Date(this.o.clock.now()).toISOString(),
      state: this.state,
      mediaBytes: media.mediaBytes,
      uploadBacklogBytes: media.uploadBacklogBytes,
      ...(this.respondedAt !== undefined ? { browserRespondedAt: new Date(this.respondedAt).toISOString() } : {}),
    };
    if (!this.closed) this.o.send(health);
    return health;
  }

  /** A PNG of the meeting page, or a typed refusal; bounded like the probe. */
  async screenshot(): Promise<ScreenshotResult> {
    const page = this.live?.page;
    try {
      if (!page) throw new MeetcapError('control_refused', 'the session has no browser page yet');
      if (page.isClosed()) throw new MeetcapError('meeting_not_live', 'the meeting page is closed');
      const timeoutMs = this.o.screenshotTimeoutMs ?? 10_000;
      const shot = await within(page.screenshot({ type: 'png', encoding: 'base64' }), timeoutMs);
      if (!shot) throw new MeetcapError('internal_error', `no screenshot within ${timeoutMs} ms`);
      return { ok: true, pngBase64: shot.value };
    } catch (err) {
      const e = toMeetcapError(err);
      this.o.log.warn({ code: e.code, err: e.message }, 'screenshot failed');
      return { ok: false, error: e.toJSON() };
    }
  }

  /** Idempotent; a probe still pending is abandoned. */
  close(): void {
    this.closed = true;
    clearInterval(this.timer);
  }

  private mediaProgress(): MediaProgress {
    try {
      return this.live?.media.progress() ?? NO_MEDIA;
    } catch {
      return NO_MEDIA;
    }
  }

  private async probe(): Promise<void> {
    const page = this.live?.page;
    if (!page || page.isClosed()) return;
    // One probe at a time: a hung browser gets one pending call, not one per report.
    this.probing ??= page.evaluate('1').then(
      () => this.answered(),
      // An error still came back from the browser (a page between documents, say).
      () => (page.isClosed() ? undefined : this.answered()),
    );
    const probing = this.probing;
    void probing.finally(() => {
      if (this.probing === probing) this.probing = undefined;
    });
    await within(probing, this.o.probeTimeoutMs ?? 2_000);
  }

  private answered(): void {
    this.respondedAt = this.o.clock.now();
  }
}

/** `{ value }` when `promise` resolves within `ms`, undefined when it does not (its rejection passes through). */
async function within<T>(promise: Promise<T>, ms: number): Promise<{ value: T } | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, ms, undefined)));
  try {
    return await Promise.race([promise.then((value) => ({ value })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
