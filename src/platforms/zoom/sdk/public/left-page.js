// The page the Client View navigates to after the meeting (init's leaveUrl). The meeting page
// saved its status in sessionStorage on every change; restoring it here keeps the reason the
// bot left (onUserLeave's code) visible to the adapter's probe after the navigation.
(function () {
  'use strict';
  var saved = null;
  try {
    saved = JSON.parse(sessionStorage.getItem('meetcap-sdk-status') || 'null');
  } catch (_e) {
    saved = null;
  }
  var status = saved && typeof saved === 'object' ? saved : { participants: [] };
  status.phase = 'left';
  status.participants = [];
  window.meetcapSdk = {
    status: status,
    join: function () {
      throw new Error('meetcap: the meeting page was left; load / again to join');
    },
    leave: function () {},
  };
})();
