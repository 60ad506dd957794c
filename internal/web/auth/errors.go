package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// The errors of Check, Login and Verify besides *ThrottledError. Match them with errors.Is.
var (
	// ErrNoCredentials: the request carried no session cookie that is still valid and no
	// Authorization header.
	ErrNoCredentials = errors.New("auth: no credentials")
	// ErrBadCredentials: a wrong user name or password, or a malformed or unacceptable
	// Authorization header.
	ErrBadCredentials = errors.New("auth: bad credentials")
)

// The errors of SetPassword and DeleteUser that callers may want to tell apart.
var (
	// ErrUnknownUser: no account has that name.
	ErrUnknownUser = errors.New("auth: no such user")
	// ErrLastAdmin: the change would leave no admin account.
	ErrLastAdmin = errors.New("auth: the last admin account cannot be deleted or demoted")
)

// WriteError answers an error the way the path's clients read it: for paths under /api/ the
// JSON the API documents, {"error": msg} as application/json; elsewhere (the pages, the
// firmware's CGI URLs, the picture URLs) plain text. Headers already set on w are kept.
func WriteError(w http.ResponseWriter, r *http.Request, code int, msg string) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	if strings.HasPrefix(r.URL.Path, "/api/") {
		h.Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
		return
	}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	fmt.Fprintln(w, msg)
}

// BrowserFetch reports whether r is a script's or an element's request in a browser, not a
// navigation, that carried no Authorization header: it has Sec-Fetch-Mode (every current browser
// sends it over HTTPS) with a value other than "navigate" (cors, no-cors, same-origin). Challenge
// answers such a request's 401 without WWW-Authenticate: the challenge would make the browser
// open its own password dialog over a page that handles the 401 itself (a session that ended
// when freecam restarted). Curl, ffmpeg, Home Assistant and a CGI URL opened in a browser tab (a
// navigation) get the challenge, and so does a browser that sent credentials it remembered from
// that dialog (a Digest nonce that expired is renewed through the challenge).
func BrowserFetch(r *http.Request) bool {
	m := r.Header.Get("Sec-Fetch-Mode")
	return m != "" && m != "navigate" && r.Header.Get("Authorization") == ""
}
