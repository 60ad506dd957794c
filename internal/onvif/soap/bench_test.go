package soap

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"
)

// BenchmarkParseRequest parses the GetProfiles request Home Assistant sends (wsa headers and a
// digest UsernameToken), the most frequent authenticated call.
func BenchmarkParseRequest(b *testing.B) {
	env := []byte(zeepEnvelope("GetProfiles", NSMedia, "", "admin", "secret", "2025-09-30T00:16:45+00:00", []byte("0123456789abcdef")))
	b.ReportAllocs()
	b.SetBytes(int64(len(env)))
	for b.Loop() {
		if _, err := ParseRequest(bytes.NewReader(env), 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyDigest is the per-request cost of a PasswordDigest check with a fresh nonce
// (the digest the client sends is precomputed; the replay cache stays full at its bound).
func BenchmarkVerifyDigest(b *testing.B) {
	created := testNow.Format(time.RFC3339)
	v := &Verifier{Secret: secrets, Now: func() time.Time { return testNow }}
	toks := make([]UsernameToken, 1<<16)
	for i := range toks {
		toks[i] = *digestToken("admin", "secret", created, binary.LittleEndian.AppendUint64(nil, uint64(i)))
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i == len(toks) {
			b.StopTimer()
			v = &Verifier{Secret: secrets, Now: v.Now}
			i = 0
			b.StartTimer()
		}
		if _, err := v.Verify(&toks[i]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
