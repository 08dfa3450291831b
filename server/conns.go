package server

import (
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// maxConns bounds the relay's open connections. Each costs about 20 KiB
// (a goroutine and its buffers): 6,000 left open after one request each
// took the relay past the chart's 128 MiB. Webhook senders open a
// connection per event or keep a few.
const maxConns = 1024

// idleTimeout closes a keep-alive connection left idle this long.
const idleTimeout = 30 * time.Second

// connLimit is a listener that keeps at most max connections open. A
// connection arriving at the limit makes room by closing the one idle the
// longest (a keep-alive between requests, or one that has not sent a
// byte), so that a sender is served instead of waiting behind idle
// clients; only while every connection is in the middle of a request does
// it wait for one to end, which the read and write deadlines bound.
type connLimit struct {
	net.Listener
	max   int
	open  prometheus.Gauge
	freed chan struct{} // a connection ended
	done  chan struct{} // the listener is closed
	once  sync.Once

	mu    sync.Mutex
	conns map[net.Conn]connState
}

// connState is what the limit knows of a connection: whether a request is
// under way on it, and since when it is in that state.
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
	if err != nil {
		return nil, err
	}
	for {
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
			return nil, net.ErrClosed
		}
	}
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
		return // closed to make room, or not accepted here
	}
	switch s {
	case http.StateActive, http.StateIdle:
		l.conns[c] = connState{busy: s == http.StateActive, since: time.Now()}
	case http.StateHijacked, http.StateClosed:
		delete(l.conns, c)
		l.open.Set(float64(len(l.conns)))
		select {
		case l.freed <- struct{}{}:
		default:
		}
	}
}
