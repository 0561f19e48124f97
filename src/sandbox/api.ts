import type { Logger } from 'pino';
import { SandboxError } from './errors.js';
import type { SignalHub } from './hub.js';
import { Meeting } from './meeting.js';
import type { ParticipantsBrowser } from './participants.js';
import type { SandboxPlatform } from './platform.js';
import type { AddParticipantInput, CreateMeetingInput, Joiner, MeetingOptions, MeetingView, WaitInput } from './types.js';

const DEFAULT_LOBBY_TIMEOUT_MS = 600_000;
const DEFAULT_WAIT_MS = 30_000;
const PARTICIPANT_READY_TIMEOUT_MS = 30_000;

/** The sandbox's in-process control surface; the HTTP control API is a thin layer over it. */
export class SandboxApi {
  private readonly closers = new Set<() => void>();
  private closed = false;

  constructor(
    /** Shared with the page server and the hub, which look meetings up by code. */
    private readonly meetings: Map<string, Meeting>,
    private readonly platforms: readonly SandboxPlatform[],
    private readonly hub: SignalHub,
    private readonly browser: ParticipantsBrowser,
    private readonly log: Logger,
  ) {}

  findMeeting(code: string): Meeting | undefined {
    return this.meetings.get(code);
  }

  createMeeting(input: CreateMeetingInput = {}): { code: string; url: string } {
    this.assertOpen();
    const platform = this.platform(input.platform ?? 'meet');
    const code = input.code ?? this.freshCode(platform);
    if (!platform.isValidCode(code)) throw new SandboxError('invalid_request', `"${code}" is not a valid ${platform.id} meeting code`);
    if (this.meetings.has(code)) throw new SandboxError('meeting_exists', `meeting ${code} already exists`);
    const options = meetingOptions(input);
    const meeting = new Meeting(platform.id, code, platform.meetingUrl(code, options), options);
    if (options.passcode !== undefined) meeting.passcodeAliases = platform.passcodeAliases?.(code, options.passcode) ?? [];
    this.meetings.set(code, meeting);
    this.hub.attach(meeting);
    // Participants leaving the meeting (ended, dropped, page crash) take their page with them.
    meeting.subscribe((e) => {
      if (e.kind === 'participant_left') void this.browser.closePage(e.participant.id);
    });
    this.log.info({ code, options }, 'sandbox meeting created');
    return { code, url: meeting.url };
  }

  getMeeting(code: string): MeetingView {
    return this.meeting(code).view();
  }

  listMeetings(): MeetingView[] {
    return [...this.meetings.values()].map((m) => m.view());
  }

  admit(code: string, joinerId?: string): { admitted: string[] } {
    return { admitted: this.meeting(code).admit(joinerId) };
  }

  deny(code: string, joinerId?: string): { denied: string[] } {
    return { denied: this.meeting(code).deny(joinerId) };
  }

  remove(code: string, joinerId?: string): { removed: string[] } {
    return { removed: this.meeting(code).remove(joinerId) };
  }

  /** The host puts joiners in the call back in the waiting room (Zoom's "Put in waiting room"). */
  hold(code: string, joinerId?: string): { held: string[] } {
    const meeting = this.meeting(code);
    // Only the Zoom imitation draws the way back (Meet has no such control; Teams' is not imitated).
    if (meeting.platform !== 'zoom') throw new SandboxError('invalid_request', `putting people back in the waiting room is a Zoom control, not ${meeting.platform}'s`);
    return { held: meeting.hold(joinerId) };
  }

  /** A joiner's network drops for `forMs` (Meet: "You lost your network connection. Trying to reconnect."). */
  drop(code: string, joinerId: string | undefined, forMs: number): { dropped: string[] } {
    const meeting = this.meeting(code);
    if (meeting.platform !== 'meet') throw new SandboxError('invalid_request', `only the Meet imitation draws a dropped connection, not ${meeting.platform}`);
    return { dropped: meeting.dropConnection(joinerId, forMs) };
  }

  /** The host starts a meeting created with `started: false`; returns the joiners let on. */
  start(code: string): { started: string[] } {
    return { started: this.meeting(code).start() };
  }

  end(code: string): MeetingView {
    const meeting = this.meeting(code);
    meeting.end();
    return meeting.view();
  }

  /** Starts a synthetic participant; resolves once its page has audio + video running. */
  async addParticipant(code: string, input: AddParticipantInput): Promise<{ id: string; joinedAt: number }> {
    this.assertOpen();
    const meeting = this.meeting(code);
    const p = meeting.addParticipant(input.name, input.toneHz, input.speaking ?? false, input.flashPeriodMs);
    const ready = this.until(meeting, PARTICIPANT_READY_TIMEOUT_MS, () => p.joinedAt !== null || p.left);
    try {
      await this.browser.open(p.id, code);
      await ready;
    } catch (err) {
      ready.catch(() => undefined);
      meeting.participantLeft(p.id);
      if (err instanceof SandboxError && err.code !== 'wait_timeout') throw err;
      throw new SandboxError('participant_start_failed', `participant ${p.name} did not start its media`, { cause: err });
    }
    if (p.joinedAt === null) throw new SandboxError('participant_start_failed', `participant ${p.name} left while starting`);
    return { id: p.id, joinedAt: p.joinedAt };
  }

