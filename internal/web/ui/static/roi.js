// Region-of-interest editor of the Motion page. The canvas has the stream's pixel size (its width
// and height attributes), so rectangles are kept in stream pixels, motion.conf's coordinate space,
// and written to the hidden input as x0,y0,x1,y1[,x0,y0,x1,y1…]; none is "0,0,0,0", the
// firmware's whole picture. Drag to draw (up to 52), click a rectangle's × to delete it.
(function () {
  "use strict";
  var MAX = 52;
  var canvas = document.getElementById("roi-canvas");
  var input = document.getElementById("roi-value");
  if (!canvas || !input) { return; }
  var ctx = canvas.getContext("2d");
  var W = canvas.width, H = canvas.height;
  var rects = parse(input.value);
  var drag = null; // {x0, y0, x1, y1} while drawing
  var bg = new Image();
  bg.onload = draw;
  bg.src = (canvas.getAttribute("data-src") || "/snapshot.jpg") + "?t=" + Date.now();

  function parse(s) {
    var n = (s || "").split(/[\s,]+/).filter(function (x) { return x !== ""; }).map(Number);
    var out = [];
    for (var i = 0; i + 3 < n.length; i += 4) {
      if (n[i + 2] === 0 && n[i + 3] === 0) { continue; } // 0,0,0,0: whole picture
      if (n.slice(i, i + 4).some(isNaN)) { continue; }
      out.push({ x0: n[i], y0: n[i + 1], x1: n[i + 2], y1: n[i + 3] });
    }
    return out;
  }

  function save() {
    input.value = rects.length === 0 ? "0,0,0,0" : rects.map(function (r) {
      return [r.x0, r.y0, r.x1, r.y1].join(",");
    }).join(",");
    showCount();
  }

  function showCount() {
    var count = document.getElementById("roi-count");
    if (count) {
      count.textContent = rects.length === 0 ? "No rectangle: the whole picture is watched." :
        rects.length + " of " + MAX + " rectangles.";
    }
  }

  // Size of the × box in stream pixels, about 18 screen pixels.
  function boxSize() {
    var b = canvas.getBoundingClientRect();
    return Math.max(8, Math.round(18 * W / Math.max(1, b.width)));
  }

  function closeBox(r) {
    var s = boxSize();
    return { x: r.x1 - s, y: r.y0, s: s };
  }

  function draw() {
    ctx.clearRect(0, 0, W, H);
    if (bg.complete && bg.naturalWidth > 0) { ctx.drawImage(bg, 0, 0, W, H); }
    ctx.lineWidth = Math.max(2, Math.round(W / 400));
    rects.forEach(function (r) {
      ctx.fillStyle = "rgba(21, 101, 192, 0.2)";
      ctx.fillRect(r.x0, r.y0, r.x1 - r.x0, r.y1 - r.y0);
      ctx.strokeStyle = "#1565c0";
      ctx.strokeRect(r.x0, r.y0, r.x1 - r.x0, r.y1 - r.y0);
      var c = closeBox(r);
      ctx.fillStyle = "#b3261e";
      ctx.fillRect(c.x, c.y, c.s, c.s);
      ctx.strokeStyle = "#fff";
      ctx.beginPath();
      var p = c.s * 0.25;
      ctx.moveTo(c.x + p, c.y + p); ctx.lineTo(c.x + c.s - p, c.y + c.s - p);
      ctx.moveTo(c.x + c.s - p, c.y + p); ctx.lineTo(c.x + p, c.y + c.s - p);
      ctx.stroke();
    });
    if (drag) {
      var d = norm(drag);
      ctx.setLineDash([8, 6]);
      ctx.strokeStyle = "#ffeb3b";
      ctx.strokeRect(d.x0, d.y0, d.x1 - d.x0, d.y1 - d.y0);
      ctx.setLineDash([]);
    }
  }

  // point converts a mouse event to stream pixels, clamped to the picture.
  function point(e) {
    var b = canvas.getBoundingClientRect();
    var x = (e.clientX - b.left) * W / Math.max(1, b.width);
    var y = (e.clientY - b.top) * H / Math.max(1, b.height);
    return { x: Math.round(Math.min(W, Math.max(0, x))), y: Math.round(Math.min(H, Math.max(0, y))) };
  }

  function norm(d) {
    return { x0: Math.min(d.x0, d.x1), y0: Math.min(d.y0, d.y1), x1: Math.max(d.x0, d.x1), y1: Math.max(d.y0, d.y1) };
  }

  canvas.addEventListener("mousedown", function (e) {
    if (e.button !== 0) { return; }
    e.preventDefault();
    var p = point(e);
    for (var i = rects.length - 1; i >= 0; i--) {
      var c = closeBox(rects[i]);
      if (p.x >= c.x && p.x <= c.x + c.s && p.y >= c.y && p.y <= c.y + c.s) {
        rects.splice(i, 1);
        save(); draw();
        return;
      }
    }
    if (rects.length >= MAX) {
      window.alert("At most " + MAX + " rectangles.");
      return;
    }
    drag = { x0: p.x, y0: p.y, x1: p.x, y1: p.y };
    draw();
  });

  window.addEventListener("mousemove", function (e) {
    if (!drag) { return; }
    var p = point(e);
    drag.x1 = p.x; drag.y1 = p.y;
    draw();
  });

  window.addEventListener("mouseup", function (e) {
    if (!drag) { return; }
    var p = point(e);
    drag.x1 = p.x; drag.y1 = p.y;
    var r = norm(drag);
    drag = null;
    var min = Math.max(2, Math.round(W / 200)); // a click is not a rectangle
    if (r.x1 - r.x0 >= min && r.y1 - r.y0 >= min) {
      rects.push(r);
      save();
    }
    draw();
  });

  var clear = document.getElementById("roi-clear");
  if (clear) {
    clear.addEventListener("click", function () { rects = []; save(); draw(); });
  }
  showCount(); // the value stays as the file has it until something changes
  draw();
})();
