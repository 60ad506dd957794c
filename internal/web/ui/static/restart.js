// Restart page: wait for freecam to go down and come back, then open the page the restart
// interrupted (data-next). A restart ends the sessions (they are kept in memory), so the camera
// may come back answering 401 or 403, or sending the browser to /login: that also means it is
// back, and the login page opens with next= so the user lands where they were going.
//
// Other pages load this file too and call window.freecamAwaitRestart(next) when they see freecam
// restart under them (the System page when an update installs); it does what this page does.
(function () {
  "use strict";
  function loggedOut(r) {
    if (r.status === 401 || r.status === 403) { return true; }
    if (r.type === "opaqueredirect") { return true; }
    if (r.redirected) {
      try { return new URL(r.url, window.location.href).pathname === "/login"; } catch (e) { return false; }
    }
    return false;
  }
  var waiting = false;
  function awaitRestart(next) {
    if (waiting) { return; }
    waiting = true;
    if (!next || next.charAt(0) !== "/" || next.charAt(1) === "/" || next.charAt(1) === "\\") { next = "/live"; }
    var started = Date.now();
    function check() {
      // A GET that asks for a page: without a session the camera answers with a redirect to
      // /login, not a 401 whose Basic challenge could make the browser ask for a password.
      // redirect: "manual": the redirect to /login is seen (opaqueredirect) and not followed, so no
      // login page is fetched for nothing; the body is not needed either.
      fetch("/live", { method: "GET", cache: "no-store", credentials: "same-origin", redirect: "manual", headers: { "Accept": "text/html" } })
        .then(function (r) {
          if (r.body) { r.body.cancel().catch(function () {}); }
          if (loggedOut(r)) { window.location.href = "/login?next=" + encodeURIComponent(next); return; }
          if (r.ok && Date.now() - started > 4000) { window.location.href = next; return; }
          setTimeout(check, 1500);
        })
        .catch(function () { setTimeout(check, 1500); });
    }
    setTimeout(check, 3000);
  }
  window.freecamAwaitRestart = awaitRestart;
  var el = document.getElementById("restarting");
  if (el) { awaitRestart(el.getAttribute("data-next") || "/live"); }
})();
