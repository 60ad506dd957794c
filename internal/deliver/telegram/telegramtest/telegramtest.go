// Package telegramtest is a local Telegram Bot API for tests: getUpdates (long poll over updates
// the test pushes), sendMessage, sendPhoto and sendVideo, at /bot<token>/<method>. It records
// every request with its decoded fields and file bytes, answers a wrong token with 401 as
// Telegram does, and can be told to fail the next calls of a method. For tests only.
package telegramtest

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Request is one call the server received.
type Request struct {
	Method      string            // Bot API method: "sendPhoto"
	HTTPMethod  string            // GET or POST
	ContentType string            // media type of the body
	Query       url.Values        // the URL's query
	Fields      map[string]string // form fields, or a JSON body's top-level values as strings
	FileField   string            // multipart file field ("photo", "video"), "" for none
	FileName    string
	FileType    string // the file part's Content-Type
	File        []byte
}

// Server is the fake API. Safe for concurrent use.
type Server struct {
	URL   string // base URL, the conf.Telegram.APIURL
	Token string

	srv *httptest.Server

	mu      sync.Mutex
	reqs    []Request
	fails   map[string][]failure
	updates []update
	nextID  int64
	unauth  int
	changed chan struct{} // closed and replaced on every change
}

type failure struct {
	code       int
	desc       string
	retryAfter int
}

type update struct {
	ID      int64          `json:"update_id"`
	Message map[string]any `json:"message"`
}

// New starts a server for token; it is closed when the test ends.
func New(t testing.TB, token string) *Server {
	s := &Server{Token: token, fails: make(map[string][]failure), nextID: 100, changed: make(chan struct{})}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// FailNext makes the next call of method answer {"ok":false,"error_code":code,…}, with
// parameters.retry_after when retryAfter > 0. Calls queue up.
func (s *Server) FailNext(method string, code int, desc string, retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fails[method] = append(s.fails[method], failure{code, desc, retryAfter})
}

// Push adds a text message from chatID as a new update and returns its update_id.
func (s *Server) Push(chatID int64, text string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	s.updates = append(s.updates, update{ID: s.nextID, Message: map[string]any{
		"message_id": s.nextID, "date": time.Now().Unix(), "text": text,
		"chat": map[string]any{"id": chatID, "type": "private"},
		"from": map[string]any{"id": chatID, "is_bot": false, "first_name": "test"},
	}})
	s.signal()
	return s.nextID
}

// Requests returns the calls so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.reqs)
}

// Unauthorized counts the requests refused for a wrong token (they are not in Requests).
func (s *Server) Unauthorized() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.unauth
}

// Sent returns the calls so far other than getUpdates.
func (s *Server) Sent() []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Method != "getUpdates" {
			out = append(out, r)
		}
	}
	return out
}

// WaitFor waits until ok(Requests()) holds or the timeout passes, and returns the last Requests.
func (s *Server) WaitFor(t testing.TB, timeout time.Duration, ok func([]Request) bool) []Request {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		reqs, ch := slices.Clone(s.reqs), s.changed
		s.mu.Unlock()
		if ok(reqs) {
			return reqs
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("telegramtest: condition not met after %v; requests: %v", timeout, methods(reqs))
			return reqs
		}
	}
}

// Wait waits until cond holds, re-checking it whenever the server gets a request (cond may call
// the server's methods), or fails the test after timeout.
func (s *Server) Wait(t testing.TB, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("telegramtest: condition not met after %v; requests: %v", timeout, methods(s.Requests()))
			return
		}
	}
}

func methods(reqs []Request) []string {
	var out []string
	for _, r := range reqs {
		out = append(out, r.Method+"("+r.Fields["text"]+r.Query.Get("offset")+")")
	}
	return out
}

