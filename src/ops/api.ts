import type { Redis } from 'ioredis';
import type { Config } from '../config/index.js';
import { sendControl, type ControlOutcome } from '../control/client.js';
import type { ControlCommand } from '../contracts/index.js';
import { cancelMeeting, scheduleMeeting, type CancelStatus, type ScheduleResult } from '../scheduler/schedule.js';
import { openQueue, redisConnection, type MeetingQueue } from '../scheduler/queue.js';
import { fleetKeys, type FleetKeys } from '../fleet/keys.js';
import { eventOps, type EventOps } from './event-ops.js';
import { logOps, type LogOps } from './log-ops.js';
import { operatorOps, type OperatorOps } from './operator-ops.js';
import { registryOps, type RegistryOps } from './registry-ops.js';

/** What each group of fleet operations gets: the fleet's Redis and who may do what. */
export interface OpsDeps {
  config: Config;
  /** The shared command connection, opened on first use (duplicate() it for blocking reads). */
  redis: () => Redis;
  keys: FleetKeys;
  options: OpsOptions;
}

/** The typed operations the CLI (and any other front end) is a thin layer over. */
export type OpsApi = CoreOps & RegistryOps & LogOps & OperatorOps & EventOps;

export interface CoreOps {
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
  const core = coreOps(config, options);
  const deps: OpsDeps = { config, redis: core.redis, keys: fleetKeys(config.queuePrefix), options };
  return { ...registryOps(deps), ...logOps(deps), ...operatorOps(deps), ...eventOps(deps), ...core.ops };
}

function coreOps(config: Config, options: OpsOptions): { redis: () => Redis; ops: CoreOps } {
  let connection: Redis | undefined;
  let queue: MeetingQueue | undefined;
  const redis = (): Redis => (connection ??= redisConnection(config));
  const q = (): MeetingQueue => {
    queue ??= openQueue(config, redis());
    return queue;
  };
  const controlOpts = { redis, queuePrefix: config.queuePrefix, secret: config.controlSecret, replyTimeoutMs: options.controlReplyTimeoutMs };
  const control = (meetingId: string, command: ControlCommand): Promise<ControlOutcome> => sendControl(controlOpts, meetingId, command);
  const ops: CoreOps = {
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
  return { redis, ops };
}
