import { QUEUE_NAME, jobIdFor } from '../scheduler/queue.js';

/**
 * Every Redis key the fleet layer uses, in one place (docs/operations.md lists them). All live
 * under the queue prefix, so a test's prefix keeps its keys apart and `DEL prefix:*` cleans up.
 * Meeting ids come from other systems; they are hashed into keys (same derivation as job ids).
 */
export function fleetKeys(prefix: string) {
  const p = `${prefix}:fleet`;
  return {
    /** ZSET sessionId -> last heartbeat (epoch ms): the registry's index. */
    sessions: `${p}:sessions`,
    /** HASH: one live session's registry record. */
    session: (sessionId: string) => `${p}:session:${sessionId}`,
    /** LIST of sessionIds of one meeting, newest first (logs and kill by meetingId). */
    meetingSessions: (meetingId: string) => `${p}:meeting:${jobIdFor(meetingId)}:sessions`,
    /** HASH: the parts recorded so far for one meeting (crash takeover). */
    meetingParts: (meetingId: string) => `${p}:meeting:${jobIdFor(meetingId)}:parts`,
    /** STRING with PX: which session holds the meeting's media right now (never two bots at once). */
    meetingOwner: (meetingId: string) => `${p}:meeting:${jobIdFor(meetingId)}:owner`,
    /** ZSET workerId -> last heartbeat; HASH per worker. */
    workers: `${p}:workers`,
    worker: (workerId: string) => `${p}:worker:${workerId}`,
    /** STREAM of one session's log lines (bounded, expires after the session). */
    logs: (sessionId: string) => `${p}:logs:${sessionId}`,
    /** STREAM of refused and accepted operator commands. */
    audit: `${p}:audit`,
    /** STRING: HMAC of a fixed label under MEETCAP_CONTROL_SECRET, written by workers (src/ops/auth.ts). */
    operatorVerifier: `${p}:operator-verifier`,
    /** STREAM of lifecycle events for the capture-policy service (docs/events.md). */
    events: `${prefix}:events`,
    /** ZSET deliveryId -> when its next webhook attempt is due, or until when a worker holds it (epoch ms). */
    webhookDue: `${p}:webhooks:due`,
    /** HASH: one webhook delivery (signed body, endpoint, attempts); deleted when delivered or given up. */
    webhookDelivery: (deliveryId: string) => `${p}:webhooks:delivery:${deliveryId}`,
    /** STREAM of webhook deliveries given up after the last retry (docs/events.md). */
    webhookDead: `${p}:webhooks:dead`,
    /**
     * BullMQ 5's own keys of the meetings queue, read (never written) by the metrics' queue-depth
     * collector and named by the KEDA trigger (docs/deploy.md). wait/paused/active: LIST;
     * delayed (score = due ms * 0x1000 + n), prioritized, waiting-children, completed, failed: ZSET.
     */
    queue: {
      wait: `${prefix}:${QUEUE_NAME}:wait`,
      paused: `${prefix}:${QUEUE_NAME}:paused`,
      active: `${prefix}:${QUEUE_NAME}:active`,
      delayed: `${prefix}:${QUEUE_NAME}:delayed`,
      prioritized: `${prefix}:${QUEUE_NAME}:prioritized`,
      waitingChildren: `${prefix}:${QUEUE_NAME}:waiting-children`,
      completed: `${prefix}:${QUEUE_NAME}:completed`,
      failed: `${prefix}:${QUEUE_NAME}:failed`,
    },
  } as const;
}

export type FleetKeys = ReturnType<typeof fleetKeys>;
