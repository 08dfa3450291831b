package console

import (
	"bytes"
	"sync"
	"time"
)

// Bounds of Recent (in memory only): count, one payload, all payloads.
const (
	maxRecent        = 50
	maxRecentPayload = 256 << 10
	maxRecentBytes   = 4 << 20
)

// Payload is one webhook as received, for the playground to render again.
type Payload struct {
	Delivery string    `json:"delivery"`
	Source   string    `json:"source"`
	Event    string    `json:"event"`
	At       time.Time `json:"at"`
	Bytes    int       `json:"bytes"`
	Body     []byte    `json:"-"`
}

// Recent keeps the last payloads within those bounds, newest last, per replica.
type Recent struct {
	mu    sync.Mutex
	list  []Payload
	bytes int
}

// NewRecent is an empty Recent.
func NewRecent() *Recent { return &Recent{} }

// Add keeps a copy of body; a larger one than maxRecentPayload is skipped.
func (r *Recent) Add(delivery, source, event string, at time.Time, body []byte) {
	if r == nil || len(body) > maxRecentPayload {
		return
	}
	p := Payload{Delivery: delivery, Source: source, Event: event, At: at, Bytes: len(body), Body: bytes.Clone(body)}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.list = append(r.list, p)
	r.bytes += len(body)
	for len(r.list) > maxRecent || r.bytes > maxRecentBytes {
		r.bytes -= len(r.list[0].Body)
		r.list[0] = Payload{}
		r.list = r.list[1:]
	}
}

// List is what is kept, newest first, without the bodies.
func (r *Recent) List() []Payload {
	out := []Payload{}
	if r == nil {
		return out
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.list) - 1; i >= 0; i-- {
		p := r.list[i]
		p.Body = nil
		out = append(out, p)
	}
	return out
}

// Get is the newest payload of a delivery.
func (r *Recent) Get(delivery string) (Payload, bool) {
	if r == nil {
		return Payload{}, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.list) - 1; i >= 0; i-- {
		if r.list[i].Delivery == delivery {
			return r.list[i], true
		}
	}
	return Payload{}, false
}
