package cast

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Header is the first line of a cast: the terminal's size when the
// recording began, and what it was.
type Header struct {
	Version   int               `json:"version"`
	Width     int               `json:"width"`
	Height    int               `json:"height"`
	Timestamp int64             `json:"timestamp,omitempty"`
	Title     string            `json:"title,omitempty"`
	Env       map[string]string `json:"env,omitempty"`
}

// Writer writes a cast's events as they happen. Its methods may be called
// from several goroutines; times never go backwards.
type Writer struct {
	mu      sync.Mutex
	w       io.Writer
	elapsed func() time.Duration
	last    float64
	partial []byte // the start of a UTF-8 character a read cut in two
	err     error
}

// NewWriter writes h (Version 2 whatever it says) to w and returns the
// Writer for the events, timed from now.
func NewWriter(w io.Writer, h Header) (*Writer, error) {
	start := time.Now()
	return newWriter(w, h, func() time.Duration { return time.Since(start) })
}

func newWriter(w io.Writer, h Header, elapsed func() time.Duration) (*Writer, error) {
	h.Version = 2
	line, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(append(line, '\n')); err != nil {
		return nil, err
	}
	return &Writer{w: w, elapsed: elapsed}, nil
}

// Output records p as shown on the terminal now.
func (c *Writer) Output(p []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	data := append(c.partial, p...)
	cut := completeUpTo(data)
	c.partial = append([]byte(nil), data[cut:]...)
	if cut > 0 {
		c.event("o", string(data[:cut]))
	}
}

// Marker records a marker labelled label here, after all output so far (a
// character left cut in two goes out first, replaced).
func (c *Writer) Marker(label string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.flushPartial()
	c.event("m", label)
}

// Resize records that the terminal is now cols wide and rows high.
func (c *Writer) Resize(cols, rows int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.event("r", fmt.Sprintf("%dx%d", cols, rows))
}

// Close writes what is left of a cut character and returns the first
// error a write met.
func (c *Writer) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.flushPartial()
	return c.err
}

func (c *Writer) flushPartial() {
	if len(c.partial) > 0 {
		c.event("o", string(c.partial))
		c.partial = nil
	}
}

// event writes one event line; a failed write is kept for Close.
func (c *Writer) event(code, data string) {
	t := c.elapsed().Seconds()
	if t < c.last {
		t = c.last
	}
	c.last = t
	var b bytes.Buffer
	fmt.Fprintf(&b, "[%.6f, %q, ", t, code)
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(strings.ToValidUTF8(data, "\uFFFD")) // a string always encodes
	b.Truncate(b.Len() - 1)                             // Encode's newline
	b.WriteString("]\n")
	if _, err := c.w.Write(b.Bytes()); err != nil && c.err == nil {
		c.err = err
	}
}

// completeUpTo is how much of p ends on a character boundary: all of it,
// unless its last bytes begin a UTF-8 character that the next read will
// finish.
func completeUpTo(p []byte) int {
	for i := len(p) - 1; i >= 0 && i >= len(p)-utf8.UTFMax+1; i-- {
		if utf8.RuneStart(p[i]) {
			if !utf8.FullRune(p[i:]) {
				return i
			}
			break
		}
	}
	return len(p)
}
