import type { Page } from 'puppeteer-core';
import type { Logger } from 'pino';
import type { MeetingJob } from '../contracts/index.js';
import { oneLine } from '../platforms/page/chat.js';
import type { PlatformAdapter } from '../platforms/platform.js';
import type { Clock } from './clock.js';

/** What the manifest says of a notice the job asked for. */
export interface ConsentNoticeReport {
  text: string;
  /** When the page took the message; null when it never went out. */
  postedAt: string | null;
  error?: string;
}

const ATTEMPTS = 3;

/**
 * The recording notice a job asks for (`consent.chatNotice`): posted in the meeting chat once the
 * recording starts, from the call monitor's own loop so it never races a probe or a tidy click.
 * A failure is logged and reported in the manifest; it never ends the recording.
 */
export class ConsentNotice {
  private due = false;
  private attempts = 0;
  private postedAt: number | null = null;
  private error: string | undefined;

  constructor(
    private readonly job: MeetingJob,
    private readonly botName: string,
    private readonly clock: Clock,
  ) {}

  get text(): string {
    return oneLine(this.job.consent.message ?? `${this.botName} is recording this meeting.`);
  }

  /** The recording started (also after a delay or a command): the notice is due once. */
  recordingStarted(): void {
    if (this.job.consent.chatNotice && this.attempts === 0) this.due = true;
  }

  /** Posts the notice when it is due; a page that did not take it is tried again on the next pass. */
  async postIfDue(page: Page, adapter: PlatformAdapter, log: Logger): Promise<void> {
    if (!this.due) return;
    this.attempts++;
    this.due = false;
    if (!adapter.postChat) {
      this.error = `the ${adapter.id} adapter cannot write to the meeting chat`;
      log.warn(this.error);
      return;
    }
    const posted = await adapter.postChat(page, this.text, log).catch((err: unknown) => {
      this.error = (err as Error).message;
      return false;
    });
    if (posted) {
      this.postedAt = this.clock.now();
      this.error = undefined;
      log.info({ attempt: this.attempts }, 'posted the recording notice in the meeting chat');
      return;
    }
    this.error ??= 'the meeting chat did not take the message';
    this.due = this.attempts < ATTEMPTS;
    log.warn({ attempt: this.attempts, retry: this.due, err: this.error }, 'could not post the recording notice in the meeting chat');
  }

  /** Undefined when the job asked for no notice. */
  report(): ConsentNoticeReport | undefined {
    if (!this.job.consent.chatNotice) return undefined;
    return {
      text: this.text,
      postedAt: this.postedAt === null ? null : new Date(this.postedAt).toISOString(),
      ...(this.postedAt === null ? { error: this.error ?? (this.due ? 'the bot was not in the call again after the recording started' : 'the recording never started') } : {}),
    };
  }
}
