// Package queue is the delivery engine: a FIFO lane per robot (head in memory,
// rest in the store) whose workers pace, digest bursts, retry and dead-letter.
// A message is stored before its webhook is answered; work resumes at start.
package queue

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/store"
	"github.com/coding-relay/coding-relay/translate"
)

// ErrShuttingDown is returned by Enqueue once Close has begun.
var ErrShuttingDown = errors.New("shutting down")

// ErrUnknownRobot is a dead letter whose robot is no longer configured.
var ErrUnknownRobot = errors.New("its robot is no longer configured")

// Sender delivers one message; an error's Retryable/RetryAfter steer retries.
type Sender interface {
	Send(ctx context.Context, m translate.Message, msgUUID string) error
}

var _ Sender = robot.Sender{}

// Lane couples a robot with the client that sends to it.
type Lane struct {
	Robot  robot.Robot
	Sender Sender
	// Rate is the robot's pacing (Config.RateOf).
	Rate robot.Limits
}

// Options tune the delivery engine. Zero values take the defaults.
type Options struct {
	SendTimeout time.Duration // default 5s
	RetryMaxAge time.Duration // default 12h
	// RetryMaxWait caps our own backoff (default 1m), not a service's wait.
	RetryMaxWait time.Duration
	// Render gives the current renderer (reloadable) for digests.
	Render func() *translate.Renderer
	// History, when set, keeps every delivered message for the console.
	History History

	// Set only by tests (export_test.go). resident and memory bound RAM: a
	// robot down for hours costs disk, not RAM (memory.go, lease.go).
	firstWait            time.Duration
	maxDigestItems       int
	resident             int
	memory               int64
	now                  func() time.Time
	leaseTTL, leaseEvery time.Duration
}

func (o Options) withDefaults() Options {
	orDefault(&o.SendTimeout, 5*time.Second)
	orDefault(&o.RetryMaxAge, 12*time.Hour)
	orDefault(&o.RetryMaxWait, time.Minute)
	orDefault(&o.firstWait, 2*time.Second)
	orDefault(&o.maxDigestItems, 100)
	orDefault(&o.resident, 256)
	o.resident = max(o.resident, 2*o.maxDigestItems, 2)
	orDefault(&o.memory, defaultMemory)
	if o.now == nil {
		o.now = time.Now
	}
	if o.leaseTTL <= 0 {
		o.leaseTTL, o.leaseEvery = defaultLeaseTTL, defaultLeaseEvery
	}
	return o
}

func orDefault[T int | int64 | time.Duration](v *T, d T) {
	if *v <= 0 {
		*v = d
	}
}

// Queue is the delivery engine (see the package doc).
type Queue struct {
	store Store
	// shared is store when several replicas share it (nil: a local store).
	shared Shared
	opts   Options
	mem    budget
	log    *zap.Logger
	m      *Metrics
	lanes  map[string]*lane
	// byDest finds lanes by robot fingerprint (see laneFor).
	byDest map[string][]*lane
	// Shared store only: lanes in configuration order, keys, lanes by key.
	order []*lane
	keys  []string
	byKey map[string]*lane
	// stopShared ends lease renewals and the watch; sharedWG waits for them.
	stopShared context.CancelFunc
	sharedWG   sync.WaitGroup

	// healthMu guards writeErr, the last store write's failure (see Ready).
	healthMu sync.Mutex
	writeErr error

	stopping   chan struct{}
	stopOnce   sync.Once
	hard       context.Context
	hardCancel context.CancelFunc
	wg         sync.WaitGroup
}

// New loads pending work into a lane per robot; the queue owns st from now on.
func New(st Store, lanes []Lane, opts Options, log *zap.Logger, m *Metrics) (*Queue, error) {
	opts = opts.withDefaults()
	q := &Queue{store: st, opts: opts, log: log, m: m, lanes: map[string]*lane{}, byDest: map[string][]*lane{}, stopping: make(chan struct{})}
	q.shared, _ = st.(Shared)
	q.mem.limit = opts.memory
	q.mem.avg.Store(2 << 10)
	q.hard, q.hardCancel = context.WithCancel(context.Background())
	robots := make([]robot.Robot, len(lanes))
	for i, l := range lanes {
		robots[i] = l.Robot
	}
	keys := laneKeys(robots)
	q.byKey = map[string]*lane{}
	for _, l := range lanes {
		name, key := l.Robot.Name, keys[l.Robot.Name]
		var hist []int64
		var err error
		if q.shared != nil {
			m.LeaseHeld.WithLabelValues(name).Set(0)
		} else if hist, err = st.Pace(name); err != nil {
			return nil, fmt.Errorf("queue: loading pace of %s: %w", name, err)
		}
		ln := newLane(l, key, newPacer(withGap(l.Rate), hist, q.shared, key), m)
		q.lanes[name] = ln
		q.order, q.keys, q.byKey[key] = append(q.order, ln), append(q.keys, key), ln
		if fp := l.Robot.Fingerprint; fp != "" {
			q.byDest[fp] = append(q.byDest[fp], ln)
		}
	}
	if q.shared != nil {
		return q, nil
	}
	if err := q.recover(); err != nil {
		return nil, err
	}
	return q, nil
}

// Start runs the workers and housekeeping; shared, it also holds leases.
func (q *Queue) Start() {
	if q.shared != nil {
		q.holdLeases()
		q.sweep()
		var ctx context.Context
		ctx, q.stopShared = context.WithCancel(context.Background())
		q.sharedWG.Add(2)
		go q.leases(ctx)
		go q.watch(ctx)
	}
	for _, l := range q.lanes {
		for range l.inflight {
			q.wg.Add(1)
			go q.work(l)
		}
	}
	q.wg.Add(1)
	go q.housekeep()
}

// Accepting reports whether the queue takes new work.
func (q *Queue) Accepting() bool {
	select {
	case <-q.stopping:
		return false
	default:
		return true
	}
}

// Close lets in-flight sends finish until ctx ends and closes the store; the
// rest stays pending, and shared leases are released for a quick takeover.
func (q *Queue) Close(ctx context.Context) error {
	q.stopOnce.Do(func() { close(q.stopping) })
	done := make(chan struct{})
	go func() { q.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		q.hardCancel()
		<-done
	}
	q.hardCancel()
	var err error
	if q.stopShared != nil {
		q.stopShared()
		q.sharedWG.Wait()
		if err = q.shared.Release(q.keys); err != nil {
			err = fmt.Errorf("queue: releasing leases: %w", err)
		}
	}
	return errors.Join(err, q.store.Close())
}

// Enqueue stores items durably and hands them to their robots
// (store.ErrDuplicate when dedup and seen, ErrShuttingDown once closing).
func (q *Queue) Enqueue(delivery string, dedup bool, items []*store.Item) error {
	if !q.Accepting() {
		return ErrShuttingDown
	}
	own(items)
	for _, it := range items {
		l, ok := q.lanes[it.Robot]
		if !ok {
			return fmt.Errorf("queue: enqueue: no robot named %q", it.Robot)
		}
		it.Lane = l.key
	}
	err := q.store.Add(delivery, dedup, q.opts.now(), items, func() {
		// On the store's writer in commit order: keeps arrival order per robot.
		for _, it := range items {
			q.hand(q.lanes[it.Robot], it)
		}
	})
	q.noteWrite(err)
	return err
}

// hand gives a stored item to its lane (shared: its holder reads it).
func (q *Queue) hand(l *lane, it *store.Item) {
	if q.shared != nil {
		q.poke(l)
	} else {
		q.push(l, it)
	}
}
