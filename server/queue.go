package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/google/uuid"
	"go.uber.org/zap"

	"github.com/coding-relay/coding-relay/translate"
)

// Sender delivers one wire body to one robot. An error that has a
// Retryable() bool method decides whether the queue tries again; one with a
// RetryAfter() time.Duration sets the least wait before that.
type Sender interface {
	Send(ctx context.Context, body []byte) error
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

	stopping   chan struct{}
	stopOnce   sync.Once
	hard       context.Context
	hardCancel context.CancelFunc
	wg         sync.WaitGroup
}

type lane struct {
	robot  Robot
	sender Sender
	pacer  *pacer

	mu    sync.Mutex
	items []*Item // FIFO; only the worker removes from the head
	wake  chan struct{}

	group *group // the send in progress, kept across retries
}

// group is what one send carries: one item, or a digest of several.
type group struct {
	items []*Item
	msg   translate.Message
	uuid  string
	bo    *backoff.ExponentialBackOff
	next  time.Time
}

// Lane couples a robot with the client that sends to it.
type Lane struct {
	Robot  Robot
	Sender Sender
	// Rate is the robot's pacing (its rate= or RELAY_RATE_LIMIT).
	Rate Rate
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
	if opts.Now == nil {
		opts.Now = time.Now
	}
	q := &Queue{store: store, opts: opts, log: log, m: m, lanes: map[string]*lane{}, stopping: make(chan struct{})}
	q.hard, q.hardCancel = context.WithCancel(context.Background())
	for _, l := range lanes {
		hist, err := store.Pace(l.Robot.Name)
		if err != nil {
			return nil, fmt.Errorf("loading pace of %s: %w", l.Robot.Name, err)
		}
		q.lanes[l.Robot.Name] = &lane{robot: l.Robot, sender: l.Sender, pacer: newPacer(l.Rate, hist), wake: make(chan struct{}, 1)}
	}
	pending, err := store.Pending()
	if err != nil {
		return nil, fmt.Errorf("loading pending deliveries: %w", err)
	}
	orphans := map[string]int{}
	for _, it := range pending {
		if l, ok := q.lanes[it.Robot]; ok {
			l.items = append(l.items, it)
		} else {
			orphans[it.Robot]++
		}
	}
	for name, n := range orphans {
		log.Warn("pending messages for a robot that is no longer configured stay in the store", zap.String("robot", name), zap.Int("messages", n))
	}
	for _, l := range q.lanes {
		q.gauge(l)
		if len(l.items) > 0 {
			log.Info("resuming pending messages", zap.String("robot", l.robot.Name), zap.Int("messages", len(l.items)))
		}
	}
	return q, nil
}

