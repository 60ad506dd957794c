package auth

import _ "golang.org/x/crypto/argon2"
