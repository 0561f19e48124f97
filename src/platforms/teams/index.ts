import type { PlatformAdapter } from '../platform.js';
import { turnOffIncomingVideo } from '../page/incoming-video.js';
import { clickIfPresent, probePage } from '../page/page-kit.js';
import { joinTeams } from './join.js';
import { leaveTeams } from './leave.js';
import { postChatMessage } from '../page/chat.js';
import { CHAT, DISMISS_NOTICE, INCOMING_VIDEO_OFF, TEAMS_PROBE } from './selectors.js';
import { parseTeamsUrl, TEAMS_HOSTS } from './url.js';

export const teamsAdapter: PlatformAdapter = {
  id: 'teams',
  parseUrl: parseTeamsUrl,
  allowsNavigationTo: (host) => (TEAMS_HOSTS as readonly string[]).includes(host),
  signInHosts: ['login.microsoftonline.com', 'login.live.com', 'login.microsoftonline.us'],
  join: joinTeams,
  probe: (page, botName) => probePage(page, TEAMS_PROBE, botName),
  async tidy(page, log) {
    if (await clickIfPresent(page, DISMISS_NOTICE)) log.info('dismissed an in-call notice');
  },
  stopIncomingVideo: (page, log) => turnOffIncomingVideo(page, log, INCOMING_VIDEO_OFF),
  postChat: (page, text, log) => postChatMessage(page, CHAT, text, log),
  leave: leaveTeams,
};
