package auth

import (
	"strings"
	"testing"
)

func TestArgon2RoundTrip(t *testing.T) {
	phc := hashPassword(defaultParams, "correct horse")
	if !strings.HasPrefix(phc, "$argon2id$v=19$m=8192,t=2,p=1$") {
		t.Fatalf("got PHC %q, want the prefix $argon2id$v=19$m=8192,t=2,p=1$", phc)
	}
	h, err := parsePHC(phc)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.salt) != 16 || len(h.key) != 32 {
		t.Errorf("got salt %d and key %d bytes, want 16 and 32", len(h.salt), len(h.key))
	}
	if !h.verify("correct horse") {
		t.Error("got the right password refused, want it accepted")
	}
	for _, wrong := range []string{"correct hors", "correct horse ", "Correct horse", ""} {
		if h.verify(wrong) {
			t.Errorf("got wrong password %q accepted, want it refused", wrong)
		}
	}
	if again := hashPassword(defaultParams, "correct horse"); again == phc {
		t.Error("got the same PHC string twice, want a fresh salt each time")
	}
}

func TestParsePHCRefuses(t *testing.T) {
	good := hashPassword(cheapParams, "password1")
	parts := strings.Split(good, "$")
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	for name, s := range map[string]string{
		"argon2i":      with(1, "argon2i"),
		"version":      with(2, "v=16"),
		"huge memory":  with(3, "m=1048576,t=2,p=1"),
		"zero time":    with(3, "m=64,t=0,p=1"),
		"missing p":    with(3, "m=64,t=1"),
		"unknown":      with(3, "m=64,t=1,p=1,x=2"),
		"short salt":   with(4, "AAAA"),
		"bad key b64":  with(5, "!!!"),
		"not phc":      "plaintext",
		"extra fields": good + "$x",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := parsePHC(s); err == nil {
				t.Errorf("got no error for %q, want one", s)
			}
		})
	}
	if _, err := parsePHC(good); err != nil {
		t.Errorf("got %v for a good PHC string, want nil", err)
	}
}
