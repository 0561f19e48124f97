import { MeetcapError } from '../contracts/index.js';
import type { ParsedMeeting } from '../platforms/platform.js';
import type { SessionMachine } from './machine.js';
import { stopReason, waitForAdmission, type CallContext, type LobbyWait } from './monitor.js';

/** Requests to join one session makes when the platform keeps dropping them before the job's limit. */
export const MAX_JOIN_REQUESTS = 3;

/**
 * Joins and waits to be let in. A request the platform drops before the job's own waiting-room
 * limit is made again from a freshly opened meeting page (nothing records before admission).
 */
export async function joinAndWait(ctx: CallContext, machine: SessionMachine, meeting: ParsedMeeting): Promise<void> {
  machine.to('joining');
  const lobby: LobbyWait = { enteredAt: null };
  for (let request = 1; ; request++) {
    await askToJoin(ctx, meeting);
    if ((await waitForAdmission(ctx, () => machine.to('waiting_room'), lobby)) === 'admitted') break;
    if (request >= MAX_JOIN_REQUESTS) {
      throw new MeetcapError('waiting_room_timeout', `the platform dropped the request to join ${request} times`, { requests: request });
    }
    ctx.log.info({ request }, 'the platform dropped the request to join before the waiting-room limit; asking again');
  }
  machine.to('in_call');
}

async function askToJoin(ctx: CallContext, meeting: ParsedMeeting): Promise<void> {
  const { limits, passcode } = ctx.job;
  try {
    await ctx.adapter.join(ctx.page, {
      botName: ctx.botName,
      ...(passcode ? { passcode } : {}),
      meeting,
      log: ctx.log,
      deadline: ctx.clock.now() + limits.joinTimeoutSec * 1000,
      notStartedTimeoutMs: limits.notStartedTimeoutSec * 1000,
      interrupted: () => (ctx.stop.aborted ? stopReason(ctx.stop) : ctx.blocked()),
    });
  } catch (err) {
    // A page sent off the meeting hosts (e.g. to a sign-in page) fails the join from under the
    // adapter; what the guard saw is the real reason.
    const blocked = ctx.blocked();
    if (blocked) throw new MeetcapError(blocked, `the join page navigated off the meeting host (${blocked})`, {}, { cause: err });
    throw err;
  }
}
