package commands

import (
	"encoding/json"
	"os"
	"sync"

	"hood/internal/result"
)

// HOOD_CALL_LOG names a file to which hood appends every call it narrates,
// as one JSON object a line, with the PID of the process that made it: what
// the strace test (cmd/hood/strace_test.go) holds the narration to.
var callLog struct {
	once sync.Once
	mu   sync.Mutex
	enc  *json.Encoder
}

func logCalls(calls []result.Syscall) {
	callLog.once.Do(func() {
		path := os.Getenv("HOOD_CALL_LOG")
		if path == "" {
			return
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err == nil {
			callLog.enc = json.NewEncoder(f)
		}
	})
	if callLog.enc == nil {
		return
	}
	callLog.mu.Lock()
	defer callLog.mu.Unlock()
	for _, c := range calls {
		_ = callLog.enc.Encode(c)
	}
}