// Start runs a worker per robot and the housekeeping loop.
func (q *Queue) Start() {
	for _, l := range q.lanes {
		q.wg.Add(1)
		go q.work(l)
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
	l.items = append(l.items, it)
	q.gaugeLocked(l)
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

func (q *Queue) gauge(l *lane) {
	l.mu.Lock()
	q.gaugeLocked(l)
	l.mu.Unlock()
}

func (q *Queue) gaugeLocked(l *lane) {
	q.m.QueueDepth.WithLabelValues(l.robot.Name).Set(float64(len(l.items)))
	age := 0.0
	if len(l.items) > 0 {
		age = q.opts.Now().Sub(l.items[0].Created).Seconds()
	}
	q.m.OldestAge.WithLabelValues(l.robot.Name).Set(age)
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

func (q *Queue) work(l *lane) {
	defer q.wg.Done()
	for q.Accepting() {
		if l.group == nil {
			l.mu.Lock()
			n := len(l.items)
			l.mu.Unlock()
			if n == 0 {
				select {
				case <-l.wake:
					continue
				case <-q.stopping:
					return
				}
			}
		}
		now := q.opts.Now()
		if g := l.group; g != nil && g.next.After(now) {
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
		if l.group == nil {
			g, err := q.form(l, now)
			if err != nil {
				// A digest that cannot render must not block the robot:
				// fall back to sending the head message alone.
				q.log.Error("rendering digest", zap.String("robot", l.robot.Name), zap.Error(err))
			}
			l.group = g
		}
		q.send(l, now)
	}
}

// form decides what the next send carries. When the backlog is larger than
// the sends the window still allows, the oldest messages are merged into a
// digest so that everything becomes visible within about one window instead
// of trickling out for minutes.
func (q *Queue) form(l *lane, now time.Time) (*group, error) {
	l.mu.Lock()
	backlog := l.items[:len(l.items):len(l.items)]
	l.mu.Unlock()
	head := backlog[0]
	single := &group{items: backlog[:1], msg: head.Message, uuid: head.UUID}
	free := l.pacer.free(now)
	if !l.pacer.rate.Enabled() || len(backlog) <= free || len(backlog) < 2 || q.opts.Render == nil {
		return single, nil
	}
	// Merge enough of the oldest that the rest fits the free sends.
	want := min(len(backlog)-free+1, q.opts.MaxDigestItems, len(backlog))
	if want < 2 {
		want = 2
	}
	r := q.opts.Render()
	digest := func(n int) ([]translate.Message, error) {
		msgs := make([]translate.Message, n)
		for i, it := range backlog[:n] {
			msgs[i] = it.Message
		}
		return r.Digest(l.robot.Kind, msgs)
	}
	// Largest prefix, up to want, that renders into a single digest.
	lo, hi := 1, want
	var best []translate.Message
	for lo < hi {
		mid := (lo + hi + 1) / 2
		d, err := digest(mid)
		if err != nil {
			return single, err
		}
		if len(d) == 1 {
			lo, best = mid, d
		} else {
			hi = mid - 1
		}
	}
	if lo < 2 || best == nil {
		return single, nil
	}
	items := backlog[:lo]
	ids := make([]string, lo)
	for i, it := range items {
		ids[i] = it.UUID
	}
	id := uuid.NewSHA1(uuid.NameSpaceOID, []byte(strings.Join(ids, ","))).String()
	q.m.Digests.WithLabelValues(l.robot.Name).Inc()
	q.m.DigestItems.WithLabelValues(l.robot.Name).Add(float64(lo))
	return &group{items: items, msg: best[0], uuid: id}, nil
}

func (q *Queue) send(l *lane, now time.Time) {
	g := l.group
	kind := string(l.robot.Kind)
	body, err := WireBody(g.msg, g.uuid, l.robot.Format)
	if err != nil {
		q.bury(l, "permanent", fmt.Errorf("building body: %w", err))
		return
	}
	l.pacer.record(now)
	ctx, cancel := context.WithTimeout(q.hard, q.opts.SendTimeout)
	err = l.sender.Send(ctx, body)
	cancel()
	q.m.SendDuration.WithLabelValues(l.robot.Name, kind).Observe(q.opts.Now().Sub(now).Seconds())
	code := ""
	var ec errCoder
	if errors.As(err, &ec) && ec.ErrCode() != 0 {
		code = strconv.Itoa(ec.ErrCode())
	}
	switch {
	case err == nil:
		q.m.Sends.WithLabelValues(l.robot.Name, kind, "ok", "0").Inc()
		q.store.Done(g.items, l.robot.Name, l.pacer.history(), func(err error) {
			// The message went out but is still stored: it will be sent
			// again after a restart (at-least-once).
			q.log.Error("removing delivered messages from the store", zap.String("robot", l.robot.Name), zap.Error(err))
		})
		q.pop(l, len(g.items))
		q.log.Debug("sent", zap.String("robot", l.robot.Name), zap.Int("messages", len(g.items)))
	case isRetryable(err):
		q.m.Sends.WithLabelValues(l.robot.Name, kind, "retry", code).Inc()
		if q.opts.Now().Sub(g.items[0].Created) > q.opts.RetryMaxAge {
			q.bury(l, "expired", fmt.Errorf("gave up after %s: %w", q.opts.RetryMaxAge, err))
			return
		}
		q.retryLater(l, err)
	default:
		q.m.Sends.WithLabelValues(l.robot.Name, kind, "failed", code).Inc()
		q.bury(l, "permanent", err)
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

func (q *Queue) retryLater(l *lane, cause error) {
	g := l.group
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
	for _, it := range g.items {
		it.Attempts++
		it.LastError = cause.Error()
	}
	q.m.Retries.WithLabelValues(l.robot.Name).Inc()
	if err := q.store.Update(g.items, l.robot.Name, l.pacer.history()); err != nil {
		q.log.Error("recording a failed attempt", zap.String("robot", l.robot.Name), zap.Error(err))
	}
	q.log.Warn("send failed, will retry",
		zap.String("robot", l.robot.Name), zap.Int("messages", len(g.items)),
		zap.Int("attempts", g.items[0].Attempts), zap.Duration("wait", wait), zap.Error(cause))
}

func (q *Queue) bury(l *lane, reason string, cause error) {
	g := l.group
	now := q.opts.Now()
	for _, it := range g.items {
		it.Attempts++
		it.LastError = cause.Error()
		it.DeadAt = now
	}
	if err := q.store.Bury(g.items, l.robot.Name, l.pacer.history()); err != nil {
		q.log.Error("dead-lettering", zap.String("robot", l.robot.Name), zap.Error(err))
	}
	q.m.DeadLetters.WithLabelValues(l.robot.Name, reason).Add(float64(len(g.items)))
	q.log.Error("message dead-lettered",
		zap.String("robot", l.robot.Name), zap.String("reason", reason),
		zap.Int("messages", len(g.items)), zap.String("delivery", g.items[0].Delivery), zap.Error(cause))
	q.pop(l, len(g.items))
}

func (q *Queue) pop(l *lane, n int) {
	l.mu.Lock()
	clear(l.items[:n])
	l.items = l.items[n:]
	if len(l.items) == 0 {
		l.items = nil // let the backing array go
	}
	q.gaugeLocked(l)
	l.mu.Unlock()
	l.group = nil
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

// Pending lists what waits for robots, oldest first.
func (q *Queue) Pending() []Delivery {
	var out []Delivery
	for _, l := range q.lanes {
		l.mu.Lock()
		for _, it := range l.items {
			out = append(out, q.view(it, "pending"))
		}
		l.mu.Unlock()
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out
}

// Dead lists dead letters, oldest first.
func (q *Queue) Dead() ([]Delivery, error) {
	items, err := q.store.Dead()
	if err != nil {
		return nil, err
	}
	out := make([]Delivery, len(items))
	for i, it := range items {
		out[i] = q.view(it, "dead")
	}
	return out, nil
}

// errUnknownRobot is a dead letter whose robot is no longer configured.
var errUnknownRobot = errors.New("its robot is no longer configured")

// Retry moves a dead letter back to the end of its robot's queue.
func (q *Queue) Retry(id uint64) (Delivery, error) {
	var d Delivery
	err := q.store.Revive(id, func(it *Item) error {
		if _, ok := q.lanes[it.Robot]; !ok {
			return errUnknownRobot
		}
		it.Created = q.opts.Now() // a fresh retry budget
		return nil
	}, func(it *Item) {
		d = q.view(it, "pending")
		q.push(q.lanes[it.Robot], it)
	})
	return d, err
}

// WireBody is translate.Body with the robot's message format applied: a
// WeCom robot configured with format=markdown_v2 gets the same content
// under the markdown_v2 type.
func WireBody(m translate.Message, msgUUID, format string) ([]byte, error) {
	body, err := translate.Body(m, msgUUID)
	if err != nil || format != "markdown_v2" || m.Target != translate.WeCom {
		return body, err
	}
	// markdown_v2 has no colours: keep the words, drop the <font> tags.
	content := fontTag.ReplaceAllString(m.Text, "")
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err = enc.Encode(struct {
		MsgType    string `json:"msgtype"`
		MarkdownV2 struct {
			Content string `json:"content"`
		} `json:"markdown_v2"`
	}{MsgType: "markdown_v2", MarkdownV2: struct {
		Content string `json:"content"`
	}{content}})
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), err
}

var fontTag = regexp.MustCompile(`</?font[^>]*>`)
