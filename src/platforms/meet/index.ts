import type { PlatformAdapter } from '../platform.js';
import { turnOffIncomingVideo } from '../page/incoming-video.js';
import { clickIfPresent, probePage } from '../page/page-kit.js';
import { joinMeet } from './join.js';
import { leaveMeet } from './leave.js';
import { postChatMessage } from '../page/chat.js';
import { CHAT, DISMISS_NOTICE, INCOMING_VIDEO_OFF, MEET_PROBE } from './selectors.js';
import { isMeetHost, parseMeetUrl } from './url.js';

export const meetAdapter: PlatformAdapter = {
  id: 'meet',
  parseUrl: parseMeetUrl,
  allowsNavigationTo: isMeetHost,
  signInHosts: ['accounts.google.com'],
  // Google sends traffic it takes for a bot to its "unusual traffic" page, off the Meet host.
  captchaPages: ['https://www.google.com/sorry/', 'https://google.com/sorry/'],
  join: joinMeet,
  probe: (page, botName) => probePage(page, MEET_PROBE, botName),
  async tidy(page, log) {
    if (await clickIfPresent(page, DISMISS_NOTICE)) log.info('acknowledged an in-call notice');
  },
  stopIncomingVideo: (page, log) => turnOffIncomingVideo(page, log, INCOMING_VIDEO_OFF),
  postChat: (page, text, log) => postChatMessage(page, CHAT, text, log),
  leave: leaveMeet,
};
