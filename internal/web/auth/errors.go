package auth

import "errors"

// The errors of Check, Login and Verify besides *ThrottledError. Match them with errors.Is.
var (
	// ErrNoCredentials: the request carried no session cookie that is still valid and no
	// Authorization header.
	ErrNoCredentials = errors.New("auth: no credentials")
	// ErrBadCredentials: a wrong user name or password, or a malformed or unacceptable
	// Authorization header.
	ErrBadCredentials = errors.New("auth: bad credentials")
)

// The errors of SetPassword and DeleteUser that callers may want to tell apart.
var (
	// ErrUnknownUser: no account has that name.
	ErrUnknownUser = errors.New("auth: no such user")
	// ErrLastAdmin: the change would leave no admin account.
	ErrLastAdmin = errors.New("auth: the last admin account cannot be deleted or demoted")
)
