package smb

import (
	"errors"

	"github.com/cloudsoda/go-smb2"
)

// NTSTATUS codes the target explains to the user.
const (
	statusLogonFailure   = 0xC000006D
	statusAccessDenied   = 0xC0000022
	statusBadNetworkName = 0xC00000CC
)

// status returns the NTSTATUS of the server's error answer in err, 0 for other errors.
func status(err error) uint32 {
	var re *smb2.ResponseError
	if errors.As(err, &re) {
		return re.Code
	}
	return 0
}
