import puppeteer, { type Browser } from 'puppeteer-core';

/**
 * Chromium as the media tests need it. Loopback WebRTC needs a network namespace with only
 * `lo` (run under `unshare -n`), --allow-loopback-in-peer-connection, and a page whose origin
 * holds the camera+mic permission: Chromium gathers host candidates only then. A grant is
 * enough (the product's bot has no devices and gets its candidates from the grant alone); these
 * tests' pages also have fake devices because they send media. Tab capture is auto-accepted;
 * the fake-UI flag must NOT be used (it swaps the tab for a fake device).
 */
export const MEDIA_TEST_FLAGS = [
  '--allow-loopback-in-peer-connection',
  '--use-fake-device-for-media-stream',
  '--auto-accept-this-tab-capture',
  '--autoplay-policy=no-user-gesture-required',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--window-size=1280,720',
];

export async function launchMediaChromium(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: MEDIA_TEST_FLAGS,
    // A muted tab captures as silence, and the recorder records the tab's sound.
    ignoreDefaultArgs: ['--mute-audio'],
    defaultViewport: { width: 1280, height: 720 },
    pipe: true, // exits with the test process, however that ends
  });
}
