package smb

import _ "github.com/cloudsoda/go-smb2" // placeholder: keeps the dependency until the SMB target lands
