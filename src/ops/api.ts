import type { Redis } from 'ioredis';
import type { Config } from '../config/index.js';
import { cancelMeeting, scheduleMeeting, type CancelStatus, type ScheduleResult } from '../scheduler/schedule.js';
import { openQueue, redisConnection, type MeetingQueue } from '../scheduler/queue.js';

/** The typed operations the CLI (and any other front end) is a thin layer over. */
export interface OpsApi {
  schedule(job: unknown): Promise<ScheduleResult>;
  cancel(meetingId: string): Promise<{ meetingId: string; status: CancelStatus }>;
  close(): Promise<void>;
}

export function createOps(config: Config): OpsApi {
  let connection: Redis | undefined;
  let queue: MeetingQueue | undefined;
  const q = (): MeetingQueue => {
    connection ??= redisConnection(config);
    queue ??= openQueue(config, connection);
    return queue;
  };
  return {
    schedule: (job) => scheduleMeeting(q(), config, job),
    cancel: (meetingId) => cancelMeeting(q(), meetingId),
    async close() {
      await queue?.close();
      await connection?.quit().catch(() => undefined);
    },
  };
}
