import { setTimeout as delay } from 'node:timers/promises';
import { TimeoutError, type Page } from 'puppeteer-core';
import { MeetcapError } from '../../../contracts/index.js';
import type { JoinOptions, PageProbe, PlatformAdapter } from '../../platform.js';
import { parseZoomUrl } from '../url.js';
import { reasonForSdkError, reasonForUserLeave } from './errors.js';
import { signMeetingSdkSignature } from './signature.js';

export interface ZoomSdkAdapterConfig {
  /** The asset server's origin (`startSdkAssetServer().origin`). */
  origin: string;
  sdkKey: string;
  sdkSecret: string;
  /** A Zoom user's ZAK: joins as that user (required outside the app's account since March 2026, or an OBF token). */
  zak?: string;
  /** An on-behalf-of token: its owner must already be in the meeting. */
  obfToken?: string;
  /** Webinars and registration-only meetings need an email. */
  userEmail?: string;
  /** Pause between join attempts while Zoom says the host (or the OBF token's owner) is not there; Zoom rate-limits join to one per 10 s. */
  notStartedRetryMs?: number;
}

/** What public/sdk-page.js keeps in `window.meetcapSdk.status`. */
export interface SdkPageStatus {
  phase: 'loading' | 'ready' | 'joining' | 'waiting_room' | 'in_call' | 'left';
  errorCode?: number;
  errorMessage?: string;
  leaveReason?: number;
  waitingForHost?: boolean;
  participants: Array<{ id: string; name: string; speaking: boolean; self?: boolean }>;
  activeSpeaker?: string;
}

/** Arguments handed to `window.meetcapSdk.join` (and by it to `ZoomMtg.join`). Holds secrets: never log. */
export interface SdkJoinArgs {
  signature: string;
  meetingNumber: string;
  userName: string;
  passWord: string;
  userEmail?: string;
  tk?: string;
  zak?: string;
  obfToken?: string;
}

const MEETING_NUMBER = /^\d{9,11}$/;
/** The page reports a load failure with this code (no SDK code exists for "the bundle did not load"). */
const LOAD_FAILED = -1;
/** SDK answers that mean "not yet": the host, or the OBF token's owner, is not in the meeting. */
const NOT_YET = new Set([3008, 4017]);
const POLL_MS = 250;
const STATUS = 'window.meetcapSdk ? window.meetcapSdk.status : null';

/**
 * The Zoom adapter for bot profiles with `zoomClient: "meeting_sdk"`: joins through Zoom's Meeting
 * SDK for Web (Client View) on a page served by the local asset server, instead of driving the
 * zoom.us web client. All page calls are string expressions: tsx rewrites TS functions passed to
 * page.evaluate with `__name` helpers that do not exist in the page.
 */
export function createZoomSdkAdapter(cfg: ZoomSdkAdapterConfig): PlatformAdapter {
  const assetHost = new URL(cfg.origin).hostname;
  return {
    id: 'zoom',
    parseUrl: parseZoomUrl,
    allowsNavigationTo: (host) => host === assetHost,
    signInHosts: [],
    join: (page, opts) => joinWithRetries(page, opts, cfg),
    probe: async (page, botName) => toProbe((await page.evaluate(STATUS)) as SdkPageStatus | null, botName),
    async tidy() {
      // The Client View is driven through its API; there are no notices to click away.
    },
    async leave(page, log) {
      await page.evaluate('window.meetcapSdk && window.meetcapSdk.leave()').catch((err: unknown) => log.debug({ err }, 'SDK leave failed'));
    },
  };
}

/**
 * 3008 (not started) and 4017 (OBF owner not in the meeting) are retried on a fresh page until
 * `notStartedTimeoutMs`, like the web client's wait for a host; the join deadline moves with it.
 */
