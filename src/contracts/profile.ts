import { z } from 'zod';
import { RecordingModeSchema } from './job.js';

/** A named bot set-up in `bot-profiles/<name>.json`. Jobs pick one and may override the name/avatar. */
export const BotProfileSchema = z
  .object({
    botName: z.string().trim().min(1).max(64),
    avatarUrl: z.url().optional(),
    /** Pins the platform UI language our text signals are written for. */
    locale: z.literal('en-US').default('en-US'),
    viewport: z
      .object({ width: z.int().min(320).max(1920), height: z.int().min(240).max(1080) })
      .strict()
      .default({ width: 1280, height: 720 }),
    /** What jobs with no `recording` of their own capture: audio_video (MP4) or audio_only (M4A). */
    recording: RecordingModeSchema.default('audio_video'),
    videoBitsPerSecond: z.int().min(100_000).max(8_000_000).default(2_500_000),
    /** Frames per second the tab is captured and encoded at (audio_video). */
    videoFrameRate: z.int().min(5).max(30).default(30),
    /**
     * How Zoom meetings are joined: Zoom's web client (default), or Zoom's Meeting SDK for Web,
     * which needs SDK credentials and, per Zoom's own README, does not support bots
     * (docs/zoom-meeting-sdk.md).
     */
    zoomClient: z.enum(['web_client', 'meeting_sdk']).default('web_client'),
    /** Length of each media chunk the page sends; bounds what a crash can lose. */
    chunkMs: z.int().min(250).max(10_000).default(1_000),
  })
  .strict();

export type BotProfile = z.output<typeof BotProfileSchema>;
