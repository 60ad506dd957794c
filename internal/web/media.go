package web

import (
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strings"

	"github.com/freecam/freecam/internal/web/auth"
)

func (s *Server) registerPictures(mux *http.ServeMux) {
	cam := s.opts.Camera
	mux.Handle("GET /snapshot.jpg", s.pictureGuard(auth.Viewer, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cam.Snapshot().ServeHTTP(w, r)
	})))
	mux.Handle("GET /mjpeg", s.pictureGuard(auth.Viewer, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cam.MJPEG().ServeHTTP(w, r)
	})))
}

// registerMedia serves recordings, clips and pictures read-only under /media/<root>/<path>. The
// files are opened through an os.Root on the media directory, so no path — "..", an absolute
// path or a symbolic link pointing out — can reach a file outside it. Directories are not listed.
func (s *Server) registerMedia(mux *http.ServeMux) {
	mux.Handle("GET /media/{root}/{path...}", s.guard(auth.Viewer, http.HandlerFunc(s.serveMedia)))
}

func (s *Server) serveMedia(w http.ResponseWriter, r *http.Request) {
	rel := r.PathValue("path")
	if rel == "" || strings.Contains(rel, "\\") || !fs.ValidPath(rel) {
		http.Error(w, "bad media path", http.StatusBadRequest)
		return
	}
	dir := s.opts.Camera.MediaRoots()[r.PathValue("root")]
	if dir == "" {
		http.NotFound(w, r)
		return
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer root.Close()
	f, err := root.Open(rel)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			http.NotFound(w, r)
		} else {
			http.Error(w, "bad media path", http.StatusBadRequest)
		}
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		http.NotFound(w, r)
		return
	}
	if ct := mediaTypes[path.Ext(rel)]; ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	http.ServeContent(w, r, st.Name(), st.ModTime(), f)
}

var mediaTypes = map[string]string{".mp4": "video/mp4", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".avi": "video/x-msvideo"}
