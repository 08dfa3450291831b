package server

import (
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// maxConns bounds open connections (~20 KiB each): 6,000 idle ones passed the
// chart's 128 MiB. idleTimeout closes idle keep-alives.
const (
	maxConns    = 1024
	idleTimeout = 30 * time.Second
)

// connLimit keeps at most max connections open. At the limit a new one closes
// the longest-idle one, so senders are not stuck behind idle clients; only
// when all are mid-request does it wait (deadlines bound that).
type connLimit struct {
	net.Listener
	max   int
	open  prometheus.Gauge
	freed chan struct{} // a connection ended
	done  chan struct{} // closed with the listener
	once  sync.Once

	mu    sync.Mutex
	conns map[net.Conn]connState
}

// connState is whether a request is under way on a connection, and since.
type connState struct {
	busy  bool
	since time.Time
}

func newConnLimit(ln net.Listener, max int, open prometheus.Gauge) *connLimit {
	return &connLimit{Listener: ln, max: max, open: open, freed: make(chan struct{}, 1), done: make(chan struct{}),
		conns: map[net.Conn]connState{}}
}

// Accept waits for a connection and for room for it.
func (l *connLimit) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	for err == nil {
		l.mu.Lock()
		if len(l.conns) < l.max {
			l.conns[c] = connState{since: time.Now()}
			l.open.Set(float64(len(l.conns)))
			l.mu.Unlock()
			return c, nil
		}
		var idlest net.Conn
		for k, st := range l.conns {
			if !st.busy && (idlest == nil || st.since.Before(l.conns[idlest].since)) {
				idlest = k
			}
		}
		delete(l.conns, idlest)
		l.mu.Unlock()
		if idlest != nil {
			_ = idlest.Close()
			continue
		}
		select {
		case <-l.freed:
		case <-l.done:
			_ = c.Close()
			err = net.ErrClosed
		}
	}
	return nil, err
}

// Close closes the listener and ends a wait for room.
func (l *connLimit) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// state is the http.Server's ConnState hook.
func (l *connLimit) state(c net.Conn, s http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.conns[c]; !ok {
		return // closed to make room
	}
	if s == http.StateActive || s == http.StateIdle {
		l.conns[c] = connState{busy: s == http.StateActive, since: time.Now()}
		return
	}
	if s == http.StateHijacked || s == http.StateClosed {
		delete(l.conns, c)
		l.open.Set(float64(len(l.conns)))
		select {
		case l.freed <- struct{}{}:
		default:
		}
	}
}
