package ftp

import _ "github.com/jlaffaye/ftp" // placeholder: keeps the dependency until the FTP target lands
