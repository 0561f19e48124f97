// Shell around iframe#webclient: the title and the frame's address come from the server.
'use strict';

(() => {
  const config = JSON.parse(document.getElementById('sandbox-config').textContent);
  document.title = config.title;
  document.getElementById('webclient').src = config.src;
})();