// signal wakes waiters. Called with s.mu held.
func (s *Server) signal() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) answer(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	tok, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 {
		s.answer(w, http.StatusNotFound, map[string]any{"ok": false, "error_code": 404, "description": "Not Found"})
		return
	}
	if tok != s.Token {
		s.mu.Lock()
		s.unauth++
		s.signal()
		s.mu.Unlock()
		s.answer(w, http.StatusUnauthorized, map[string]any{"ok": false, "error_code": 401, "description": "Unauthorized"})
		return
	}
	req, err := decode(r, method)
	if err != nil {
		s.answer(w, http.StatusBadRequest, map[string]any{"ok": false, "error_code": 400, "description": "Bad Request: " + err.Error()})
		return
	}
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	s.signal()
	var f *failure
	if q := s.fails[method]; len(q) > 0 {
		f = &q[0]
		s.fails[method] = q[1:]
	}
	s.mu.Unlock()
	if f != nil {
		body := map[string]any{"ok": false, "error_code": f.code, "description": f.desc}
		if f.retryAfter > 0 {
			body["parameters"] = map[string]any{"retry_after": f.retryAfter}
		}
		s.answer(w, f.code, body)
		return
	}
	switch method {
	case "getUpdates":
		s.getUpdates(w, r, req)
	case "sendMessage", "sendPhoto", "sendVideo":
		if req.Fields["chat_id"] == "" {
			s.answer(w, http.StatusBadRequest, map[string]any{"ok": false, "error_code": 400, "description": "Bad Request: chat_id is empty"})
			return
		}
		s.answer(w, http.StatusOK, map[string]any{"ok": true, "result": map[string]any{"message_id": 1}})
	default:
		s.answer(w, http.StatusNotFound, map[string]any{"ok": false, "error_code": 404, "description": "Not Found: method not found"})
	}
}

// getUpdates answers the updates from offset on, waiting up to timeout (at most 2 s) for one.
func (s *Server) getUpdates(w http.ResponseWriter, r *http.Request, req Request) {
	get := func(k string) string {
		if v := req.Query.Get(k); v != "" {
			return v
		}
		return req.Fields[k]
	}
	offset, _ := strconv.ParseInt(get("offset"), 10, 64)
	timeout, _ := strconv.Atoi(get("timeout"))
	wait := time.NewTimer(min(time.Duration(timeout)*time.Second, 2*time.Second))
	defer wait.Stop()
	for {
		s.mu.Lock()
		// Telegram forgets updates below a confirmed offset.
		s.updates = slices.DeleteFunc(s.updates, func(u update) bool { return u.ID < offset })
		out, ch := slices.Clone(s.updates), s.changed
		s.mu.Unlock()
		if len(out) > 0 {
			s.answer(w, http.StatusOK, map[string]any{"ok": true, "result": out})
			return
		}
		select {
		case <-ch:
		case <-wait.C:
			s.answer(w, http.StatusOK, map[string]any{"ok": true, "result": []any{}})
			return
		case <-r.Context().Done():
			return
		}
	}
}

func decode(r *http.Request, method string) (Request, error) {
	req := Request{Method: method, HTTPMethod: r.Method, Query: r.URL.Query(), Fields: map[string]string{}}
	if r.Method == http.MethodGet {
		return req, nil
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return req, fmt.Errorf("content type: %w", err)
	}
	req.ContentType = mt
	switch mt {
	case "application/json":
		var m map[string]any
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			return req, fmt.Errorf("json: %w", err)
		}
		for k, v := range m {
			switch v := v.(type) {
			case string:
				req.Fields[k] = v
			default:
				b, _ := json.Marshal(v)
				req.Fields[k] = string(b)
			}
		}
	case "multipart/form-data":
		mr := multipart.NewReader(r.Body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return req, fmt.Errorf("multipart: %w", err)
			}
			b, err := io.ReadAll(p)
			if err != nil {
				return req, fmt.Errorf("multipart: %w", err)
			}
			if p.FileName() != "" {
				req.FileField, req.FileName, req.FileType, req.File = p.FormName(), p.FileName(), p.Header.Get("Content-Type"), b
			} else {
				req.Fields[p.FormName()] = string(b)
			}
		}
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return req, err
		}
		for k := range r.PostForm {
			req.Fields[k] = r.PostForm.Get(k)
		}
	default:
		return req, fmt.Errorf("unexpected content type %q", mt)
	}
	return req, nil
}
