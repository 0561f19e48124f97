// meetcap's Meeting SDK page (Client View). Plain browser JS, no build. The adapter in
// ../adapter.ts drives it through window.meetcapSdk and polls window.meetcapSdk.status, a plain
// JSON-able object, so every probe is one cheap evaluate and nothing here calls back into Node.
(function () {
  'use strict';
  var STORE = 'meetcap-sdk-status';
  // onJoinSpeed levels (Zoom's JOIN_SPEED table).
  var WAITING_FOR_HOST = 4;
  var HOST_STARTED = 5;
  var IN_WAITING_ROOM = 6;
  var OUT_OF_WAITING_ROOM = 7;
  var JOIN_SUCCESS = 8;
  var DISCONNECTED = 3; // onMeetingStatus

  var status = { phase: 'loading', participants: [] };
  var people = new Map();
  var selfId = null;
  var sawJoinSpeed = false;

  function persist() {
    // Survives the SDK's navigation to leaveUrl (/left), which restores it.
    try {
      sessionStorage.setItem(STORE, JSON.stringify(status));
    } catch (_e) {
      /* storage full or denied: the probe still reads the live object */
    }
  }

  function set(patch) {
    Object.assign(status, patch);
    status.participants = Array.from(people.values());
    persist();
  }

  function list(data) {
    if (Array.isArray(data)) return data;
    return data && typeof data === 'object' ? [data] : [];
  }

  function idOf(user) {
    var id = user.userId !== undefined ? user.userId : user.userID;
    return id === undefined || id === null ? null : String(id);
  }

  function addPeople(data) {
    list(data).forEach(function (user) {
      var id = idOf(user);
      if (id === null) return;
      var known = people.get(id);
      var name = user.userName || user.displayName || (known && known.name) || '';
      people.set(id, { id: id, name: String(name), speaking: known ? known.speaking : false, self: id === selfId });
    });
    set({});
  }

  function errorOf(err) {
    var e = err && typeof err === 'object' ? err : {};
    var code = Number(e.errorCode !== undefined ? e.errorCode : e.code);
    return {
      errorCode: Number.isFinite(code) ? code : -1,
      errorMessage: String(e.errorMessage || e.reason || e.message || err || 'unknown error'),
    };
  }

  // --- events: keep `status` current ---

  function onJoinSpeed(data) {
    sawJoinSpeed = true;
    var level = Number(data && data.level);
    status.joinSpeedLevel = level;
    if (status.phase === 'left') return;
    if (level === WAITING_FOR_HOST) set({ waitingForHost: true });
    else if (level === HOST_STARTED) set({ waitingForHost: false });
    else if (level === IN_WAITING_ROOM) set({ phase: 'waiting_room', waitingForHost: false });
    else if (level === OUT_OF_WAITING_ROOM || level === JOIN_SUCCESS) set({ phase: 'in_call', waitingForHost: false });
    else set({});
  }

  function onMeetingStatus(data) {
    var value = Number(data && data.meetingStatus !== undefined ? data.meetingStatus : data && data.status);
    status.meetingStatus = value;
    if (value === DISCONNECTED && (status.phase === 'in_call' || status.phase === 'waiting_room')) set({ phase: 'left' });
    else set({});
  }

  function onUserLeave(data) {
    list(data).forEach(function (user) {
      var id = idOf(user);
      var code = user.reasonCode !== undefined ? user.reasonCode : user.reason;
      // Zoom reports the bot's own departure with a reason code; others leave as plain users.
      if (typeof code === 'number' && (id === null || id === selfId)) {
        people.clear();
        set({ phase: 'left', leaveReason: code });
      } else if (id !== null) {
        people.delete(id);
      }
    });
    set({});
  }

  function onActiveSpeaker(data) {
    var speaking = new Set(list(data).map(idOf).filter(function (id) { return id !== null; }));
    people.forEach(function (p) {
      p.speaking = speaking.has(p.id);
    });
    var first = list(data)[0];
    set({ activeSpeaker: first ? String(first.userName || idOf(first) || '') : undefined });
  }

  function listen(zoom) {
    zoom.inMeetingServiceListener('onJoinSpeed', onJoinSpeed);
    zoom.inMeetingServiceListener('onMeetingStatus', onMeetingStatus);
    zoom.inMeetingServiceListener('onUserJoin', addPeople);
    zoom.inMeetingServiceListener('onUserLeave', onUserLeave);
    zoom.inMeetingServiceListener('onActiveSpeaker', onActiveSpeaker);
  }

  function afterJoin() {
    // Some SDK builds report only the callback; never leave the adapter waiting on a missing event.
    if (!sawJoinSpeed && status.phase === 'joining') set({ phase: 'in_call' });
    var zoom = window.ZoomMtg;
    try {
      zoom.getCurrentUser({
        success: function (res) {
          var me = res && res.result && res.result.currentUser;
          if (me) selfId = idOf(me);
          people.forEach(function (p) { p.self = p.id === selfId; });
          set({ selfId: selfId });
        },
      });
      zoom.getAttendeeslist({
        success: function (res) {
          addPeople(res && res.result && res.result.attendeesList);
        },
      });
    } catch (_e) {
      /* the participant list then fills from onUserJoin alone */
    }
  }

  // --- the adapter's API ---

  function joinArgs(args, onSuccess, onError) {
    var params = {
      signature: args.signature,
      meetingNumber: args.meetingNumber,
      userName: args.userName,
      // Client View spells it passWord; an empty string is how "no passcode" is said.
      passWord: args.passWord || '',
      success: onSuccess,
      error: onError,
    };
    ['userEmail', 'tk', 'zak', 'obfToken'].forEach(function (key) {
      if (args[key]) params[key] = args[key];
    });
    return params;
  }

  function join(args) {
    if (status.phase !== 'ready') throw new Error('meetcap: join() needs phase ready, not ' + status.phase);
    set({ phase: 'joining' });
    var fail = function (err) {
      set(errorOf(err));
    };
    var zoom = window.ZoomMtg;
    zoom.init({
      leaveUrl: location.origin + '/left',
      // Only acts when assets come from Zoom's CDN (the SDK checks the asset host); with assets
      // served from this origin it is a no-op, so it never adds a request to Zoom's CDN.
      patchJsMedia: true,
      // The bot sends no audio or video: no camera/mic preview step before joining.
      disablePreview: true,
      success: function () {
        window.ZoomMtg.join(joinArgs(args, afterJoin, fail));
      },
      error: fail,
    });
  }

  function leave() {
    try {
      window.ZoomMtg.leaveMeeting({});
    } catch (_e) {
      /* best effort: the browser is closed next anyway */
    }
  }

  window.meetcapSdk = { status: status, join: join, leave: leave };

  try {
    sessionStorage.removeItem(STORE);
    var zoom = window.ZoomMtg;
    if (!zoom) throw new Error('ZoomMtg is not defined: the SDK bundle did not load');
    zoom.setZoomJSLib(location.origin + '/zoom/lib', '/av');
    zoom.preLoadWasm();
    zoom.prepareWebSDK();
    listen(zoom);
    set({ phase: 'ready' });
  } catch (err) {
    set({ errorCode: -1, errorMessage: 'SDK load failed: ' + String((err && err.message) || err) });
  }
})();
