import type { Page } from 'puppeteer-core';
import type { PlatformAdapter } from '../platform.js';
import { turnOffIncomingVideo } from '../page/incoming-video.js';
import { clickIfPresent, clickRevealing, findElement, pageText, probePage } from '../page/page-kit.js';
import { joinZoom } from './join.js';
import { leaveZoom } from './leave.js';
import { postChatMessage } from '../page/chat.js';
import { BREAKOUT_INVITE_TEXTS, BREAKOUT_LATER, CHAT, FOOTER_JOIN_AUDIO, INCOMING_VIDEO_OFF, JOIN_AUDIO, RECORDING_NOTICE_ACK, REVEAL_CONTROLS, ZOOM_PROBE } from './selectors.js';
import { isZoomHost, parseZoomUrl } from './url.js';

/** "Later" only while the invitation shows: the same word in another modal is not ours to press. */
async function answerBreakoutInvite(page: Page): Promise<boolean> {
  const later = await findElement(page, BREAKOUT_LATER);
  if (!later) return false;
  try {
    const text = await pageText(page, ZOOM_PROBE.ignoreText);
    if (!BREAKOUT_INVITE_TEXTS.some((t) => text.includes(t.toLowerCase()))) return false;
    await later.click();
    return true;
  } finally {
    await later.dispose();
  }
}

/** Zoom through its web client (the default). The Meeting SDK path is `sdk/`, chosen per bot profile. */
export const zoomAdapter: PlatformAdapter = {
  id: 'zoom',
  parseUrl: parseZoomUrl,
  // zoom.us/signin is on an allowed host: the probe reads it from the path instead.
  allowsNavigationTo: isZoomHost,
  signInHosts: [],
  join: joinZoom,
  probe: (page, botName) => probePage(page, ZOOM_PROBE, botName),
  async tidy(page, log) {
    // A recording notice is modal: it goes first, and only its acknowledging button is pressed.
    if (await clickIfPresent(page, RECORDING_NOTICE_ACK)) log.info('acknowledged an in-call notice');
    if (await answerBreakoutInvite(page)) log.info('answered a breakout-room invitation with Later: the bot records the main session');
    if (await clickIfPresent(page, JOIN_AUDIO)) log.info('joined computer audio');
    else if (await clickRevealing(page, FOOTER_JOIN_AUDIO, REVEAL_CONTROLS)) log.info('opened the join-audio dialog from the footer');
  },
  stopIncomingVideo: (page, log) => turnOffIncomingVideo(page, log, INCOMING_VIDEO_OFF),
  postChat: (page, text, log) => postChatMessage(page, CHAT, text, log),
  leave: leaveZoom,
};
