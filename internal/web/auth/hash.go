package auth

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// argonParams are the argon2id cost parameters. They are stored in every PHC string, so a later
// version can change them and still verify the hashes written before.
type argonParams struct {
	memory  uint32 // KiB
	time    uint32
	threads uint8
	saltLen int
	keyLen  int
}

// defaultParams are sized for the target: a 64 MB, single-core MIPS camera. 8 MiB and two passes
// take well under a second there and bound the memory a login can use.
var defaultParams = argonParams{memory: 8 * 1024, time: 2, threads: 1, saltLen: 16, keyLen: 32}

// Bounds on what a hash read from the users file may ask for, so a hand-edited file cannot make a
// login allocate more than the camera has.
const (
	maxArgonMemory  = 64 * 1024 // KiB
	maxArgonTime    = 16
	maxArgonThreads = 16
)

// phcHash is a parsed argon2id PHC string: $argon2id$v=19$m=…,t=…,p=…$salt$key.
type phcHash struct {
	memory  uint32
	time    uint32
	threads uint8
	salt    []byte
	key     []byte
}

var b64 = base64.RawStdEncoding

// hashPassword returns the argon2id PHC string of password with a fresh random salt.
func hashPassword(p argonParams, password string) string {
	salt := make([]byte, p.saltLen)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, uint32(p.keyLen))
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.memory, p.time, p.threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// parsePHC parses an argon2id PHC string and checks its parameters are within bounds.
func parsePHC(s string) (phcHash, error) {
	var h phcHash
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" {
		return h, errors.New("not a PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$hash)")
	}
	if parts[1] != "argon2id" {
		return h, fmt.Errorf("unsupported algorithm %q, want argon2id", parts[1])
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return h, fmt.Errorf("unsupported argon2 version %q, want v=%d", parts[2], argon2.Version)
	}
	var seen [3]bool
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, _ := strings.Cut(kv, "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return h, fmt.Errorf("bad argon2 parameter %q", kv)
		}
		switch k {
		case "m":
			if n < 8 || n > maxArgonMemory {
				return h, fmt.Errorf("argon2 memory m=%d out of range [8, %d] KiB", n, maxArgonMemory)
			}
			h.memory, seen[0] = uint32(n), true
		case "t":
			if n < 1 || n > maxArgonTime {
				return h, fmt.Errorf("argon2 time t=%d out of range [1, %d]", n, maxArgonTime)
			}
			h.time, seen[1] = uint32(n), true
		case "p":
			if n < 1 || n > maxArgonThreads {
				return h, fmt.Errorf("argon2 threads p=%d out of range [1, %d]", n, maxArgonThreads)
			}
			h.threads, seen[2] = uint8(n), true
		default:
			return h, fmt.Errorf("unknown argon2 parameter %q", kv)
		}
	}
	if !seen[0] || !seen[1] || !seen[2] {
		return h, errors.New("argon2 parameters m, t and p are all required")
	}
	var err error
	if h.salt, err = b64.DecodeString(parts[4]); err != nil || len(h.salt) < 8 || len(h.salt) > 64 {
		return h, errors.New("bad argon2 salt (want 8 to 64 bytes, unpadded base64)")
	}
	if h.key, err = b64.DecodeString(parts[5]); err != nil || len(h.key) < 16 || len(h.key) > 64 {
		return h, errors.New("bad argon2 hash (want 16 to 64 bytes, unpadded base64)")
	}
	return h, nil
}

// verify reports whether password matches h, comparing in constant time.
func (h phcHash) verify(password string) bool {
	key := argon2.IDKey([]byte(password), h.salt, h.time, h.memory, h.threads, uint32(len(h.key)))
	return subtle.ConstantTimeCompare(key, h.key) == 1
}

// digestRealm is the HTTP Digest realm; it is part of every stored HA1.
const digestRealm = "freecam"

// digestHA1 is RFC 7616's HA1 for MD5: hex MD5 of name:realm:password. It is a fast,
// password-equivalent hash, which is why it is stored only for accounts that opted into Digest.
func digestHA1(name, password string) string {
	sum := md5.Sum([]byte(name + ":" + digestRealm + ":" + password))
	return hex.EncodeToString(sum[:])
}
