import { MeetcapError } from '../contracts/index.js';
import type { ParsedMeeting } from '../platforms/platform.js';
import type { SessionMachine } from './machine.js';
import { stopReason, waitForAdmission, type CallContext, type LobbyWait } from './monitor.js';

/** Requests to join one session makes when the platform keeps dropping them before the job's limit. */
export const MAX_JOIN_REQUESTS = 3;
/** Less than this left of the waiting-room limit is not worth a new request (and a new knock for the host). */
export const MIN_LOBBY_LEFT_MS = 30_000;

/**
 * Joins and waits to be let in. A request the platform drops before the job's own waiting-room
 * limit is made again from a freshly opened meeting page (nothing records before admission),
 * within what is left of that limit.
 */
export async function joinAndWait(ctx: CallContext, machine: SessionMachine, meeting: ParsedMeeting): Promise<void> {
  machine.to('joining');
  const lobby: LobbyWait = { enteredAt: null };
  const lobbyLimitMs = ctx.job.limits.waitingRoomTimeoutSec * 1000;
  for (let request = 1; ; request++) {
    await askToJoin(ctx, meeting, lobby.enteredAt === null ? undefined : lobby.enteredAt + lobbyLimitMs);
    if ((await waitForAdmission(ctx, () => machine.to('waiting_room'), lobby)) === 'admitted') break;
    const leftMs = lobby.enteredAt === null ? lobbyLimitMs : lobby.enteredAt + lobbyLimitMs - ctx.clock.now();
    if (request >= MAX_JOIN_REQUESTS || leftMs < MIN_LOBBY_LEFT_MS) {
      throw new MeetcapError('waiting_room_timeout', `the platform dropped the request to join ${request} time(s); ${Math.round(leftMs / 1000)} s of the waiting-room limit left`, { requests: request });
    }
    ctx.log.info({ request, leftSec: Math.round(leftMs / 1000) }, 'the platform dropped the request to join before the waiting-room limit; asking again');
  }
  machine.to('in_call');
}

/** One request to join. `lobbyDeadline`: a request made again ends with the waiting-room limit. */
async function askToJoin(ctx: CallContext, meeting: ParsedMeeting, lobbyDeadline?: number): Promise<void> {
  const { limits, passcode } = ctx.job;
  const joinDeadline = ctx.clock.now() + limits.joinTimeoutSec * 1000;
  try {
    await ctx.adapter.join(ctx.page, {
      botName: ctx.botName,
      ...(passcode ? { passcode } : {}),
      meeting,
      log: ctx.log,
      deadline: Math.min(joinDeadline, lobbyDeadline ?? joinDeadline),
      notStartedTimeoutMs: limits.notStartedTimeoutSec * 1000,
      interrupted: () => (ctx.stop.aborted ? stopReason(ctx.stop) : ctx.blocked()),
    });
  } catch (err) {
    // A page sent off the meeting hosts (e.g. to a sign-in page) fails the join from under the
    // adapter; what the guard saw is the real reason.
    const blocked = ctx.blocked();
    if (blocked) throw new MeetcapError(blocked, `the join page navigated off the meeting host (${blocked})`, {}, { cause: err });
    if (lobbyDeadline !== undefined && ctx.clock.now() >= lobbyDeadline) {
      throw new MeetcapError('waiting_room_timeout', 'the waiting-room limit ran out while asking to join again', {}, { cause: err });
    }
    throw err;
  }
}