async function joinWithRetries(page: Page, opts: JoinOptions, cfg: ZoomSdkAdapterConfig): Promise<void> {
  const code = opts.meeting.meetingCode;
  if (!MEETING_NUMBER.test(code)) {
    // A personal link (/my/<name>) resolves to a number only inside Zoom's own web client; the SDK needs the number.
    throw new MeetcapError('platform_unsupported', 'a Zoom personal link cannot be joined through the Meeting SDK: use the meeting number or the web client', {
      client: 'meeting_sdk',
    });
  }
  const retryMs = cfg.notStartedRetryMs ?? 15_000;
  const budgetMs = opts.deadline - Date.now();
  let waitingSince: number | null = null;
  for (;;) {
    try {
      return await joinOnce(page, opts, cfg);
    } catch (err) {
      const sdkCode = err instanceof MeetcapError ? err.details.sdkCode : undefined;
      if (typeof sdkCode !== 'number' || !NOT_YET.has(sdkCode)) throw err;
      waitingSince ??= (opts.log.info({ sdkCode }, 'Zoom says the meeting is not started yet; waiting'), Date.now());
      if (Date.now() - waitingSince + retryMs > opts.notStartedTimeoutMs) throw err;
      await delay(retryMs);
      // Each attempt gets the whole join budget: time spent waiting for the host is not the join UI's fault.
      opts = { ...opts, deadline: Date.now() + budgetMs };
    }
  }
}

/** A webinar registrant's link (`/w/<id>?tk=…`) carries the token the SDK's `tk` takes. */
function registrantToken(opts: JoinOptions): { tk?: string } {
  const tk = new URL(opts.meeting.joinUrl).searchParams.get('tk');
  return tk ? { tk } : {};
}

async function joinOnce(page: Page, opts: JoinOptions, cfg: ZoomSdkAdapterConfig): Promise<void> {
  await page.goto(`${cfg.origin}/`, { waitUntil: 'domcontentloaded' });
  const loaded = await waitForStatus(page, "s.phase !== 'loading' || s.errorCode !== undefined", opts.deadline);
  if (!loaded) throw new MeetcapError('join_ui_unrecognised', 'the Meeting SDK page did not become ready', { phase: 'loading' });
  if (loaded.errorCode !== undefined) throw sdkFailure(loaded);
  const signature = await signMeetingSdkSignature({ sdkKey: cfg.sdkKey, sdkSecret: cfg.sdkSecret, meetingNumber: opts.meeting.meetingCode, role: 0 });
  const args: SdkJoinArgs = {
    signature,
    meetingNumber: opts.meeting.meetingCode,
    userName: opts.botName,
    // The SDK takes the passcode as typed; the link's encrypted pwd is a web-client thing.
    passWord: opts.passcode ?? '',
    ...(cfg.userEmail ? { userEmail: cfg.userEmail } : {}),
    ...registrantToken(opts),
    ...authToken(cfg, opts),
  };
  // JSON is a valid JS literal: the arguments can never become code.
  await page.evaluate(`window.meetcapSdk.join(${JSON.stringify(args)})`);
  opts.log.info({ meetingNumber: args.meetingNumber, zak: Boolean(args.zak), obfToken: Boolean(args.obfToken) }, 'asked the Meeting SDK to join');
  await awaitAdmission(page, opts);
}

/**
 * The SDK refuses a join that carries both tokens (error 3636, "obfToken and zak cannot be used
 * simultaneously", seen from SDK 6.2.0's own validation). OBF wins: it is Zoom's mechanism for an
 * app joining on a user's behalf under its own name, while a ZAK makes the bot join as that user.
 */
function authToken(cfg: ZoomSdkAdapterConfig, opts: JoinOptions): { obfToken: string } | { zak: string } | Record<string, never> {
  if (cfg.obfToken) {
    if (cfg.zak) opts.log.warn('both a ZAK and an OBF token are configured; joining with the OBF token only');
    return { obfToken: cfg.obfToken };
  }
  return cfg.zak ? { zak: cfg.zak } : {};
}

