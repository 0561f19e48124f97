import type { Redis } from 'ioredis';
import type { Config } from '../config/index.js';
import { sendControl, type ControlOutcome } from '../control/client.js';
import type { ControlCommand } from '../contracts/index.js';
import { cancelMeeting, scheduleMeeting, type CancelStatus, type ScheduleResult } from '../scheduler/schedule.js';
import { openQueue, redisConnection, type MeetingQueue } from '../scheduler/queue.js';

/** The typed operations the CLI (and any other front end) is a thin layer over. */
export interface OpsApi {
  schedule(job: unknown): Promise<ScheduleResult>;
  cancel(meetingId: string): Promise<{ meetingId: string; status: CancelStatus }>;
  /** Recording control (signed with MEETCAP_CONTROL_SECRET): the session's state afterwards, or a typed error. */
  pause(meetingId: string): Promise<ControlOutcome>;
  resume(meetingId: string): Promise<ControlOutcome>;
  startRecording(meetingId: string): Promise<ControlOutcome>;
  close(): Promise<void>;
}

export interface OpsOptions {
  /** How long a control command waits for the worker running the meeting (default 5 s). */
  controlReplyTimeoutMs?: number;
}

export function createOps(config: Config, options: OpsOptions = {}): OpsApi {
  let connection: Redis | undefined;
  let queue: MeetingQueue | undefined;
  const redis = (): Redis => (connection ??= redisConnection(config));
  const q = (): MeetingQueue => {
    queue ??= openQueue(config, redis());
    return queue;
  };
  const controlOpts = { redis, queuePrefix: config.queuePrefix, secret: config.controlSecret, replyTimeoutMs: options.controlReplyTimeoutMs };
  const control = (meetingId: string, command: ControlCommand): Promise<ControlOutcome> => sendControl(controlOpts, meetingId, command);
  return {
    schedule: (job) => scheduleMeeting(q(), config, job),
    cancel: (meetingId) => cancelMeeting(q(), meetingId),
    pause: (meetingId) => control(meetingId, 'pause'),
    resume: (meetingId) => control(meetingId, 'resume'),
    startRecording: (meetingId) => control(meetingId, 'start_recording'),
    async close() {
      await queue?.close();
      await connection?.quit().catch(() => undefined);
    },
  };
}
