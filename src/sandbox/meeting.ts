import { SandboxError } from './errors.js';
import { MediaPairs } from './media-pairs.js';
import { checkPasscode, newJoiner, newParticipant, type Credential } from './meeting-records.js';
import { meetingView } from './meeting-view.js';
import {
  TERMINAL_JOINER_STATES,
  type Joiner,
  type JoinerState,
  type LeftBy,
  type MeetingEvent,
  type MeetingOptions,
  type MeetingState,
  type MeetingView,
  type Participant,
  type PlatformId,
} from './types.js';

/**
 * One meeting's truth: joiners (browsers that opened the meeting page, e.g. the bot) and
 * synthetic participants. Pure state + timers; transport (WebSocket, Chromium) listens to events.
 */
export class Meeting {
  state: MeetingState;
  readonly joiners = new Map<string, Joiner>();
  readonly participants = new Map<string, Participant>();
  private readonly pairs = new MediaPairs();
  private readonly listeners = new Set<(e: MeetingEvent) => void>();
  /** Encodings of the passcode accepted besides the passcode itself (Zoom's `pwd`); set by the platform. */
  passcodeAliases: readonly string[] = [];

  constructor(
    readonly platform: PlatformId,
    readonly code: string,
    readonly url: string,
    readonly options: MeetingOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.state = options.started ? 'live' : 'scheduled';
  }

