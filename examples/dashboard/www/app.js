// The dashboard's script: the board's state from its JSON API, the LED toggled with a POST,
// and a counter kept live by Server-Sent Events.
(function () {
  'use strict';

  function show(id, text) {
    document.getElementById(id).textContent = text;
  }

  function showState(state) {
    show('free', state.free);
    show('total', state.total);
    show('uptime', Math.round(state.uptime));
    show('led', state.led ? 'on' : 'off');
  }

  function load() {
    return fetch('/api/state').then(function (r) { return r.json(); }).then(showState);
  }

  document.getElementById('toggle').addEventListener('click', function () {
    fetch('/api/led', { method: 'POST' })
      .then(function (r) { return r.json(); })
      .then(showState);
  });

  var events = new EventSource('/events');
  events.addEventListener('count', function (e) {
    show('count', e.data);
  });
  events.onopen = function () { show('status', 'live'); };
  events.onerror = function () { show('status', 'reconnecting…'); };

  load();
})();
