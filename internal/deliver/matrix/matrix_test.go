package matrix

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/deliver"
)

const (
	token = "syt_secret_token"
	room  = "!AbCd:example.org"
)

// homeserver implements the two endpoints, checks auth, dedups by txn id as Synapse does and
// records what it got.
type homeserver struct {
	t *testing.T

	mu      sync.Mutex
	uploads []upload
	events  []event
	txns    map[string]string // txn id → event id
	fail    []int             // statuses for the next requests
}

type upload struct {
	name, ctype string
	data        []byte
}

type event struct {
	txn     string
	content map[string]any
}

func newHomeserver(t *testing.T) (*homeserver, *httptest.Server) {
	h := &homeserver{t: t, txns: map[string]string{}}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return h, srv
}

func (h *homeserver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Query().Has("access_token") {
		h.t.Errorf("token in the query string: %s", r.URL.RawQuery)
	}
	if r.Header.Get("Authorization") != "Bearer "+token {
		w.WriteHeader(401)
		fmt.Fprint(w, `{"errcode":"M_UNKNOWN_TOKEN","error":"Invalid access token passed."}`)
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.fail) > 0 {
		code := h.fail[0]
		h.fail = h.fail[1:]
		w.WriteHeader(code)
		switch code {
		case 429:
			fmt.Fprint(w, `{"errcode":"M_LIMIT_EXCEEDED","error":"Too many requests","retry_after_ms":2500}`)
		case 413:
			fmt.Fprint(w, `{"errcode":"M_TOO_LARGE","error":"Upload too large"}`)
		default:
			fmt.Fprintf(w, `{"errcode":"M_UNKNOWN","error":"status %d"}`, code)
		}
		return
	}
	body, _ := io.ReadAll(r.Body)
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/_matrix/media/v3/upload":
		h.uploads = append(h.uploads, upload{r.URL.Query().Get("filename"), r.Header.Get("Content-Type"), body})
		fmt.Fprintf(w, `{"content_uri":"mxc://example.org/media%d"}`, len(h.uploads))
	case r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, "/_matrix/client/v3/rooms/"):
		rest := strings.TrimPrefix(r.URL.Path, "/_matrix/client/v3/rooms/")
		parts := strings.Split(rest, "/")
		if len(parts) != 4 || parts[0] != room || parts[1] != "send" || parts[2] != "m.room.message" {
			w.WriteHeader(400)
			fmt.Fprintf(w, `{"errcode":"M_UNRECOGNIZED","error":"bad path %q"}`, r.URL.Path)
			return
		}
		if id, ok := h.txns[parts[3]]; ok {
			fmt.Fprintf(w, `{"event_id":%q}`, id)
			return
		}
		var c map[string]any
		if err := json.Unmarshal(body, &c); err != nil {
			w.WriteHeader(400)
			fmt.Fprint(w, `{"errcode":"M_NOT_JSON","error":"not json"}`)
			return
		}
		h.events = append(h.events, event{parts[3], c})
		h.txns[parts[3]] = fmt.Sprintf("$ev%d", len(h.events))
		fmt.Fprintf(w, `{"event_id":%q}`, h.txns[parts[3]])
	default:
		w.WriteHeader(404)
		fmt.Fprint(w, `{"errcode":"M_UNRECOGNIZED","error":"Unrecognized request"}`)
	}
}

func (h *homeserver) got() ([]upload, []event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]upload(nil), h.uploads...), append([]event(nil), h.events...)
}

