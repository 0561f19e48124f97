/** The records a sandbox meeting keeps and the rule it admits them by, apart from its state machine. */
import { SandboxError } from './errors.js';
import type { Joiner, Participant } from './types.js';

const COLORS = ['#1a73e8', '#d93025', '#188038', '#f9ab00', '#a142f4', '#e37400', '#12b5cb', '#c5221f'];

/**
 * Joiner and participant ids are unique across every meeting of the sandbox, not per meeting:
 * the hub routes WebSocket messages by id alone, and two meetings each with a `j-2` sent one
 * bot's join to the other meeting.
 */
let idSeq = 0;
const nextId = (): number => ++idSeq;

export function newJoiner(): Joiner {
  return { id: `j-${nextId()}`, name: '', state: 'prejoin', events: [], timers: [], incomingVideo: true, chat: [] };
}

/** `index`: how many participants the meeting had before, which picks the tile colour. */
export function newParticipant(index: number, name: string, toneHz: number, speaking: boolean, flashPeriodMs?: number): Participant {
  return {
    id: `p-${nextId()}`, name, toneHz, color: COLORS[index % COLORS.length] ?? '#1a73e8', speaking, presenting: false,
    joinedAt: null, left: false, leftAt: null, speech: [],
    ...(flashPeriodMs !== undefined ? { flashPeriodMs } : {}),
  };
}

/** What a joining page holds: a typed passcode, else the link's encoded form (Zoom `pwd`, Teams `p=`). */
export interface Credential {
  typed?: string;
  fromLink?: string;
}

/**
 * A typed passcode must be the passcode; a link's must be one of its encoded forms (`aliases`):
 * typing the encoded form is wrong, as on the real pages.
 */
export function checkPasscode(expected: string | undefined, aliases: readonly string[], { typed, fromLink }: Credential): void {
  if (expected === undefined) return;
  const given = typed?.trim() || undefined;
  const linked = fromLink?.trim() || undefined;
  if (given === undefined && linked === undefined) throw new SandboxError('passcode_required', 'this meeting needs a passcode');
  const ok = given !== undefined ? given === expected : aliases.includes(linked!);
  if (!ok) throw new SandboxError('passcode_wrong', 'Passcode wrong');
}