  async removeParticipant(code: string, id: string): Promise<{ id: string; leftAt: number }> {
    const meeting = this.meeting(code);
    const p = meeting.participant(id);
    if (p.left) throw new SandboxError('participant_not_found', `participant ${id} has already left`);
    meeting.participantLeft(id);
    await this.browser.closePage(id);
    return { id, leftAt: p.leftAt ?? Date.now() };
  }

  async speak(code: string, id: string, on: boolean): Promise<{ at: number }> {
    const p = this.meeting(code).participant(id);
    if (p.left || p.joinedAt === null) throw new SandboxError('participant_not_found', `participant ${id} is not in the call`);
    return { at: await this.hub.speak(id, on) };
  }

  /** Starts or stops a participant's screen share: the pages show its video as the share (Zoom: the share view). */
  present(code: string, id: string, on: boolean): { presenting: boolean } {
    const meeting = this.meeting(code);
    if (meeting.participant(id).joinedAt === null) throw new SandboxError('participant_not_found', `participant ${id} is not in the call`);
    meeting.setPresenting(id, on);
    return { presenting: on };
  }

  /** Long-polls until the condition holds; rejects with wait_timeout (HTTP 408) otherwise. */
  async wait(code: string, input: WaitInput): Promise<MeetingView> {
    const meeting = this.meeting(code);
    if (input.joiner === undefined && input.peersConnected === undefined && input.videoFrom === undefined) {
      throw new SandboxError('invalid_request', 'wait needs joiner=<state>, peersConnected=<n> and/or videoFrom=<n>');
    }
    const mine = (j: Joiner): boolean => input.joinerId === undefined || j.id === input.joinerId;
    const test = (): boolean => {
      const reached = [...meeting.joiners.values()].filter((j) => mine(j) && j.events.some((e) => e.state === input.joiner));
      const joinerOk = input.joiner === undefined || reached.length >= (input.joiners ?? 1);
      const videoOk = input.videoFrom === undefined || meeting.inCallJoiners().some((j) => mine(j) && meeting.videoFrom(j.id) === input.videoFrom);
      return joinerOk && videoOk && (input.peersConnected === undefined || meeting.peersConnected() >= input.peersConnected);
    };
    await this.until(meeting, input.timeoutMs ?? DEFAULT_WAIT_MS, test);
    return meeting.view();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of [...this.closers]) c();
    for (const m of this.meetings.values()) m.close();
  }

  private until(meeting: Meeting, timeoutMs: number, test: () => boolean): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const finish = (err?: SandboxError): void => {
        clearTimeout(timer);
        unsubscribe();
        this.closers.delete(onClose);
        if (err) reject(err);
        else resolve();
      };
      const onClose = (): void => finish(new SandboxError('closed', 'sandbox closed while waiting'));
      const timer = setTimeout(() => finish(new SandboxError('wait_timeout', `condition not met within ${timeoutMs} ms`)), timeoutMs);
      const unsubscribe = meeting.subscribe(() => {
        if (test()) finish();
      });
      this.closers.add(onClose);
    });
  }

  private meeting(code: string): Meeting {
    const m = this.meetings.get(code);
    if (!m) throw new SandboxError('meeting_not_found', `no meeting ${code}`);
    return m;
  }

  private platform(id: string): SandboxPlatform {
    const p = this.platforms.find((x) => x.id === id);
    if (!p) throw new SandboxError('invalid_request', `unknown platform ${id}`);
    return p;
  }

  private freshCode(platform: SandboxPlatform): string {
    let code = platform.randomCode();
    while (this.meetings.has(code)) code = platform.randomCode();
    return code;
  }

  private assertOpen(): void {
    if (this.closed) throw new SandboxError('closed', 'sandbox is closed');
  }
}

/** Defaults for everything the caller left out; optional fields stay absent rather than undefined. */
function meetingOptions(input: CreateMeetingInput): MeetingOptions {
  return {
    open: input.open ?? false,
    lobbyTimeoutMs: input.lobbyTimeoutMs ?? DEFAULT_LOBBY_TIMEOUT_MS,
    recordingNotice: input.recordingNotice ?? true,
    permissionPrompt: input.permissionPrompt ?? true,
    started: input.started ?? true,
    passcodeInUrl: input.passcodeInUrl ?? true,
    teamsAvModal: input.teamsAvModal ?? 'random',
    teamsAudioDefault: input.teamsAudioDefault ?? 'computer',
    zoomClient: input.zoomClient ?? 'iframe',
    zoomNameField: input.zoomNameField ?? 'react',
    zoomNotStarted: input.zoomNotStarted ?? 'waiting',
    ...(input.autoAdmitAfterMs !== undefined ? { autoAdmitAfterMs: input.autoAdmitAfterMs } : {}),
    ...(input.passcode !== undefined ? { passcode: input.passcode } : {}),
    ...(input.wall !== undefined ? { wall: input.wall } : {}),
  };
}
