// Package firmware serves the Dafang Hacks firmware's CGI URLs (/cgi-bin/currentpic.cgi,
// currentpicoptim.cgi, downloadpic.cgi, state.cgi and action.cgi) with the firmware's response
// formats, so existing Home Assistant configs and user scripts keep working against freecam.
//
// It only translates: every command goes to the camera.Camera contract or to conf.Apply, never
// to a shell, and a command that makes no sense here answers 400 saying what to use instead.
// Responses are text/plain with X-Content-Type-Options: nosniff (or image/jpeg); input is never
// echoed unescaped. Authentication, roles and cross-site checks are the server's middleware's
// job (through Guard); this package does not log secrets and logs nothing per request except
// server-side failures.
package firmware
