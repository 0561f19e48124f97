import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { SandboxError } from './errors.js';
import type { Meeting } from './meeting.js';
import type { Joiner, MeetingEvent } from './types.js';

/** Page ↔ server signalling: joiner pages (the meeting UI) and participant pages talk only to the hub. */
type Inbound = { type: string; [k: string]: unknown };

interface Conn {
  ws: WebSocket;
  meeting: Meeting;
}

const SPEAK_ACK_TIMEOUT_MS = 5000;

export class SignalHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  private readonly joiners = new Map<string, Conn>();
  private readonly participants = new Map<string, Conn>();
  private readonly acks = new Map<string, (at: number) => void>();
  private nonce = 0;

  constructor(
    private readonly findMeeting: (code: string) => Meeting | undefined,
    private readonly log: Logger,
  ) {}

  /** Wires a meeting's state changes to its pages. */
  attach(meeting: Meeting): void {
    meeting.subscribe((e) => this.onMeetingEvent(meeting, e));
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'https://sandbox.invalid');
    const meeting = this.findMeeting(url.searchParams.get('code') ?? '');
    const role = url.searchParams.get('role');
    if (!meeting || (role !== 'joiner' && role !== 'participant')) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      if (role === 'joiner') this.acceptJoiner(ws, meeting);
      else this.acceptParticipant(ws, meeting, url.searchParams.get('id') ?? '');
    });
  }

  /** Switches a participant's tone on/off; resolves with the page's time of the switch. */
  speak(participantId: string, on: boolean): Promise<number> {
    const conn = this.participants.get(participantId);
    if (!conn) return Promise.reject(new SandboxError('participant_not_found', `participant ${participantId} is not connected`));
    const nonce = `s${++this.nonce}`;
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.acks.delete(nonce);
        reject(new SandboxError('participant_unresponsive', `participant ${participantId} did not confirm speak`));
      }, SPEAK_ACK_TIMEOUT_MS);
      this.acks.set(nonce, (at) => (clearTimeout(timer), resolve(at)));
      send(conn.ws, { type: 'speak', on, nonce });
    });
  }

  close(): void {
    for (const c of [...this.joiners.values(), ...this.participants.values()]) c.ws.terminate();
    this.wss.close();
  }

  private acceptJoiner(ws: WebSocket, meeting: Meeting): void {
    const joiner = meeting.addJoiner();
    this.joiners.set(joiner.id, { ws, meeting });
    send(ws, { type: 'welcome', joinerId: joiner.id, state: joiner.state });
    ws.on('message', (raw) => this.guard(ws, () => this.onJoinerMessage(meeting, joiner.id, parse(raw))));
    ws.on('close', () => {
      this.joiners.delete(joiner.id);
      meeting.leave(joiner.id, 'disconnected');
    });
  }

  private onJoinerMessage(meeting: Meeting, joinerId: string, msg: Inbound): void {
    switch (msg.type) {
      case 'join':
        return meeting.requestJoin(joinerId, typeof msg.name === 'string' ? msg.name : '', {
          ...(typeof msg.passcode === 'string' ? { typed: msg.passcode } : {}),
          ...(typeof msg.linkPasscode === 'string' ? { fromLink: msg.linkPasscode } : {}),
        });
      case 'leave':
        return meeting.leave(joinerId);
      case 'video':
        return meeting.setIncomingVideo(joinerId, msg.on !== false);
      case 'chat':
        return meeting.chat(joinerId, typeof msg.text === 'string' ? msg.text : '');
      case 'signal':
        return this.relay(this.participants, msg, joinerId);
      default:
        this.log.debug({ msg }, 'unknown joiner message');
    }
  }

  private acceptParticipant(ws: WebSocket, meeting: Meeting, id: string): void {
    const p = meeting.participants.get(id);
    if (!p || p.left) return ws.close(4404, 'unknown participant');
    this.participants.set(id, { ws, meeting });
    ws.on('message', (raw) => this.guard(ws, () => this.onParticipantMessage(meeting, id, parse(raw))));
    ws.on('close', () => {
      if (this.participants.get(id)?.ws === ws) this.participants.delete(id);
      if (meeting.participants.get(id)?.left === false) meeting.participantLeft(id);
    });
  }

  private onParticipantMessage(meeting: Meeting, id: string, msg: Inbound): void {
    switch (msg.type) {
      case 'ready':
        meeting.participantReady(id);
        return;
      case 'signal':
        return this.relay(this.joiners, msg, id);
      case 'pc_state':
        return meeting.setPeerState(id, String(msg.joinerId), String(msg.state));
      case 'video_state':
        return meeting.setPeerVideo(id, String(msg.joinerId), msg.on === true);
      case 'spoke': {
        const ack = this.acks.get(String(msg.nonce));
        this.acks.delete(String(msg.nonce));
        const at = typeof msg.at === 'number' ? msg.at : Date.now();
        meeting.setSpeaking(id, msg.on === true, at);
        return ack?.(at);
      }
      case 'log':
        this.log.debug({ participant: id, text: msg.text }, 'participant page');
        return;
      default:
        this.log.debug({ msg }, 'unknown participant message');
    }
  }

  private relay(targets: Map<string, Conn>, msg: Inbound, from: string): void {
    const target = targets.get(String(msg.to));
    if (target) send(target.ws, { type: 'signal', from, data: msg.data });
  }

  private onMeetingEvent(meeting: Meeting, e: MeetingEvent): void {
    if (e.kind === 'joiner') {
      const conn = this.joiners.get(e.joiner.id);
      if (conn) send(conn.ws, { type: 'state', state: e.joiner.state, name: e.joiner.name });
      if (e.joiner.state === 'in_call') {
        for (const p of meeting.activeParticipants()) this.toParticipant(p.id, connect(e.joiner));
      } else if (e.previous === 'in_call') {
        for (const p of meeting.activeParticipants()) this.toParticipant(p.id, { type: 'disconnect', joinerId: e.joiner.id });
      }
    } else if (e.kind === 'participant_ready') {
      for (const j of meeting.inCallJoiners()) this.toParticipant(e.participant.id, connect(j));
    } else if (e.kind === 'participant_left') {
      this.toParticipant(e.participant.id, { type: 'bye' });
    } else if (e.kind === 'incoming_video') {
      // What an SFU does when a client asks for no video: it stops forwarding it.
      const msg = { type: 'video', joinerId: e.joiner.id, on: e.joiner.incomingVideo };
      if (e.joiner.state === 'in_call') for (const p of meeting.activeParticipants()) this.toParticipant(p.id, msg);
      return;
    } else if (e.kind === 'peer' || e.kind === 'peer_video') {
      return;
    }
    this.broadcastRoster(meeting);
  }

  private broadcastRoster(meeting: Meeting): void {
    const joiners = meeting.inCallJoiners();
    const participants = meeting.activeParticipants().map((p) => ({
      id: p.id, name: p.name, kind: 'participant', speaking: p.speaking, presenting: p.presenting,
    }));
    for (const j of joiners) {
      const conn = this.joiners.get(j.id);
      if (!conn) continue;
      const others = joiners.filter((o) => o.id !== j.id).map((o) => ({ id: o.id, name: o.name, kind: 'joiner', speaking: false }));
      send(conn.ws, { type: 'roster', peers: [...participants, ...others] });
    }
  }

  private toParticipant(id: string, msg: object): void {
    const conn = this.participants.get(id);
    if (conn) send(conn.ws, msg);
  }

  /** A page's bad message must not take the server down; tell the page why instead. */
  private guard(ws: WebSocket, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const code = err instanceof SandboxError ? err.code : 'internal';
      this.log.debug({ err }, 'page message rejected');
      // Pages key on `code` (passcode_wrong → "Passcode wrong"); `message` is for people.
      send(ws, { type: 'error', code, message });
    }
  }
}

/** Tells a participant to offer to a joiner, with or without its video (what the joiner asked for). */
function connect(joiner: Joiner): Record<string, unknown> {
  return { type: 'connect', joinerId: joiner.id, video: joiner.incomingVideo };
}

function parse(raw: unknown): Inbound {
  const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : String(raw);
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || typeof (value as Inbound).type !== 'string') {
    throw new SandboxError('invalid_request', 'message must be an object with a type');
  }
  return value as Inbound;
}

function send(ws: WebSocket, msg: object): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
}
