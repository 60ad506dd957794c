package clock

import (
	"testing"
	"time"
)

func TestReadKernel(t *testing.T) {
	k, err := ReadKernel()
	if err != nil {
		t.Fatalf("ReadKernel: %v", err)
	}
	if k.MaxError < 0 || k.MaxError > 17*time.Second {
		t.Errorf("maxerror: got %v, want between 0 and 16 s", k.MaxError)
	}
	if Managed() != k.Managed() {
		t.Errorf("Managed() disagrees with ReadKernel().Managed()")
	}
	t.Logf("this machine: unsync=%v maxerror=%v managed=%v", k.Unsync, k.MaxError, k.Managed())
}
