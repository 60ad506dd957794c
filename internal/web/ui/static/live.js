// Live page: refresh the picture about once a second without flicker (the next picture is loaded
// off-screen and swapped in), and pause while the tab is hidden.
(function () {
  "use strict";
  var img = document.getElementById("live-img");
  if (!img) { return; }
  var base = img.getAttribute("data-src") || "/snapshot.jpg";
  var busy = false;
  function next() {
    if (busy || document.hidden) { return; }
    busy = true;
    var pic = new Image();
    pic.onload = function () { img.src = pic.src; busy = false; };
    pic.onerror = function () { busy = false; };
    pic.src = base + "?t=" + Date.now();
  }
  setInterval(next, 1000);
})();
