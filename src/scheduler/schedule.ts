import type { Config } from '../config/index.js';
import { loadBotProfile } from '../config/profiles.js';
import { MeetcapError, parseAnyJob, type AnyJob, type MeetingJob } from '../contracts/index.js';
import { assertUrlAllowed, loadTenantSettings } from '../ingest/allow-list.js';
import { resolvePlatform } from '../platforms/resolve.js';
import type { Job } from 'bullmq';
import { jobIdFor, type MeetingQueue } from './queue.js';

export type ScheduleStatus = 'scheduled' | 'updated' | 'already_running' | 'already_finished';

export interface ScheduleResult {
  meetingId: string;
  jobId: string;
  status: ScheduleStatus;
  /** When a worker will lease it (scheduledStart − joinOffsetSec, or now if that has passed). */
  runAt: string;
  platform: MeetingJob['platform'];
}

const KEEP_COMPLETED_SEC = 7 * 24 * 3600;
const KEEP_FAILED_SEC = 30 * 24 * 3600;

/**
 * Validates a job completely before anything touches Redis, then enqueues it delayed until
 * its join time. Scheduling the same meetingId again updates the waiting job; it never creates
 * a second bot, and a meeting that already ran is not run again.
 */
export async function scheduleMeeting(
  queue: MeetingQueue,
  config: Config,
  input: unknown,
  now: number = Date.now(),
): Promise<ScheduleResult> {
  const job = await validateForSchedule(config, input);
  const jobId = jobIdFor(job.meetingId);
  // A file job is due now; a meeting at its join time.
  const runAtMs = job.source === 'file' ? now : Date.parse(job.scheduledStart) - job.joinOffsetSec * 1000;
  const delay = Math.max(0, runAtMs - now);
  const result = (status: ScheduleStatus): ScheduleResult => ({
    meetingId: job.meetingId,
    jobId,
    status,
    runAt: new Date(Math.max(runAtMs, now)).toISOString(),
    platform: job.source === 'file' ? undefined : job.platform,
  });

  const existing = await queue.getJob(jobId);
  if (existing) {
    const state = await existing.getState();
    if (state === 'active') return result('already_running');
    if (state === 'completed' || state === 'failed') return result('already_finished');
    if (state === 'delayed' || state === 'waiting' || state === 'prioritized') {
      // getJob's type distributes over the AnyJob union, so updateData would want both kinds at once.
      await (existing as Job<AnyJob, unknown, string>).updateData(job);
      if (state === 'delayed') await existing.changeDelay(delay);
      else if (delay > 0) {
        // A waiting job cannot be delayed again in place; replace it (it is not leased yet).
        await existing.remove();
        await add(queue, job, jobId, delay);
      }
      return result('updated');
    }
  }
  await add(queue, job, jobId, delay);
  return result('scheduled');
}

async function add(queue: MeetingQueue, job: AnyJob, jobId: string, delay: number): Promise<void> {
  await queue.add('meeting', job, {
    jobId,
    delay,
    attempts: 1,
    removeOnComplete: { age: KEEP_COMPLETED_SEC },
    removeOnFail: { age: KEEP_FAILED_SEC },
  });
}

/**
 * Everything `schedule` checks, without queueing: schema, policy floor, bot profile, and the
 * meeting URL and platform, or for a file job its URL against the tenant's ingest allow-list.
 */
export async function validateForSchedule(config: Config, input: unknown): Promise<AnyJob> {
  const job = parseAnyJob(input);
  if (job.source === 'file') {
    checkPolicyFloor(config, job);
    await loadBotProfile(config.profilesDir, job.botProfile);
    if (job.file.url !== undefined) assertUrlAllowed(job.file.url, await loadTenantSettings(config.tenantsDir, job.tenantId), job.tenantId);
    return job;
  }
  const { meeting } = resolvePlatform(job.meetingUrl, job.platform);
  checkPolicyFloor(config, job);
  await loadBotProfile(config.profilesDir, job.botProfile);
  return { ...job, platform: meeting.platform };
}

/** The product's minimum: 120 s for meetings, 60 s for dialer calls; a job may only ask for more. */
export function checkPolicyFloor(config: Config, job: { dialer: boolean; limits: { minDurationSec: number } }): void {
  const floor = job.dialer ? config.dialerMinDurationFloorSec : config.minDurationFloorSec;
  if (job.limits.minDurationSec >= floor) return;
  const message = `must be at least ${floor} (the policy minimum${job.dialer ? ' for dialer calls' : ''})`;
  throw new MeetcapError('invalid_job', `invalid meeting job: limits.minDurationSec: ${message}`, {
    fields: [{ field: 'limits.minDurationSec', message }],
  });
}

export type CancelStatus = 'cancelled' | 'not_found' | 'running' | 'already_finished';

/** Removes a meeting that has not started. A running session is left to `kill` (operators). */
export async function cancelMeeting(queue: MeetingQueue, meetingId: string): Promise<{ meetingId: string; status: CancelStatus }> {
  const job = await queue.getJob(jobIdFor(meetingId));
  if (!job) return { meetingId, status: 'not_found' };
  const state = await job.getState();
  if (state === 'active') return { meetingId, status: 'running' };
  if (state === 'completed' || state === 'failed') return { meetingId, status: 'already_finished' };
  try {
    await job.remove();
  } catch {
    // A worker leased it between the state read and the removal.
    return { meetingId, status: 'running' };
  }
  return { meetingId, status: 'cancelled' };
}