/** Returns at the lobby or in the call; waits (bounded) while Zoom holds the bot for the host. */
async function awaitAdmission(page: Page, opts: JoinOptions): Promise<void> {
  const decided = "s.phase === 'waiting_room' || s.phase === 'in_call' || s.phase === 'left' || s.errorCode !== undefined";
  let deadline = opts.deadline;
  let hostWaitSince: number | null = null;
  for (;;) {
    const until = hostWaitSince === null ? deadline : hostWaitSince + opts.notStartedTimeoutMs;
    const s = await waitForStatus(page, `${decided} || ${hostWaitSince === null ? '' : '!'}s.waitingForHost`, until);
    if (!s) {
      if (hostWaitSince !== null) throw new MeetcapError('meeting_not_started', `the host did not start the meeting within ${Math.round(opts.notStartedTimeoutMs / 1000)} s`);
      throw new MeetcapError('join_ui_unrecognised', 'the Meeting SDK did not reach the lobby or the call in time', { phase: 'joining' });
    }
    if (s.errorCode !== undefined) throw sdkFailure(s);
    if (s.phase === 'left') throw new MeetcapError(reasonForUserLeave(s.leaveReason ?? 0), 'the Meeting SDK left while joining', { leaveReason: s.leaveReason });
    if (s.phase === 'waiting_room' || s.phase === 'in_call') return;
    if (s.waitingForHost) {
      hostWaitSince = Date.now();
      opts.log.info('the host has not started the meeting; the SDK is waiting');
    } else if (hostWaitSince !== null) {
      // The join gets its full time again once the host is there.
      deadline += Date.now() - hostWaitSince;
      hostWaitSince = null;
    }
  }
}

/** Resolves with the page status once `condition` (over `s`) holds, or null at `until` (epoch ms). */
async function waitForStatus(page: Page, condition: string, until: number): Promise<SdkPageStatus | null> {
  const expression = `(() => { const s = ${STATUS}; return s && (${condition}) ? JSON.stringify(s) : null; })()`;
  try {
    const handle = await page.waitForFunction(expression, { polling: POLL_MS, timeout: Math.max(1, until - Date.now()) });
    const json = (await handle.jsonValue()) as string;
    await handle.dispose();
    return JSON.parse(json) as SdkPageStatus;
  } catch (err) {
    if (err instanceof TimeoutError) return null;
    throw err;
  }
}

function sdkFailure(s: SdkPageStatus): MeetcapError {
  const code = s.errorCode ?? LOAD_FAILED;
  // The SDK's own message is kept: it names the problem ("Wrong meeting password") and carries no secret we sent.
  const message = `Zoom Meeting SDK error ${code}: ${s.errorMessage ?? 'no message'}`;
  if (code === LOAD_FAILED) return new MeetcapError('internal_error', message, { sdkCode: code });
  return new MeetcapError(reasonForSdkError(code), message, { sdkCode: code });
}

/** Maps the page status to the session's probe; the bot is excluded by the SDK's own id, else by name. */
export function toProbe(s: SdkPageStatus | null, botName?: string): PageProbe {
  if (!s) return { phase: 'loading', participants: [] };
  const participants = s.participants
    .filter((p) => !p.self && (botName === undefined || p.name !== botName))
    .map((p) => ({ id: p.id, name: p.name, speaking: p.speaking, self: false }));
  if (s.errorCode !== undefined) {
    return { phase: 'prejoin', reason: s.errorCode === LOAD_FAILED ? 'internal_error' : reasonForSdkError(s.errorCode), participants: [] };
  }
  if (s.phase === 'left') return { phase: 'left', reason: reasonForUserLeave(s.leaveReason ?? 0), participants: [] };
  if (s.phase === 'in_call' || s.phase === 'waiting_room') return { phase: s.phase, participants: s.phase === 'in_call' ? participants : [] };
  return { phase: s.phase === 'loading' ? 'loading' : 'prejoin', participants: [] };
}
