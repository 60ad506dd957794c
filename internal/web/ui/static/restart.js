// Restart page: wait for freecam to go down and come back, then open the live view.
(function () {
  "use strict";
  var started = Date.now();
  function check() {
    fetch("/live", { method: "HEAD", cache: "no-store", credentials: "same-origin" })
      .then(function (r) {
        if (r.ok && Date.now() - started > 4000) { window.location.href = "/live"; return; }
        setTimeout(check, 1500);
      })
      .catch(function () { setTimeout(check, 1500); });
  }
  setTimeout(check, 3000);
})();