  subscribe(fn: (e: MeetingEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  addJoiner(): Joiner {
    const joiner = newJoiner();
    joiner.events.push({ state: 'prejoin', at: this.now() });
    this.joiners.set(joiner.id, joiner);
    if (this.state === 'ended') this.transition(joiner, 'ended');
    else this.emit({ kind: 'joiner', joiner, previous: 'prejoin' });
    return joiner;
  }

  /**
   * The joiner clicked "Ask to join" / "Join now" with what its page holds: a typed passcode,
   * else the link's encoded form (Zoom `pwd`, Teams `p=`), which only counts as it came.
   */
  requestJoin(joinerId: string, name: string, credential: Credential = {}): void {
    const joiner = this.joiner(joinerId);
    if (joiner.state !== 'prejoin') throw new SandboxError('invalid_request', `joiner ${joinerId} is ${joiner.state}`);
    if (name.trim() === '') throw new SandboxError('invalid_request', 'a name is required to join');
    checkPasscode(this.options.passcode, this.passcodeAliases, credential);
    joiner.name = name.trim();
    if (this.state === 'ended') return this.transition(joiner, 'ended');
    if (this.state === 'scheduled') return this.transition(joiner, 'waiting_host');
    this.enter(joiner);
  }

  /** The host starts the meeting: joiners waiting for it go on to the lobby or the call. */
  start(): string[] {
    if (this.state === 'ended') throw new SandboxError('meeting_ended', `meeting ${this.code} has ended`);
    if (this.state === 'live') return [];
    this.state = 'live';
    const waiting = [...this.joiners.values()].filter((j) => j.state === 'waiting_host');
    for (const j of waiting) this.enter(j);
    return waiting.map((j) => j.id);
  }

  private enter(joiner: Joiner): void {
    if (this.options.open) return this.transition(joiner, 'in_call');
    this.transition(joiner, 'lobby');
    joiner.timers.push(setTimeout(() => this.expire(joiner), this.options.lobbyTimeoutMs));
    const auto = this.options.autoAdmitAfterMs;
    if (auto !== undefined) joiner.timers.push(setTimeout(() => this.admitOne(joiner), auto));
  }

  /** The joiner left by itself: Leave call in the lobby or in the call, or its page went away. */
  leave(joinerId: string, by: LeftBy = 'leave'): void {
    const joiner = this.joiner(joinerId);
    if (TERMINAL_JOINER_STATES.has(joiner.state)) return;
    joiner.leftBy = by;
    this.transition(joiner, 'left');
  }

  /** Admits the given joiner, or everyone in the lobby; returns the admitted ids. */
  admit(joinerId?: string): string[] {
    return this.select(joinerId, 'lobby').filter((j) => this.admitOne(j)).map((j) => j.id);
  }

  deny(joinerId?: string): string[] {
    return this.select(joinerId, 'lobby').map((j) => (this.transition(j, 'denied'), j.id));
  }

  remove(joinerId?: string): string[] {
    return this.select(joinerId, 'in_call').map((j) => (this.transition(j, 'removed'), j.id));
  }

  /** Back to the lobby from the call: media to the joiner stops until it is admitted again. */
  hold(joinerId?: string): string[] {
    return this.select(joinerId, 'in_call').map((j) => {
      this.transition(j, 'lobby');
      j.timers.push(setTimeout(() => this.expire(j), this.options.lobbyTimeoutMs));
      return j.id;
    });
  }

  /** The joiners' network drops for `forMs`: out of the call (no media), then back in by themselves. */
  dropConnection(joinerId: string | undefined, forMs: number): string[] {
    return this.select(joinerId, 'in_call').map((j) => {
      this.transition(j, 'reconnecting');
      j.timers.push(setTimeout(() => {
        if (j.state === 'reconnecting' && this.state === 'live') this.transition(j, 'in_call');
      }, forMs));
      return j.id;
    });
  }

  end(): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    for (const j of this.joiners.values()) {
      if (!TERMINAL_JOINER_STATES.has(j.state)) this.transition(j, 'ended');
    }
    for (const p of this.participants.values()) this.participantLeft(p.id);
  }

  addParticipant(name: string, toneHz: number, speaking: boolean, flashPeriodMs?: number): Participant {
    this.assertLive();
    const p = newParticipant(this.participants.size, name, toneHz, speaking, flashPeriodMs);
    this.participants.set(p.id, p);
    return p;
  }

  participantReady(id: string): Participant {
    const p = this.participant(id);
    if (p.joinedAt === null && !p.left) {
      p.joinedAt = this.now();
      p.speech.push({ on: p.speaking, at: p.joinedAt });
      this.emit({ kind: 'participant_ready', participant: p });
    }
    return p;
  }

  participantLeft(id: string): void {
    const p = this.participant(id);
    if (p.left) return;
    p.left = true;
    p.leftAt = this.now();
    if (p.speaking && p.joinedAt !== null) p.speech.push({ on: false, at: p.leftAt });
    p.speaking = false;
    p.presenting = false;
    this.pairs.dropParticipant(id);
    this.emit({ kind: 'participant_left', participant: p });
  }

  /** Records a gain switch the participant's page has performed at `at`. */
  setSpeaking(id: string, on: boolean, at: number): void {
    const p = this.liveParticipant(id);
    p.speaking = on;
    p.speech.push({ on, at });
    this.emit({ kind: 'speaking', participant: p });
  }

  /** A screen share is only what the pages show of it: the participant's own video as the share. */
  setPresenting(id: string, on: boolean): void {
    const p = this.liveParticipant(id);
    p.presenting = on;
    this.emit({ kind: 'presenting', participant: p });
  }

  private liveParticipant(id: string): Participant {
    const p = this.participant(id);
    if (p.left) throw new SandboxError('participant_not_found', `participant ${id} has left`);
    return p;
  }

  setPeerState(participantId: string, joinerId: string, state: string): void {
    this.pairs.setState(participantId, joinerId, state, this.pairLive(participantId, joinerId));
    this.emit({ kind: 'peer', participantId, joinerId, state });
  }

  /** What the page asked its server for: no video at all (true) or the participants' video. */
  setIncomingVideo(joinerId: string, on: boolean): void {
    const joiner = this.joiner(joinerId);
    if (joiner.incomingVideo === on) return;
    joiner.incomingVideo = on;
    this.emit({ kind: 'incoming_video', joiner });
  }

  /** The joiner's page sent a chat message to everyone; only a joiner in the call can. */
  chat(joinerId: string, text: string): void {
    const joiner = this.joiner(joinerId);
    if (joiner.state === 'in_call') joiner.chat.push({ text: text.slice(0, 2_000), at: Date.now() });
  }

  /** A participant's page reports that its video to this joiner now flows (or has stopped). */
  setPeerVideo(participantId: string, joinerId: string, on: boolean): void {
    if (!this.pairLive(participantId, joinerId)) return;
    this.pairs.setVideo(participantId, joinerId, on);
    this.emit({ kind: 'peer_video', participantId, joinerId, on });
  }

  /** Both ends are still there: late reports from a torn-down pair must not bring it back. */
  private pairLive(participantId: string, joinerId: string): boolean {
    return this.participants.get(participantId)?.left === false && this.joiners.get(joinerId)?.state === 'in_call';
  }

  /** Participants whose video is flowing to this joiner, as their pages report it. */
  videoFrom(joinerId: string): number {
    return this.pairs.videoTo(joinerId);
  }

  peersConnected(): number {
    return this.pairs.connected();
  }

  joiner(id: string): Joiner {
    const j = this.joiners.get(id);
    if (!j) throw new SandboxError('joiner_not_found', `no joiner ${id} in meeting ${this.code}`);
    return j;
  }

  participant(id: string): Participant {
    const p = this.participants.get(id);
    if (!p) throw new SandboxError('participant_not_found', `no participant ${id} in meeting ${this.code}`);
    return p;
  }

  activeParticipants(): Participant[] {
    return [...this.participants.values()].filter((p) => !p.left && p.joinedAt !== null);
  }

  inCallJoiners(): Joiner[] {
    return [...this.joiners.values()].filter((j) => j.state === 'in_call');
  }

  view(): MeetingView {
    return meetingView(this);
  }

  /** Stops timers; the meeting object stays readable. */
  close(): void {
    for (const j of this.joiners.values()) this.clearTimers(j);
    this.listeners.clear();
  }

  private assertLive(): void {
    if (this.state === 'ended') throw new SandboxError('meeting_ended', `meeting ${this.code} has ended`);
  }

  private select(joinerId: string | undefined, state: JoinerState): Joiner[] {
    this.assertLive();
    if (joinerId === undefined) return [...this.joiners.values()].filter((j) => j.state === state);
    const j = this.joiner(joinerId);
    if (j.state !== state) throw new SandboxError('invalid_request', `joiner ${joinerId} is ${j.state}, not ${state}`);
    return [j];
  }

  private admitOne(joiner: Joiner): boolean {
    if (joiner.state !== 'lobby' || this.state !== 'live') return false;
    this.transition(joiner, 'in_call');
    return true;
  }

  private expire(joiner: Joiner): void {
    if (joiner.state === 'lobby') this.transition(joiner, 'expired');
  }

  private transition(joiner: Joiner, state: JoinerState): void {
    const previous = joiner.state;
    joiner.state = state;
    joiner.events.push({ state, at: this.now() });
    if (state !== 'lobby') this.clearTimers(joiner);
    if (previous === 'in_call') this.pairs.dropJoiner(joiner.id);
    this.emit({ kind: 'joiner', joiner, previous });
  }

  private clearTimers(joiner: Joiner): void {
    for (const t of joiner.timers) clearTimeout(t);
    joiner.timers = [];
  }

  private emit(e: MeetingEvent): void {
    for (const fn of [...this.listeners]) fn(e);
  }
}
