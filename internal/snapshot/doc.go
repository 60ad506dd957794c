// Package snapshot serves JPEG pictures of the camera's latest raw frame: a one-slot "latest
// wins" Mailbox the pipeline puts every frame into, a Cache that encodes each frame to JPEG at
// most once per (width, height, quality) and shares the result with every request, and the HTTP
// handlers for /cgi-bin/currentpic.cgi (the Dafang firmware's snapshot URL), /snapshot.jpg and the
// /mjpeg stream.
//
// It never slows the video: Put never blocks, a snapshot request never waits for the next frame,
// and a slow MJPEG client skips frames instead of buffering them. It does no authentication; the
// web server wraps these handlers.
package snapshot
