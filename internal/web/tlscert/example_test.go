package tlscert_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"os"

	"github.com/freecam/freecam/internal/web/tlscert"
)

// The web server builds one Manager at start, logs the fingerprint and serves with its
// tls.Config. Certificates stays empty so that GetCertificate answers every handshake.
func Example() {
	dir, _ := os.MkdirTemp("", "freecam-config")
	defer os.RemoveAll(dir)
	log := slog.New(slog.DiscardHandler)

	certs, err := tlscert.New(tlscert.Options{Dir: dir, Logger: log.With("component", "tls")})
	if err != nil {
		fmt.Println(err)
		return
	}
	log.Info("https certificate", "source", certs.Source(), "sha256", certs.Fingerprint())
	srv := &http.Server{Addr: ":8443", TLSConfig: certs.TLSConfig()}
	_ = srv // srv.ListenAndServeTLS("", "") — empty file names: the certificate comes from TLSConfig
	fmt.Println(certs.Source(), len(certs.Fingerprint()))
	// Output: self-signed 95
}
