package server

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/translate"
)

// Sender delivers one message to one robot, building the robot's wire
// body (and signing it) itself. An error that has a Retryable() bool method
// decides whether the queue tries again; one with a RetryAfter()
// time.Duration sets the least wait before that. robot.Sender is the
// production one.
type Sender interface {
	Send(ctx context.Context, m translate.Message, msgUUID string) error
}

type retryable interface{ Retryable() bool }
type retryAfter interface{ RetryAfter() time.Duration }
type errCoder interface{ ErrCode() int }

// QueueOptions tune the delivery engine. Zero values take the defaults.
type QueueOptions struct {
	SendTimeout time.Duration // default 5s
	RetryMaxAge time.Duration // default 12h
	// InitialBackoff and MaxBackoff bound the exponential retry delay
	// (defaults 2s and 5m); jitter is ±50%.
	InitialBackoff, MaxBackoff time.Duration
	// MaxWait caps a wait the service asked for (DingTalk's ten-minute
	// throttle); 0 means no cap. Tests shorten it.
	MaxWait time.Duration
	// MaxDigestItems bounds how many messages one digest merges (default 100).
	MaxDigestItems int
	// Resident is how many of a robot's oldest pending messages are kept in
	// memory (default 256, at least 2×MaxDigestItems). The rest of a backlog
	// stays in the store with only its ID in memory and is read back when
	// its turn comes, so a robot that is down for hours costs disk, not RAM.
	Resident int
	// Render gives the renderer in use now (it changes on template reload);
	// digests are rendered with it.
	Render func() *translate.Renderer
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Queue is the delivery engine: a lane per robot, each a FIFO worker that
// paces, coalesces, retries and dead-letters, all backed by the Store.
type Queue struct {
	store *Store
	opts  QueueOptions
	log   *zap.Logger
	m     *Metrics
	lanes map[string]*lane
	// byDest finds lanes by robot fingerprint (see laneFor).
	byDest map[string][]*lane

	stopping   chan struct{}
	stopOnce   sync.Once
	hard       context.Context
	hardCancel context.CancelFunc
	wg         sync.WaitGroup
}

type lane struct {
	robot  robot.Robot
	sender Sender
	pacer  *pacer // used by the lane's only worker: paced lanes have one
	// inflight is how many sends may be under way at once (robot's
	// inflight=, pacing off only); each has its own worker.
	inflight int

	// The lane's series, looked up once: every send and every new message
	// touches them.
	depth, age prometheus.Gauge
	sentOK     prometheus.Counter
	duration   prometheus.Observer

	mu sync.Mutex
	// items is the head of the FIFO with message bodies in memory; the
	// first taken of them are being sent. spilled is the rest, oldest
	// first, as IDs only: every spilled message is newer than every item.
	items     []*Item
	taken     int
	spilled   []spilled
	refilling bool
	wake      chan struct{}
}

// spilled is a pending message whose body was left in the store.
type spilled struct {
	id      uint64
	created time.Time
}

// group is what one send carries: one item, or a digest of several. It is
// kept by its worker across retries.
type group struct {
	items []*Item
	msg   translate.Message
	uuid  string
	bo    *backoff.ExponentialBackOff
	next  time.Time
}

// Lane couples a robot with the client that sends to it.
type Lane struct {
	Robot  robot.Robot
	Sender Sender
	// Rate is the robot's pacing (Config.RateOf).
	Rate robot.Limits
}

// NewQueue loads pending work from the store into a lane per robot. Items of
// robots no longer configured stay in the store untouched (and are logged)
// so that removing a robot by mistake loses nothing.
func NewQueue(store *Store, lanes []Lane, opts QueueOptions, log *zap.Logger, m *Metrics) (*Queue, error) {
	if opts.SendTimeout <= 0 {
		opts.SendTimeout = 5 * time.Second
	}
	if opts.RetryMaxAge <= 0 {
		opts.RetryMaxAge = 12 * time.Hour
	}
	if opts.InitialBackoff <= 0 {
		opts.InitialBackoff = 2 * time.Second
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 5 * time.Minute
	}
	if opts.MaxDigestItems <= 0 {
		opts.MaxDigestItems = 100
	}
	if opts.Resident <= 0 {
		opts.Resident = 256
	}
	opts.Resident = max(opts.Resident, 2*opts.MaxDigestItems, 2)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	q := &Queue{store: store, opts: opts, log: log, m: m, lanes: map[string]*lane{}, byDest: map[string][]*lane{}, stopping: make(chan struct{})}
	q.hard, q.hardCancel = context.WithCancel(context.Background())
	for _, l := range lanes {
		hist, err := store.Pace(l.Robot.Name)
		if err != nil {
			return nil, fmt.Errorf("loading pace of %s: %w", l.Robot.Name, err)
		}
		inflight := max(l.Robot.Inflight, 1)
		if l.Rate.Enabled() {
			inflight = 1 // LoadConfig rejects inflight= on a paced robot
		}
		name, kind := l.Robot.Name, l.Robot.KindName()
		q.lanes[name] = &lane{robot: l.Robot, sender: l.Sender, pacer: newPacer(l.Rate, hist),
			inflight: inflight, wake: make(chan struct{}, 1),
			depth: m.QueueDepth.WithLabelValues(name), age: m.OldestAge.WithLabelValues(name),
			sentOK: m.Sends.WithLabelValues(name, kind, "ok", "0"), duration: m.SendDuration.WithLabelValues(name, kind)}
		if fp := l.Robot.Fingerprint; fp != "" {
			q.byDest[fp] = append(q.byDest[fp], q.lanes[name])
		}
	}
	orphans := map[string]int{}
	var expired []*Item // orphans past RELAY_RETRY_MAX_AGE
	now := opts.Now()
	err := store.Pending(func(it *Item) error {
		switch l := q.laneFor(it); {
		case l != nil:
			q.add(l, it)
		case now.Sub(it.Created) > opts.RetryMaxAge:
			expired = append(expired, it)
		default:
			orphans[it.Robot]++
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("loading pending deliveries: %w", err)
	}
	for name, n := range orphans {
		log.Warn("pending messages for a robot that is no longer configured stay in the store", zap.String("robot", name), zap.Int("messages", n))
	}
	// A robot removed for longer than messages are retried is gone for
	// good: its messages become dead letters, visible in the admin API and
	// replayable should it come back, instead of waiting unseen forever.
	for _, it := range expired {
		it.LastError = fmt.Sprintf("its robot is no longer configured in RELAY_ROBOTS (and the message is older than RELAY_RETRY_MAX_AGE, %s)", opts.RetryMaxAge)
		it.DeadAt = now
		m.DeadLetters.WithLabelValues(it.Robot, "orphaned").Inc()
	}
	for batch := range slices.Chunk(expired, 1000) { // one commit per thousand
		if err := store.Bury(batch, "", nil); err != nil {
			return nil, fmt.Errorf("dead-lettering messages of removed robots: %w", err)
		}
	}
	if len(expired) > 0 {
		log.Warn("messages of robots no longer configured, older than RELAY_RETRY_MAX_AGE, were dead-lettered", zap.Int("messages", len(expired)))
	}
	for _, l := range q.lanes {
		q.gauge(l)
		if n := len(l.items) + len(l.spilled); n > 0 {
			log.Info("resuming pending messages", zap.String("robot", l.robot.Name), zap.Int("messages", n))
		}
	}
	return q, nil
}

// laneFor finds the lane of a stored item. Default robot names are
// positions (dingtalk-1, dingtalk-2), so after a robot is removed another
// one may carry its old name: an item goes by name when the robot of that
// name has the item's credential fingerprint or a name chosen with name=
// (a chosen name survives a token change), else to the one robot that has
// the fingerprint (a rename), else nowhere (it stays stored). Items stored
// before fingerprints existed go by name.
func (q *Queue) laneFor(it *Item) *lane {
	l := q.lanes[it.Robot]
	if it.Dest == "" || (l != nil && (l.robot.Fingerprint == it.Dest || l.robot.Named)) {
		return l
	}
	if ls := q.byDest[it.Dest]; len(ls) == 1 {
		it.Robot = ls[0].robot.Name
		return ls[0]
	}
	return nil
}

// Start runs the workers of every robot and the housekeeping loop.
func (q *Queue) Start() {
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

// Close stops starting sends, lets in-flight sends finish until ctx is done
// (then aborts them), and closes the store. What is left stays pending.
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
	return q.store.Close()
}

// Enqueue stores items durably and hands them to their robots. It returns
// ErrDuplicate when dedup is set and the delivery was already accepted.
func (q *Queue) Enqueue(delivery string, dedup bool, items []*Item) error {
	if !q.Accepting() {
		return errShuttingDown
	}
	for _, it := range items {
		if _, ok := q.lanes[it.Robot]; !ok {
			return fmt.Errorf("no robot named %q", it.Robot)
		}
	}
	return q.store.Add(delivery, dedup, q.opts.Now(), items, func() {
		// Runs on the store's writer in commit order, which keeps each
		// robot's queue in arrival order across concurrent webhooks.
		for _, it := range items {
			q.push(q.lanes[it.Robot], it)
		}
	})
}

var errShuttingDown = errors.New("shutting down")

func (q *Queue) push(l *lane, it *Item) {
	l.mu.Lock()
	q.add(l, it)
	q.gaugeLocked(l)
	l.mu.Unlock()
	signal(l.wake)
}

// add appends to the lane's FIFO: in memory while the resident part has
// room and nothing is spilled (order), as an ID otherwise.
func (q *Queue) add(l *lane, it *Item) {
	if len(l.spilled) == 0 && len(l.items) < q.opts.Resident {
		l.items = append(l.items, it)
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

// refill reads spilled messages back from the store once the messages
// waiting in memory have drained to half of Resident. Only one worker
// refills at a time; pushes meanwhile keep spilling, which keeps the order.
func (q *Queue) refill(l *lane) {
	l.mu.Lock()
	// Messages being sent do not count: with inflight= they could fill the
	// resident part and leave nothing to take.
	waiting := len(l.items) - l.taken
	if l.refilling || len(l.spilled) == 0 || waiting > q.opts.Resident/2 {
		l.mu.Unlock()
		return
	}
	n := min(q.opts.Resident-waiting, len(l.spilled))
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
	if err != nil {
		// The messages stay spilled; the next turn tries again.
		q.log.Error("reading queued messages back from the store", zap.String("robot", l.robot.Name), zap.Error(err))
		return
	}
	for i, it := range loaded {
		if it == nil {
			// Only this lane removes its messages, and only resident ones.
			q.log.Error("a queued message is missing from the store or unreadable; skipped", zap.String("robot", l.robot.Name), zap.Uint64("id", ids[i]))
			continue
		}
		l.items = append(l.items, it)
	}
	l.spilled = l.spilled[n:]
	if len(l.spilled) == 0 {
		l.spilled = nil // let the backing array go
	}
}

func (q *Queue) gauge(l *lane) {
	l.mu.Lock()
	q.gaugeLocked(l)
	l.mu.Unlock()
}

func (q *Queue) gaugeLocked(l *lane) {
	l.depth.Set(float64(len(l.items) + len(l.spilled)))
	age := 0.0
	switch {
	case len(l.items) > 0:
		age = q.opts.Now().Sub(l.items[0].Created).Seconds()
	case len(l.spilled) > 0:
		age = q.opts.Now().Sub(l.spilled[0].created).Seconds()
	}
	l.age.Set(age)
}

func (q *Queue) housekeep() {
	defer q.wg.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	sweep := time.Time{}
	for {
		select {
		case <-q.stopping:
			return
		case now := <-t.C:
			for _, l := range q.lanes {
				q.gauge(l)
			}
			if now.Sub(sweep) > 10*time.Minute {
				sweep = now
				if n, err := q.store.Expire(q.opts.Now().Add(-DedupWindow)); err != nil {
					q.log.Error("expiring delivery ids", zap.Error(err))
				} else if n > 0 {
					q.log.Debug("expired delivery ids", zap.Int("count", n))
				}
			}
		}
	}
}

// DedupWindow is how long a delivery ID is remembered.
const DedupWindow = 24 * time.Hour

// sleep waits d, or returns false when the queue is stopping.
func (q *Queue) sleep(d time.Duration) bool {
	if d <= 0 {
		return q.Accepting()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-q.stopping:
		return false
	}
}

// work is one worker of a lane. A paced lane has one, so its messages go
// out strictly in order; a lane with inflight=N has N, each sending the
// oldest message nobody is sending yet.
func (q *Queue) work(l *lane) {
	defer q.wg.Done()
	var g *group // the send in progress, kept across its retries
	for q.Accepting() {
		if g == nil && (!q.await(l) || !q.Accepting()) {
			return
		}
		now := q.opts.Now()
		if g != nil && g.next.After(now) {
			if !q.sleep(g.next.Sub(now)) {
				return
			}
			continue
		}
		if t := l.pacer.next(now); t.After(now) {
			q.m.ThrottleWaits.WithLabelValues(l.robot.Name).Inc()
			if !q.sleep(t.Sub(now)) {
				return
			}
			continue
		}
		if g == nil {
			var err error
			if g, err = q.form(l, now); err != nil {
				// A digest that cannot render must not block the robot:
				// form fell back to sending the head message alone.
				q.log.Error("rendering digest", zap.String("robot", l.robot.Name), zap.Error(err))
			}
			if g == nil {
				continue
			}
		}
		if q.send(l, g, now) {
			g = nil
		}
	}
}

// await blocks until the lane has a message no worker is sending, reading
// spilled ones back as needed. It returns false when the queue stops.
func (q *Queue) await(l *lane) bool {
	for {
		q.refill(l)
		l.mu.Lock()
		untaken := len(l.items) - l.taken
		more := len(l.spilled) > 0 && !l.refilling
		l.mu.Unlock()
		if untaken > 1 && l.inflight > 1 {
			signal(l.wake) // pushes wake one worker; pass it on
		}
		if untaken > 0 {
			return true
		}
		if more {
			// A failed read back: give the store a moment.
			if !q.sleep(100 * time.Millisecond) {
				return false
			}
			continue
		}
		select {
		case <-l.wake:
		case <-q.stopping:
			return false
		}
	}
}

// form takes what the next send carries. When the backlog is larger than
// the sends the window still allows, the oldest messages are merged into a
// digest so that everything becomes visible within about one window instead
// of trickling out for minutes.
func (q *Queue) form(l *lane, now time.Time) (*group, error) {
	l.mu.Lock()
	// A view that appends cannot change; the items in it leave the lane
	// only through this worker (coalescing lanes have one).
	backlog := l.items[l.taken:len(l.items):len(l.items)]
	if len(backlog) == 0 {
		l.mu.Unlock()
		return nil, nil // another worker took it since await
	}
	pending := len(backlog) + len(l.spilled)
	head := backlog[0]
	// A group owns its slice: pop by another worker shifts l.items.
	g := &group{items: []*Item{head}, msg: head.Message, uuid: head.UUID}
	free := l.pacer.free(now)
	if !l.pacer.enabled() || pending <= free || len(backlog) < 2 || q.opts.Render == nil {
		l.taken++
		l.mu.Unlock()
		return g, nil
	}
	l.mu.Unlock()
	// Rendering digests takes a while: not under the lock, which the store's
	// writer takes to hand over every new message.
	want := max(min(pending-free+1, q.opts.MaxDigestItems, len(backlog)), 2)
	d, err := q.digest(l, backlog[:want])
	if d != nil {
		g = d
	}
	l.mu.Lock()
	l.taken += len(g.items)
	l.mu.Unlock()
	return g, err
}

// digest merges the largest prefix of backlog that renders into a single
// message, or returns nil when not even two fit.
func (q *Queue) digest(l *lane, backlog []*Item) (*group, error) {
	r := q.opts.Render()
	render := func(n int) ([]translate.Message, error) {
		msgs := make([]translate.Message, n)
		for i, it := range backlog[:n] {
			msgs[i] = it.Message
		}
		return r.Digest(l.robot.Endpoint.Target(), msgs)
	}
	lo, hi := 1, len(backlog)
	var best []translate.Message
	for lo < hi {
		mid := (lo + hi + 1) / 2
		d, err := render(mid)
		if err != nil {
			return nil, err
		}
		if len(d) == 1 {
			lo, best = mid, d
		} else {
			hi = mid - 1
		}
	}
	if lo < 2 || best == nil {
		return nil, nil
	}
	items := slices.Clone(backlog[:lo])
	ids := make([]string, lo)
	for i, it := range items {
		ids[i] = it.UUID
	}
	id := uuid.NewSHA1(uuid.NameSpaceOID, []byte(strings.Join(ids, ","))).String()
	q.m.Digests.WithLabelValues(l.robot.Name).Inc()
	q.m.DigestItems.WithLabelValues(l.robot.Name).Add(float64(lo))
	return &group{items: items, msg: best[0], uuid: id}, nil
}

// send makes one attempt and reports whether the group is finished with
// (delivered or dead-lettered) rather than waiting for a retry.
func (q *Queue) send(l *lane, g *group, now time.Time) bool {
	kind := l.robot.KindName()
	l.pacer.record(now)
	ctx, cancel := context.WithTimeout(q.hard, q.opts.SendTimeout)
	err := l.sender.Send(ctx, g.msg, g.uuid)
	cancel()
	l.duration.Observe(q.opts.Now().Sub(now).Seconds())
	code := ""
	var ec errCoder
	if errors.As(err, &ec) && ec.ErrCode() != 0 {
		code = strconv.Itoa(ec.ErrCode())
	}
	switch {
	case err == nil:
		l.sentOK.Inc()
		q.store.Done(g.items, l.robot.Name, l.pacer.history(), func(err error) {
			// The message went out but is still stored: it will be sent
			// again after a restart (at-least-once).
			q.log.Error("removing delivered messages from the store", zap.String("robot", l.robot.Name), zap.Error(err))
		})
		q.log.Debug("sent", zap.String("robot", l.robot.Name), zap.Int("messages", len(g.items)))
		q.pop(l, g)
		return true
	case isRetryable(err):
		q.m.Sends.WithLabelValues(l.robot.Name, kind, "retry", code).Inc()
		if q.opts.Now().Sub(g.items[0].Created) > q.opts.RetryMaxAge {
			q.bury(l, g, "expired", fmt.Errorf("gave up after %s: %w", q.opts.RetryMaxAge, err))
			return true
		}
		q.retryLater(l, g, err)
		return false
	default:
		q.m.Sends.WithLabelValues(l.robot.Name, kind, "failed", code).Inc()
		q.bury(l, g, "permanent", err)
		return true
	}
}

func isRetryable(err error) bool {
	var r retryable
	if errors.As(err, &r) {
		return r.Retryable()
	}
	// An unclassified error (a Sender that does not know better) is treated
	// as transient: losing a message is worse than one more attempt.
	return true
}

func (q *Queue) retryLater(l *lane, g *group, cause error) {
	if g.bo == nil {
		g.bo = &backoff.ExponentialBackOff{
			InitialInterval:     q.opts.InitialBackoff,
			RandomizationFactor: 0.5,
			Multiplier:          2,
			MaxInterval:         q.opts.MaxBackoff,
		}
		g.bo.Reset()
	}
	wait := g.bo.NextBackOff()
	var ra retryAfter
	if errors.As(cause, &ra) && ra.RetryAfter() > wait {
		wait = ra.RetryAfter()
	}
	if q.opts.MaxWait > 0 && wait > q.opts.MaxWait {
		wait = q.opts.MaxWait
	}
	g.next = q.opts.Now().Add(wait)
	l.mu.Lock() // the admin listing reads these
	for _, it := range g.items {
		it.Attempts++
		it.LastError = cause.Error()
	}
	l.mu.Unlock()
	q.m.Retries.WithLabelValues(l.robot.Name).Inc()
	if err := q.store.Update(g.items, l.robot.Name, l.pacer.history()); err != nil {
		q.log.Error("recording a failed attempt", zap.String("robot", l.robot.Name), zap.Error(err))
	}
	q.log.Warn("send failed, will retry",
		zap.String("robot", l.robot.Name), zap.Int("messages", len(g.items)),
		zap.Int("attempts", g.items[0].Attempts), zap.Duration("wait", wait), zap.Error(cause))
}

func (q *Queue) bury(l *lane, g *group, reason string, cause error) {
	now := q.opts.Now()
	l.mu.Lock() // the admin listing reads these
	for _, it := range g.items {
		it.Attempts++
		it.LastError = cause.Error()
		it.DeadAt = now
	}
	l.mu.Unlock()
	if err := q.store.Bury(g.items, l.robot.Name, l.pacer.history()); err != nil {
		q.log.Error("dead-lettering", zap.String("robot", l.robot.Name), zap.Error(err))
	}
	q.m.DeadLetters.WithLabelValues(l.robot.Name, reason).Add(float64(len(g.items)))
	q.log.Error("message dead-lettered",
		zap.String("robot", l.robot.Name), zap.String("reason", reason),
		zap.Int("messages", len(g.items)), zap.String("delivery", g.items[0].Delivery), zap.Error(cause))
	q.pop(l, g)
}

// pop removes a finished group's items from the lane. With one worker they
// are the head; with several they may sit anywhere among the taken ones.
func (q *Queue) pop(l *lane, g *group) {
	l.mu.Lock()
	defer l.mu.Unlock()
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
	if len(l.items) == 0 {
		l.items = nil // let the backing array go
	}
	q.gaugeLocked(l)
}

// Delivery is an item as the admin API shows it: no URL, no message body.
type Delivery struct {
	ID        string    `json:"id"`
	Status    string    `json:"status"`
	Robot     string    `json:"robot"`
	Delivery  string    `json:"delivery"`
	Event     string    `json:"event"`
	Action    string    `json:"action,omitempty"`
	Title     string    `json:"title"`
	Attempts  int       `json:"attempts"`
	LastError string    `json:"last_error,omitempty"`
	Created   time.Time `json:"created"`
	AgeSecond float64   `json:"age_seconds"`
	DeadAt    time.Time `json:"dead_at,omitzero"`
}

func (q *Queue) view(it *Item, status string) Delivery {
	return Delivery{
		ID: strconv.FormatUint(it.ID, 10), Status: status, Robot: it.Robot, Delivery: it.Delivery,
		Event: it.Event, Action: it.Action, Title: it.Message.Title, Attempts: it.Attempts,
		LastError: it.LastError, Created: it.Created, AgeSecond: q.opts.Now().Sub(it.Created).Seconds(), DeadAt: it.DeadAt,
	}
}

// Depth is how many messages wait for robots.
func (q *Queue) Depth() int {
	n := 0
	for _, l := range q.lanes {
		l.mu.Lock()
		n += len(l.items) + len(l.spilled)
		l.mu.Unlock()
	}
	return n
}

// Pending lists up to limit of what waits for robots, oldest first, and
// how many wait in all. Each lane is in arrival order, so only the first
// limit of each are looked at, and spilled messages are read from the store
// only when they make the list: the lanes' locks, which intake needs too,
// are held for a bounded copy whatever the backlog.
func (q *Queue) Pending(limit int) ([]Delivery, int, error) {
	type entry struct {
		id      uint64
		created time.Time
		view    *Delivery // nil when spilled
	}
	var all []entry
	total := 0
	for _, l := range q.lanes {
		l.mu.Lock()
		total += len(l.items) + len(l.spilled)
		n := 0
		for _, it := range l.items {
			if n == limit {
				break
			}
			v := q.view(it, "pending")
			all = append(all, entry{it.ID, it.Created, &v})
			n++
		}
		for _, sp := range l.spilled {
			if n == limit {
				break
			}
			all = append(all, entry{sp.id, sp.created, nil})
			n++
		}
		l.mu.Unlock()
	}
	sort.Slice(all, func(i, j int) bool {
		if !all[i].created.Equal(all[j].created) {
			return all[i].created.Before(all[j].created)
		}
		return all[i].id < all[j].id
	})
	all = all[:min(limit, len(all))]
	var ids []uint64
	for _, e := range all {
		if e.view == nil {
			ids = append(ids, e.id)
		}
	}
	loaded, err := q.store.Load(ids)
	if err != nil {
		return nil, 0, err
	}
	out := make([]Delivery, 0, len(all))
	for _, e := range all {
		if e.view != nil {
			out = append(out, *e.view)
			continue
		}
		it := loaded[0]
		loaded = loaded[1:]
		if it != nil { // else delivered meanwhile
			out = append(out, q.view(it, "pending"))
		}
	}
	return out, total, nil
}

// Dead lists up to limit dead letters, oldest first, and how many there
// are in all: a robot broken for days may leave tens of thousands.
func (q *Queue) Dead(limit int) ([]Delivery, int, error) {
	items, total, err := q.store.Dead(limit)
	if err != nil {
		return nil, 0, err
	}
	out := make([]Delivery, len(items))
	for i, it := range items {
		out[i] = q.view(it, "dead")
	}
	return out, total, nil
}

// errUnknownRobot is a dead letter whose robot is no longer configured.
var errUnknownRobot = errors.New("its robot is no longer configured")

// Retry moves a dead letter back to the end of its robot's queue.
func (q *Queue) Retry(id uint64) (Delivery, error) {
	var d Delivery
	err := q.store.Revive(id, func(it *Item) error {
		if q.laneFor(it) == nil {
			return errUnknownRobot
		}
		it.Created = q.opts.Now() // a fresh retry budget
		return nil
	}, func(it *Item) {
		d = q.view(it, "pending")
		q.push(q.laneFor(it), it)
	})
	return d, err
}
