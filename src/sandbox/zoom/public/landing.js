// The /j/<id> landing page: protocol launch (a dead end for a bot), browser link, OneTrust banner.
'use strict';

(() => {
  const config = JSON.parse(document.getElementById('sandbox-config').textContent);
  const CONSENT = 'OptanonAlertBoxClosed';
  document.querySelector('.launch__browser-link').href = config.clientHref;

  // "Launch Meeting" hands the meeting to the desktop app through its URL scheme. Without the app
  // nothing useful happens (headless Chromium may even hold the tab behind its protocol prompt).
  // The real page also tries this on load; the sandbox only does it on click, so the browser
  // path stays usable.
  const protocolFrame = document.querySelector('.launch__protocol');
  document.querySelector('.launch__button').addEventListener('click', () => {
    protocolFrame.src = `zoommtg://zoom.us/join?action=join&confno=${config.code}`;
  });

  // OneTrust remembers consent in a cookie; until then the banner covers the bottom of the page.
  if (!document.cookie.split('; ').some((c) => c.startsWith(`${CONSENT}=`))) {
    document.body.appendChild(document.getElementById('tpl-onetrust').content.cloneNode(true));
    const banner = document.getElementById('onetrust-banner-sdk');
    document.getElementById('onetrust-accept-btn-handler').addEventListener('click', () => {
      const site = location.hostname.split('.').slice(-2).join('.'); // shared by every *.zoom.us host
      document.cookie = `${CONSENT}=${new Date().toISOString()}; domain=${site}; path=/; max-age=31536000; SameSite=Lax`;
      banner.remove();
    });
    // Cookie Settings opens a preference centre on the real site; here it does nothing useful.
    document.getElementById('onetrust-pc-btn-handler').addEventListener('click', () => undefined);
  }
})();
