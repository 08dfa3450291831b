package queue

import (
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/coding-relay/coding-relay/server/store"
	"github.com/coding-relay/coding-relay/translate"
)

// form takes the next send: on a paced lane what waits at the gap's end
// (see withGap), digested as far as one message holds; else the oldest.
func (q *Queue) form(l *lane, now time.Time) (*group, error) {
	l.mu.Lock()
	// Safe view: only this (sole) worker removes these items.
	backlog := l.items[l.taken:len(l.items):len(l.items)]
	if len(backlog) == 0 {
		l.mu.Unlock()
		return nil, nil // another worker took it since await
	}
	head := backlog[0]
	// A group owns its slice: pop by another worker shifts l.items.
	g := &group{items: []*store.Item{head}, msg: head.Message, uuid: head.UUID, gen: l.gen}
	if !l.pacer.enabled() || len(backlog) < 2 || q.opts.Render == nil {
		l.taken++
		l.mu.Unlock()
		return g.waiting(), nil
	}
	l.mu.Unlock()
	// Render outside the lock, which the store's writer needs for intake.
	d, err := q.digest(l, backlog[:min(len(backlog), q.opts.maxDigestItems)], now)
	if d != nil {
		d.gen = g.gen
		g = d
	}
	l.mu.Lock()
	l.taken += len(g.items)
	l.mu.Unlock()
	return g.waiting(), err
}

// waiting sets g.next to the latest NotBefore a previous replica gave items.
func (g *group) waiting() *group {
	for _, it := range g.items {
		if it.NotBefore.After(g.next) {
			g.next = it.NotBefore
		}
	}
	return g
}

// digest merges the longest prefix that renders as one message, or nil if
// not even two fit. Its UUID derives from the items', stable across retries.
func (q *Queue) digest(l *lane, backlog []*store.Item, now time.Time) (*group, error) {
	msgs := make([]translate.Message, len(backlog))
	at := translate.Times{Arrived: make([]time.Time, len(backlog)), Sent: now}
	for i, it := range backlog {
		msgs[i], at.Arrived[i] = it.Message, it.Created
	}
	// translate finds how many fit in one call, not one render per candidate.
	d, n, err := q.opts.Render().DigestPrefix(l.robot.Endpoint.Target(), msgs, at)
	if err != nil || n < 2 {
		return nil, err
	}
	items := slices.Clone(backlog[:n])
	ids := make([]string, n)
	for i, it := range items {
		ids[i] = it.UUID
	}
	id := uuid.NewSHA1(uuid.NameSpaceOID, []byte(strings.Join(ids, ","))).String()
	q.m.Digests.WithLabelValues(l.robot.Name).Inc()
	q.m.DigestItems.WithLabelValues(l.robot.Name).Add(float64(n))
	return &group{items: items, msg: d, uuid: id}, nil
}
