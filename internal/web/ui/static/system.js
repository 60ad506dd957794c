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
