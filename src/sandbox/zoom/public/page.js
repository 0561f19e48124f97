// Error and stand-in pages (unknown id, error 3,001, sign-in, home): texts come from the config.
'use strict';

(() => {
  const config = JSON.parse(document.getElementById('sandbox-config').textContent);
  document.title = config.title;
  document.querySelector('.simple-page__heading').textContent = config.heading;
  document.querySelector('.simple-page__message').textContent = config.message;
})();
