// System page: restore a configuration backup through the API (an upload must carry the CSRF
// token in a header) and show what was restored, ignored or refused.
(function () {
  "use strict";
  var form = document.getElementById("restore");
  var out = document.getElementById("restore-result");
  if (!form || !out) { return; }

  function list(title, entries) {
    if (!entries || !entries.length) { return; }
    var h = document.createElement("h3");
    h.textContent = title;
    var ul = document.createElement("ul");
    entries.forEach(function (e) {
      var li = document.createElement("li");
      li.textContent = e.reason ? e.file + ": " + e.reason : e.file;
      ul.appendChild(li);
    });
    out.appendChild(h);
    out.appendChild(ul);
  }

  function show(ok, message, report) {
    out.textContent = "";
    var p = document.createElement("p");
    p.className = ok ? "flash" : "error";
    p.textContent = message;
    out.appendChild(p);
    if (!report) { return; }
    list("Refused", report.refused);
    list("Restored", report.restored);
    list("Turned off", report.removed);
    list("Ignored", report.ignored);
    if (report.warnings && report.warnings.length) {
      list("Warnings", report.warnings.map(function (w) { return { file: w }; }));
    }
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var file = form.querySelector("input[type=file]").files[0];
    if (!file) { return; }
    if (!window.confirm("Replace the camera's settings with " + file.name + "?")) { return; }
    show(true, "Restoring…");
    fetch("/api/v1/config/restore", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/gzip", "X-CSRF-Token": form.elements.csrf.value },
      body: file
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        var report = body.report || body;
        if (r.ok) {
          show(true, body.reload_error ? "Restored; the new settings did not apply: " + body.reload_error
            : "Restored and applied.", report);
        } else {
          show(false, body.error || ("Refused (" + r.status + "): nothing was changed."), report);
        }
      });
    }).catch(function (e) { show(false, "Restore failed: " + e); });
  });
})();

