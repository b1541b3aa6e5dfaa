package box

import "testing"

// The test binary is not set-ID: the Go-side check must let it run.
func TestSetIDRefusalNotSetID(t *testing.T) {
	if why := SetIDRefusal(); why != "" {
		t.Fatalf("refused an ordinary process: %s", why)
	}
}
