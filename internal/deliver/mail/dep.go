package mail

import (
	_ "github.com/emersion/go-smtp" // placeholder: the tests' SMTP server
	_ "github.com/wneessen/go-mail" // placeholder: keeps the dependency until the mail target lands
)
