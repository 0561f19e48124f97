import type { Page } from 'puppeteer-core';
import type { Logger } from 'pino';
import type { PlatformId, ReasonCode } from '../contracts/index.js';

/** A meeting link after parsing: what the adapter needs to join, with secrets kept apart from the URL we log. */
export interface ParsedMeeting {
  platform: PlatformId;
  /** The platform's own meeting id or code (Meet code, Zoom number, Teams thread id). */
  meetingCode: string;
  /** The URL the bot navigates to. May contain secrets (Zoom pwd, Teams p=): never log it, use `redactedUrl`. */
  joinUrl: string;
  redactedUrl: string;
  host: string;
  /** A passcode found in the link itself (Zoom's encrypted pwd, Teams' p=). */
  passcodeInUrl?: string;
}

/** What the page shows right now, read by one cheap probe. Several signals per phase, decided in the adapter. */
export type Phase = 'loading' | 'prejoin' | 'waiting_room' | 'in_call' | 'left';

export interface ParticipantTile {
  id: string;
  name: string;
  speaking: boolean;
  self: boolean;
}

export interface PageProbe {
  phase: Phase;
  /** Set when the page shows a terminal condition (denied, removed, ended, walls…). */
  reason?: ReasonCode;
  /** Participants other than the bot, as the page lists them (only meaningful in_call). */
  participants: ParticipantTile[];
  /** Dialogs in the way that the adapter will clear on its next `tidy` (recording notices…). */
  blockingDialog?: string;
  /** The page says it lost its connection and is trying to get it back. */
  reconnecting?: boolean;
  /**
   * In the call: the page's own count of the people in it, the bot included (Meet's avatar badge,
   * Zoom's footer counter), when it shows one. Tiles can all be out of view while people are there.
   */
  headcount?: number;
  /** In the call: someone's screen share is on show (the bot never shares one). */
  presenting?: boolean;
}

export interface JoinOptions {
  botName: string;
  /** Typed passcode from the job (never logged). Links' own passcodes are in `meeting`. */
  passcode?: string;
  meeting: ParsedMeeting;
  log: Logger;
  /** Epoch ms by which the bot must have asked to join (time spent waiting for the host is added). */
  deadline: number;
  /** Longest wait for a host who has not started the meeting, in ms; then `meeting_not_started`. */
  notStartedTimeoutMs: number;
  /** Checked on every pass: a reason to give up now (operator stop, navigation guard), or null. */
  interrupted?: () => ReasonCode | null;
}

/** One interface for all three platforms. Every method is safe to call again after a failure. */
export interface PlatformAdapter {
  readonly id: PlatformId;
  /** Hosts the bot may load as its top-level page; anything else is blocked by the session. */
  allowsNavigationTo(host: string): boolean;
  /** Hosts a blocked navigation to which means the meeting wants a signed-in user. */
  readonly signInHosts: readonly string[];
  /** Pages off the meeting hosts that are a bot wall (Google's "unusual traffic" page), as URL prefixes. */
  readonly captchaPages?: readonly string[];
  /** Returns the parsed meeting when this URL belongs to the platform, `null` otherwise. Never throws. */
  parseUrl(url: URL): ParsedMeeting | null;
  /** Drives the pre-join UI until the bot has asked to join (lobby) or is in the call. Throws MeetcapError. */
  join(page: Page, opts: JoinOptions): Promise<void>;
  /**
   * Reads the current phase. Polled about once a second for the whole meeting, so it must stay
   * cheap. `botName` keeps the bot's own tile out of the participants.
   */
  probe(page: Page, botName?: string): Promise<PageProbe>;
  /** Clears dialogs that sit over the call after admission (recording/transcription notices). */
  tidy(page: Page, log: Logger): Promise<void>;
  /**
   * Audio-only bots: asks the platform to stop sending the participants' video, with its own
   * control (Meet's "Audio only" receive resolution, Teams' "Turn off incoming video", Zoom's
   * "Stop Incoming Video"). Best effort: true when done, false when the control was not found.
   */
  stopIncomingVideo?(page: Page, log: Logger): Promise<boolean>;
  /** Sends one line to everyone in the meeting chat (the job's recording notice). True when the page took it. */
  postChat?(page: Page, text: string, log: Logger): Promise<boolean>;
  /** Leaves politely; the caller closes the browser afterwards whatever happens. */
  leave(page: Page, log: Logger): Promise<void>;
}
