package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/freecam/freecam/internal/backup"
	"github.com/freecam/freecam/internal/web/auth"
)

// Config backup and restore: GET /api/v1/config/backup downloads the config directory as a
// tar.gz; POST /api/v1/config/restore takes one (the body, or the multipart field "archive"),
// checks it whole, writes it, and reloads the camera. Both are admin-only; the restore is a
// state-changing request under the usual CSRF and cross-site rules of guard.

// maxRestoreBody bounds a restore request: the archive limit plus room for multipart framing.
const maxRestoreBody = backup.DefaultMaxArchiveSize + 64<<10

// apiBackup answers the archive. ?sealing_key=true adds freecam.key and ?tls_keys=true the TLS
// certificates with their private keys (see backup.Options); both default to false.
func (s *Server) apiBackup(w http.ResponseWriter, r *http.Request) {
	var o backup.Options
	for name, dst := range map[string]*bool{"sealing_key": &o.IncludeSealingKey, "tls_keys": &o.IncludeTLSKeys} {
		v := r.URL.Query().Get(name)
		if v == "" {
			continue
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			apiError(w, http.StatusBadRequest, fmt.Errorf("%s must be true or false (got %q)", name, v))
			return
		}
		*dst = b
	}
	var buf bytes.Buffer
	if err := backup.Create(&buf, s.opts.Camera.ConfigDir(), o); err != nil {
		apiError(w, http.StatusInternalServerError, err)
		return
	}
	name := fmt.Sprintf("freecam-config-%s-%s.tar.gz", fileNamePart(s.opts.Camera.Status().Hostname), time.Now().Format("2006-01-02_15-04-05"))
	h := w.Header()
	h.Set("Content-Type", "application/gzip")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
	u, _ := auth.UserFrom(r.Context())
	s.log.Info("config backup downloaded", "user", u.Name, "bytes", buf.Len(),
		"sealing_key", o.IncludeSealingKey, "tls_keys", o.IncludeTLSKeys)
}

// fileNamePart keeps the letters, digits, dots and dashes of a host name ("camera" if none).
func fileNamePart(s string) string {
	s = strings.Map(func(r rune) rune {
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return -1
	}, s)
	s = strings.Trim(s, ".-")
	if s == "" {
		return "camera"
	}
	return s
}

// restoreJSON is the answer of a restore: the report, plus why it was refused or what the reload
// said.
type restoreJSON struct {
	Error string `json:"error,omitempty"`
	backup.Report
	ReloadError string `json:"reload_error,omitempty"`
}

func (s *Server) apiRestore(w http.ResponseWriter, r *http.Request) {
	u, _ := auth.UserFrom(r.Context())
	r.Body = http.MaxBytesReader(w, r.Body, maxRestoreBody)
	body, err := restoreBody(r)
	if err != nil {
		apiError(w, http.StatusBadRequest, err)
		return
	}
	defer body.Close()
	rep, err := backup.Restore(body, s.opts.Camera.ConfigDir(), backup.RestoreOptions{})
	if err != nil {
		status := http.StatusInternalServerError
		switch {
		case errors.Is(err, backup.ErrMalformed):
			status = http.StatusBadRequest
		case errors.Is(err, backup.ErrInvalid):
			status = http.StatusUnprocessableEntity
		}
		s.log.Warn("config restore refused", "user", u.Name, "err", err)
		writeJSON(w, status, restoreJSON{Error: err.Error(), Report: rep})
		return
	}
	s.log.Info("config restored", "user", u.Name, "restored", len(rep.Restored), "removed", len(rep.Removed),
		"ignored", len(rep.Ignored), "warnings", len(rep.Warnings))
	resp := restoreJSON{Report: rep}
	if err := s.opts.Camera.Reload(); err != nil {
		resp.ReloadError = err.Error()
	}
	writeJSON(w, http.StatusOK, resp)
}

// restoreBody returns the archive of a restore request: the multipart field "archive" of a form
// upload, else the body itself.
func restoreBody(r *http.Request) (io.ReadCloser, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		return r.Body, nil
	}
	if r.MultipartForm != nil { // guard already read the form, looking for the CSRF field
		files := r.MultipartForm.File["archive"]
		if len(files) == 0 {
			return nil, errors.New(`no file in the form field "archive"`)
		}
		return files[0].Open()
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, fmt.Errorf("bad multipart body: %w", err)
	}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return nil, errors.New(`no form field "archive"`)
		}
		if err != nil {
			return nil, fmt.Errorf("bad multipart body: %w", err)
		}
		if p.FormName() == "archive" {
			return p, nil
		}
	}
}
