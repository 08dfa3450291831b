package server

import (
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// maxConns bounds the open connections, about 20 KiB each: 6,000 left open
// after one request each took the relay past the chart's 128 MiB.
// idleTimeout closes a keep-alive connection left idle that long.
const (
	maxConns    = 1024
	idleTimeout = 30 * time.Second
)

// connLimit is a listener that keeps at most max connections open. One
// arriving at the limit closes the connection idle the longest (between
// requests, or not a byte sent yet), so that a sender is served rather
// than wait behind idle clients; only while every connection is in the
// middle of a request does it wait for one to end (the deadlines bound it).
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