// System page: signed updates. Shows the state of GET /api/v1/update, checks and installs through
// the API (POSTs carry the page's CSRF token in X-CSRF-Token), and polls once a second while a
// check or an install (its progress bar) runs. Once an install runs, the camera execs into the
// new version within milliseconds of finishing it, which ends the sessions: from then on a 401,
// a lost connection or another version means "freecam is restarting into the new version", and
// the page hands over to restart.js (window.freecamAwaitRestart), which waits for freecam, opens
// the login page if the session is gone, and comes back here.
(function () {
  "use strict";
  var form = document.getElementById("update");
  if (!form) { return; }
  var status = document.getElementById("update-status");
  var bar = document.getElementById("update-progress");
  var errBox = document.getElementById("update-error");
  var notes = document.getElementById("update-notes");
  var check = document.getElementById("update-check");
  var apply = document.getElementById("update-apply");
  // The Restart form next to the update state, shown when the binary on disk is not the running
  // one (a rollback or an install from a shell): a restart runs it.
  var restartForm = document.getElementById("update-restart");
  var restartButton = document.getElementById("update-restart-button");
  var timer = null;
  var installing = false; // an install was started or seen running: the camera restarts after it
  var version = null;     // the version the page first saw running
  var gone = false;       // handed over to restart.js

  function when(t) { return t ? new Date(t).toLocaleString() : ""; }

  function problem(msg) {
    errBox.textContent = msg || "";
    errBox.hidden = !msg;
  }

  // restartingNow stops polling and waits, as the restart page does, for the new version.
  function restartingNow() {
    if (gone) { return; }
    gone = true;
    window.clearTimeout(timer);
    check.disabled = true;
    apply.disabled = true;
    apply.hidden = true;
    problem("");
    bar.hidden = false;
    bar.value = 100;
    status.textContent = "freecam is restarting into the new version. This page goes on when it is up again; you may have to log in again.";
    if (window.freecamAwaitRestart) {
      window.freecamAwaitRestart("/system");
    } else {
      window.setTimeout(function () { window.location.href = "/system"; }, 5000);
    }
  }

  function render(s) {
    if (gone) { return; }
    if (version === null) { version = s.installed || ""; }
    if (installing && (s.installed || "") !== version) { restartingNow(); return; }
    if (s.in_progress || s.restarting) {
      installing = true;
    } else if (installing) {
      installing = false; // the install ended here without a restart: s.error says why
    }
    var busy = s.checking || s.in_progress || s.restarting;
    var text = s.installed ? "Running freecam " + s.installed + "." : "Running a freecam build without a version.";
    if (!s.configured) {
      // With errors in update.conf, s.error says why updates are off (shown below, once).
      text += s.error ? " Updates are off." : " Updates are not set up: set UPDATE_MANIFEST_URL in update.conf.";
    } else if (s.restarting) {
      text = "Installed freecam " + s.latest + "; the camera restarts into it…";
    } else if (s.in_progress) {
      text = "Installing freecam " + (s.latest || "") + ": " + s.percentage + " %";
    } else if (s.checking) {
      text += " Checking for updates…";
    } else if (s.available) {
      text += " freecam " + s.latest + " is available" + (s.released ? ", released " + when(s.released) : "") + ".";
    } else if (s.latest) {
      text += " Up to date (the release server offers " + s.latest + ", checked " + when(s.last_check) + ").";
    }
    if (s.pending) {
      text += " This version was just installed: it is kept once pictures flow, or the previous one comes back.";
    }
    var r = s.last_rollback;
    var disk = s.disk_version || "";
    if (disk && r && r.restored_version === disk) {
      // Rolled back on disk (by the guard of another process, or by hand from a shell) while
      // this process still runs the version removed.
      text += " freecam " + r.version + " was rolled back to " + disk + " (" + r.reason + "); restart freecam to run " + disk + ".";
    } else if (disk) {
      text += " The binary on disk is " + (disk === "unknown" ? "another version" : "freecam " + disk) + "; restart freecam to run it.";
      if (r) { text += " freecam " + r.version + " was rolled back to " + r.restored_version + " on " + when(r.at) + ": " + r.reason + "."; }
    } else if (r && s.pending && r.version === s.pending) {
      text += " An earlier install of freecam " + r.version + " was rolled back on " + when(r.at) + ": " + r.reason + ".";
    } else if (r) {
      text += " freecam " + r.version + " was rolled back to " + r.restored_version + " on " + when(r.at) + ": " + r.reason + ".";
    }
    status.textContent = text;
    if (restartForm) {
      restartForm.hidden = !disk || busy;
      restartButton.textContent = disk && disk !== "unknown" ? "Restart freecam to run " + disk : "Restart freecam";
    }
    bar.hidden = !(s.in_progress || s.restarting);
    bar.value = s.restarting ? 100 : s.percentage;
    // The status says "Updates are off."; the error box says why, without saying it again.
    problem(!s.configured && s.error ? s.error.replace(/^updates are off: /, "") : s.error);
    notes.textContent = s.notes || "";
    notes.hidden = !(s.available && s.notes);
    check.disabled = !s.configured || busy;
    apply.hidden = !s.available || s.restarting;
    apply.disabled = busy;
    schedule(busy);
  }

  function schedule(busy) {
    window.clearTimeout(timer);
    timer = busy ? window.setTimeout(load, 1000) : null;
  }

  function load() {
    if (gone) { return; }
    fetch("/api/v1/update", { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
      .then(function (r) {
        // The session died with the old process: the new one is up.
        if ((r.status === 401 || r.status === 403) && installing) { restartingNow(); return null; }
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      })
      .then(function (s) { if (s) { render(s); } })
      .catch(function (e) {
        if (installing) { restartingNow(); return; } // the connection went with the old process
        problem("Could not read the update state: " + e.message);
      });
  }

  function post(path, busyText, started) {
    check.disabled = true;
    apply.disabled = true;
    problem("");
    status.textContent = busyText;
    fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": form.elements.csrf.value, "Accept": "application/json" }
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (!r.ok) { problem(body.error || ("Refused (" + r.status + ")")); } else if (started) { installing = true; }
        load();
      });
    }).catch(function (e) {
      if (started) { installing = true; } // the install may have run and restarted the camera
      problem("Request failed: " + e.message);
      load();
    });
  }

  check.addEventListener("click", function () { post("/api/v1/update/check", "Checking for updates…", false); });
  apply.addEventListener("click", function () {
    if (!window.confirm("Install the update? The camera restarts into it when it is installed.")) { return; }
    post("/api/v1/update/apply", "Starting the install…", true);
  });
  load();
})();