func writeFile(t *testing.T, name string, b []byte) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDeliver(t *testing.T) {
	jpgBytes := append([]byte{0xff, 0xd8}, bytes.Repeat([]byte("j"), 1000)...)
	mp4Bytes := append([]byte("\x00\x00\x00\x18ftypmp42"), bytes.Repeat([]byte("m"), 3000)...)
	jpg, mp4 := writeFile(t, "x.jpg", jpgBytes), writeFile(t, "x.mp4", mp4Bytes)
	tests := []struct {
		alert   conf.AlertType
		kind    deliver.Kind
		msgtype string // "" for nothing sent
		upload  []byte
		ctype   string
	}{
		{conf.AlertText, deliver.Text, "m.text", nil, ""},
		{conf.AlertText, deliver.Snapshot, "m.text", nil, ""},
		{conf.AlertImage, deliver.Snapshot, "m.image", jpgBytes, "image/jpeg"},
		{conf.AlertImage, deliver.Clip, "", nil, ""},
		{conf.AlertVideo, deliver.Snapshot, "", nil, ""},
		{conf.AlertVideo, deliver.Clip, "m.video", mp4Bytes, "video/mp4"},
		{conf.AlertVideoImage, deliver.Clip, "m.video", mp4Bytes, "video/mp4"},
	}
	for _, tc := range tests {
		t.Run(string(tc.alert)+"/"+string(tc.kind), func(t *testing.T) {
			h, srv := newHomeserver(t)
			m := New(conf.Matrix{RoomID: room, Token: token, BaseURL: srv.URL}, tc.alert, Options{})
			it := deliver.Item{ID: "ev7-matrix", Kind: tc.kind, Name: "2026-11-26_14-35-01", Text: "Motion at 14:35"}
			switch tc.kind {
			case deliver.Snapshot:
				it.Files = []string{jpg}
			case deliver.Clip:
				it.Files = []string{mp4}
			}
			for range 2 { // the second delivery is a retry: the homeserver dedups it
				if err := m.Deliver(context.Background(), it); err != nil {
					t.Fatalf("Deliver: got %v, want nil", err)
				}
			}
			ups, evs := h.got()
			if tc.msgtype == "" {
				if len(ups)+len(evs) != 0 {
					t.Fatalf("got %d uploads %d events, want nothing", len(ups), len(evs))
				}
				return
			}
			if len(evs) != 1 {
				t.Fatalf("events: got %d, want 1 (a retry must reuse the txn id)", len(evs))
			}
			c := evs[0].content
			if c["msgtype"] != tc.msgtype || c["body"] != it.Text {
				t.Errorf("content: got %v, want msgtype %s body %q", c, tc.msgtype, it.Text)
			}
			if tc.upload == nil {
				return
			}
			if len(ups) == 0 || !bytes.Equal(ups[0].data, tc.upload) || ups[0].ctype != tc.ctype {
				t.Fatalf("upload: got %v, want %d bytes of %s", ups, len(tc.upload), tc.ctype)
			}
			wantName := it.Name + filepath.Ext(it.Files[0])
			if ups[0].name != wantName || c["filename"] != wantName {
				t.Errorf("file name: got upload %q event %v, want %q", ups[0].name, c["filename"], wantName)
			}
			if c["url"] != "mxc://example.org/media1" {
				t.Errorf("url: got %v, want mxc://example.org/media1", c["url"])
			}
			info, _ := c["info"].(map[string]any)
			if info["mimetype"] != tc.ctype || info["size"] != float64(len(tc.upload)) {
				t.Errorf("info: got %v, want %s size %d", info, tc.ctype, len(tc.upload))
			}
		})
	}
}

func TestErrors(t *testing.T) {
	jpg := writeFile(t, "x.jpg", []byte{0xff, 0xd8, 1, 2})
	tests := []struct {
		name      string
		fail      int
		token     string
		permanent bool
		retry     time.Duration
	}{
		{name: "429 retried", fail: 429, retry: 2500 * time.Millisecond},
		{name: "502 retried", fail: 502},
		{name: "400 permanent", fail: 400, permanent: true},
		{name: "413 permanent", fail: 413, permanent: true},
		{name: "wrong token retried", token: "syt_wrong"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, srv := newHomeserver(t)
			if tc.fail != 0 {
				h.fail = []int{tc.fail}
			}
			tok := conf.Secret(token)
			if tc.token != "" {
				tok = conf.Secret(tc.token)
			}
			m := New(conf.Matrix{RoomID: room, Token: tok, BaseURL: srv.URL}, conf.AlertImage, Options{})
			err := m.Deliver(context.Background(), deliver.Item{ID: "a", Kind: deliver.Snapshot, Files: []string{jpg}})
			if err == nil {
				t.Fatal("got nil, want an error")
			}
			if got := deliver.IsPermanent(err); got != tc.permanent {
				t.Errorf("permanent: got %v, want %v (%v)", got, tc.permanent, err)
			}
			var me *Error
			if !errors.As(err, &me) || me.Retry() != tc.retry {
				t.Errorf("got %v, want a *Error with Retry %v", err, tc.retry)
			}
			if strings.Contains(err.Error(), "syt_") {
				t.Errorf("error shows the token: %v", err)
			}
		})
	}
}

func TestTxnIDStablePerItem(t *testing.T) {
	if TxnID("a-image") != TxnID("a-image") || TxnID("a-image") == TxnID("b-image") {
		t.Errorf("got %s %s %s, want the same id for the same key and another for another", TxnID("a-image"), TxnID("a-image"), TxnID("b-image"))
	}
}
