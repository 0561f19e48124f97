import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // End-to-end files each run a real Chromium pair and ffmpeg; on a 2-core box running them
    // side by side starves the media and makes timing assertions lie. Unit files are fast anyway.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
