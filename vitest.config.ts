import { defineConfig } from 'vitest/config';

/**
 * Files that run a real bot, a meeting's media or a timing assertion on the stored recording.
 * On a 2-core box two of them side by side starve the media and make timing assertions lie, so
 * they run one file at a time, after everything else.
 */
const MEDIA = [
  'test/e2e/**/*.test.ts',
  'test/quality/**/*.test.ts',
  'test/media/capture-chromium.test.ts',
  'test/sandbox/media.test.ts',
  'test/fleet/events-e2e.test.ts',
  'test/fleet/session-process.test.ts',
  'test/fleet/redaction.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        // Unit files, page and sandbox checks, storage and ingest: no timing on shared media, so
        // two files at a time; they finish before the media files start.
        test: { name: 'light', include: ['test/**/*.test.ts'], exclude: MEDIA, maxWorkers: 2, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'media', include: MEDIA, fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
