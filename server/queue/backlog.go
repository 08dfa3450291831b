package queue

import (
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/store"
)

// lane is one robot's FIFO and what its workers need to send to it.
type lane struct {
	robot  robot.Robot
	sender Sender
	key    string
	pacer  *pacer // used by the lane's only worker: paced lanes have one
	// inflight is the robot's inflight= (pacing off only): one worker each.
	inflight int

	// The lane's series, looked up once: they are on the hot path.
	depth, age prometheus.Gauge
	sentOK     prometheus.Counter
	duration   prometheus.Observer
	stats      laneStats

	mu sync.Mutex
	// items is the in-memory FIFO head (the first taken are being sent);
	// spilled the rest as IDs, all newer than every item.
	items []*store.Item
	taken int
	// settled: taken items decided but not popped (not shown as waiting).
	settled   int
	spilled   []spilled
	refilling bool
	wake      chan struct{}
	// ahead: the last send succeeded, so read ahead (see memory.go).
	ahead bool

	// Shared store only: the backlog after items, and the lease (lease.go).
	tail tail
	// heldUntil ends the lease (zero: none); gen is the leaseGen read under.
	heldUntil     time.Time
	leaseGen, gen uint64
}

// tail is a shared lane's backlog after memory: cursor the last ID read,
// rest how many followed then, stale when more may have been added.
type tail struct {
	cursor uint64
	rest   int
	stale  bool
	failed bool // the last read failed: wait before the next
}

// spilled is a pending message whose body was left in the store.
type spilled struct {
	id      uint64
	created time.Time
}

func newLane(l Lane, key string, p *pacer, m *Metrics) *lane {
	inflight := max(l.Robot.Inflight, 1)
	if l.Rate.Enabled() {
		inflight = 1 // LoadConfig rejects inflight= on a paced robot
	}
	name, kind := l.Robot.Name, l.Robot.KindName()
	return &lane{robot: l.Robot, sender: l.Sender, key: key, pacer: p,
		inflight: inflight, wake: make(chan struct{}, 1), tail: tail{stale: true},
		depth: m.QueueDepth.WithLabelValues(name), age: m.OldestAge.WithLabelValues(name),
		sentOK: m.Sends.WithLabelValues(name, kind, "ok", "0"), duration: m.SendDuration.WithLabelValues(name, kind)}
}

func (q *Queue) push(l *lane, it *store.Item) {
	l.mu.Lock()
	q.add(l, it)
	q.gaugeLocked(l)
	l.mu.Unlock()
	signal(l.wake)
}

// add appends to the FIFO: in memory while nothing is spilled (order) and
// resident and the budget have room, else as an ID.
func (q *Queue) add(l *lane, it *store.Item) {
	if len(l.spilled) == 0 && len(l.items) < q.opts.resident && (l.ahead || len(l.items) == l.taken) && q.hold(l, it, false) {
		return
	}
	l.spilled = append(l.spilled, spilled{id: it.ID, created: it.Created})
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// beyond is how many messages wait after those in memory.
func (l *lane) beyond() int {
	if len(l.spilled) > 0 {
		return len(l.spilled)
	}
	return l.tail.rest
}

// refill reads spilled messages back once memory drains to half of
// resident; one worker at a time, pushes meanwhile spill, keeping order.
func (q *Queue) refill(l *lane) {
	if q.shared != nil {
		q.refillShared(l)
		return
	}
	l.mu.Lock()
	// Taken messages do not count: with inflight= they could fill resident.
	n, reserved := q.wants(l, len(l.spilled))
	if n == 0 {
		l.mu.Unlock()
		return
	}
	ids := make([]uint64, n)
	for i, sp := range l.spilled[:n] {
		ids[i] = sp.id
	}
	l.refilling = true
	l.mu.Unlock()

	loaded, err := q.store.Load(ids)

	l.mu.Lock()
	defer l.mu.Unlock()
	l.refilling = false
	q.mem.used.Add(-reserved)
	if err != nil {
		q.log.Error("reading queued messages back from the store", zap.String("robot", l.robot.Name), zap.Error(err))
		return
	}
	for i, it := range loaded {
		if it == nil {
			// Only this lane removes its messages, and only resident ones.
			q.log.Error("a queued message is missing from the store or unreadable; skipped", zap.String("robot", l.robot.Name), zap.Uint64("id", ids[i]))
			continue
		}
		q.hold(l, it, true)
	}
	l.spilled = l.spilled[n:]
	if len(l.spilled) == 0 {
		l.spilled = nil // let the backing array go
	}
}

// wants is a refill's count and reserved bytes: none above half of resident
// or mid-refill, else up to resident in budget (≥1; 1 unless ahead); l.mu.
func (q *Queue) wants(l *lane, available int) (int, int64) {
	waiting, limit := len(l.items)-l.taken, q.opts.resident
	if !l.ahead {
		limit = 1
	}
	if l.refilling || available == 0 || waiting > limit/2 {
		return 0, 0
	}
	return q.mem.reserve(min(limit-waiting, available), waiting == 0)
}

// pop removes a finished group's items: the head with one worker, anywhere
// among the taken with several, absent if a lease change dropped memory.
func (q *Queue) pop(l *lane, g *group) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if g.gen != l.gen {
		return
	}
	q.release(g.items)
	n := len(g.items)
	if n <= len(l.items) && l.items[0] == g.items[0] && l.items[n-1] == g.items[n-1] {
		clear(l.items[:n])
		l.items = l.items[n:]
	} else {
		for _, it := range g.items {
			if i := slices.Index(l.items[:l.taken], it); i >= 0 {
				l.items = slices.Delete(l.items, i, i+1)
			}
		}
	}
	l.taken -= n
	l.settled = max(0, l.settled-n)
	if len(l.items) == 0 {
		l.items = nil // let the backing array go
	}
	q.gaugeLocked(l)
}

// settleLocked marks a group decided before the store write; l.mu is held.
func settleLocked(l *lane, g *group) {
	if g.gen == l.gen {
		l.settled += len(g.items)
	}
}

func (q *Queue) gauge(l *lane) {
	l.mu.Lock()
	q.gaugeLocked(l)
	l.mu.Unlock()
}

func (q *Queue) gaugeLocked(l *lane) {
	l.depth.Set(float64(len(l.items) + l.beyond()))
	age := 0.0
	switch {
	case len(l.items) > 0:
		age = q.opts.now().Sub(l.items[0].Created).Seconds()
	case len(l.spilled) > 0:
		age = q.opts.now().Sub(l.spilled[0].created).Seconds()
	}
	l.age.Set(age)
}
