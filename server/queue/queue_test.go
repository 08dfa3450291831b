package queue_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/coding-relay/coding-relay/server/queue"
	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/robot/dingtalk"
	"github.com/coding-relay/coding-relay/server/robot/feishu"
	"github.com/coding-relay/coding-relay/server/robot/wecom"
	"github.com/coding-relay/coding-relay/server/store"
	"github.com/coding-relay/coding-relay/templates"
	"github.com/coding-relay/coding-relay/translate"
)

// testLane builds a lane for a fake robot of the given kind.
func testLane(tb testing.TB, name string, kind robot.Kind, f *fakeRobot, rate robot.Limits) queue.Lane {
	tb.Helper()
	var ep robot.Endpoint
	switch kind.(type) {
	case dingtalk.Kind:
		ep = dingtalk.New(mustURL(tb, f.URL+"/robot/send?access_token=tok-"+name), "")
	default:
		ep = wecom.New(mustURL(tb, f.URL+"/cgi-bin/webhook/send?key=key-"+name), wecom.FormatMarkdown)
	}
	return queue.Lane{Robot: robot.Robot{Name: name, Kind: kind, Endpoint: ep}, Rate: rate, Sender: robot.Sender{Endpoint: ep, Client: f.Client()}}
}

func mustURL(tb testing.TB, raw string) *url.URL {
	tb.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

type queueEnv struct {
	dir     string
	lanes   []queue.Lane
	opts    queue.Options
	store   *store.Store
	queue   *queue.Queue
	metrics *queue.Metrics
	reg     *prometheus.Registry
	log     *zap.Logger // nil: the test's own
	history bool        // keep delivered messages in the store
}

// open opens the store in env.dir and a queue over it; start runs workers.
func (e *queueEnv) open(tb testing.TB, start bool) {
	tb.Helper()
	st, err := store.Open(e.dir, store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	e.reg = prometheus.NewRegistry()
	e.metrics = queue.NewMetrics(e.reg)
	log := e.log
	switch _, bench := tb.(*testing.B); {
	case log != nil:
	case bench:
		log = zap.NewNop() // a debug line per send would be the benchmark
	default:
		log = zaptest.NewLogger(tb)
	}
	opts := e.opts
	if e.history {
		opts.History = st
	}
	q, err := queue.New(st, e.lanes, opts, log, e.metrics)
	if err != nil {
		tb.Fatal(err)
	}
	e.store, e.queue = st, q
	if start {
		q.Start()
	}
}

func (e *queueEnv) close(tb testing.TB) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.queue.Close(ctx); err != nil {
		tb.Fatal(err)
	}
}

func testRenderer(tb testing.TB) *translate.Renderer {
	tb.Helper()
	r, err := translate.New(templates.FS, nil, translate.Options{Dialects: robot.Dialects([]robot.Kind{dingtalk.Kind{}, wecom.Kind{}, feishu.Kind{}})})
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

func msg(kind translate.Target, i int) translate.Message {
	title := fmt.Sprintf("event %d", i)
	return translate.Message{
		Target: kind, Event: "push", Title: title,
		Text:    fmt.Sprintf("### %s\n\n[details](https://e.coding.net/p/x/%d)", title, i),
		Summary: fmt.Sprintf("[%s](https://e.coding.net/p/x/%d)", title, i),
		Link:    fmt.Sprintf("https://e.coding.net/p/x/%d", i),
	}
}

func enqueue(tb testing.TB, q *queue.Queue, robot string, kind translate.Target, from, to int) {
	tb.Helper()
	for i := from; i < to; i++ {
		it := &store.Item{Robot: robot, Delivery: fmt.Sprintf("d-%d", i), Event: "push", Message: msg(kind, i), Created: time.Now(), UUID: fmt.Sprintf("uuid-%d", i)}
		if err := q.Enqueue(it.Delivery, true, []*store.Item{it}); err != nil {
			tb.Fatal(err)
		}
	}
}

// titles lists the event numbers a robot showed, in order.
func titles(got []received) []string {
	var out []string
	for _, r := range got {
		md, _ := r.Body["markdown"].(map[string]any)
		if t, ok := md["title"].(string); ok {
			out = append(out, t)
		} else if c, ok := md["content"].(string); ok {
			out = append(out, strings.SplitN(c, "\n", 2)[0])
		}
	}
	return out
}

func TestQueuePacingNeverExceedsTheLimit(t *testing.T) {
	f := newFakeRobot(t, nil)
	rate := robot.Rate{N: 3, Per: 300 * time.Millisecond}
	env := &queueEnv{dir: t.TempDir(), lanes: []queue.Lane{testLane(t, "ding", dingtalk.Kind{}, f, robot.Limits{rate})}}
	env.open(t, true)
	defer env.close(t)
	enqueue(t, env.queue, "ding", dingtalk.Target, 0, 10) // no renderer: no coalescing
	waitFor(t, "10 sends", func() bool { return len(f.Received()) == 10 })
	got := f.Received()
	for i := rate.N; i < len(got); i++ {
		if d := got[i].At.Sub(got[i-rate.N].At); d < rate.Per {
			t.Errorf("sends %d and %d are %v apart: %d sends inside one %v window", i-rate.N, i, d, rate.N+1, rate.Per)
		}
	}
	want := make([]string, 10)
	for i := range want {
		want[i] = fmt.Sprintf("event %d", i)
	}
	if g := titles(got); strings.Join(g, ",") != strings.Join(want, ",") {
		t.Errorf("order = %v, want %v", g, want)
	}
	if testutil.ToFloat64(env.metrics.ThrottleWaits.WithLabelValues("ding")) == 0 {
		t.Error("no throttle wait counted")
	}
}

func TestQueueCoalescesABurst(t *testing.T) {
	for _, k := range []robot.Kind{dingtalk.Kind{}, wecom.Kind{}} {
		kind := k.Dialects()[0].Name()
		t.Run(k.Name(), func(t *testing.T) {
			f := newFakeRobot(t, nil)
			rate := robot.Rate{N: 5, Per: 10 * time.Second} // sends 2 s apart
			r := testRenderer(t)
			env := &queueEnv{dir: t.TempDir(), lanes: []queue.Lane{testLane(t, "r", k, f, robot.Limits{rate})},
				opts: queue.Options{Render: func() *translate.Renderer { return r }}}
			env.open(t, false)
			enqueue(t, env.queue, "r", kind, 0, 60)
			env.queue.Start()
			defer env.close(t)
			// All 60 must be visible within the first window's 5 sends.
			waitFor(t, "every event visible", func() bool {
				var all strings.Builder
				for _, g := range f.Received() {
					all.WriteString(g.Raw)
				}
				for i := range 60 {
					if !strings.Contains(all.String(), fmt.Sprintf("https://e.coding.net/p/x/%d)", i)) {
						return false
					}
				}
				return true
			})
			if n := len(f.Received()); n > rate.N {
				t.Errorf("%d sends for a burst of 60 under %v; want at most %d", n, rate, rate.N)
			}
			if testutil.ToFloat64(env.metrics.Digests.WithLabelValues("r")) == 0 {
				t.Error("no digest counted")
			}
			// Order is kept: item links appear in arrival order.
			var all strings.Builder
			for _, g := range f.Received() {
				all.WriteString(g.Raw)
			}
			last := -1
			for i := range 60 {
				p := strings.Index(all.String(), fmt.Sprintf("https://e.coding.net/p/x/%d)", i))
				if p < last {
					t.Fatalf("event %d shown before an earlier one", i)
				}
				last = p
			}
		})
	}
}

// TestQueueBurstAtTheDefaultPace: 40 events in a burst reach a robot paced
// at 20 a minute as at most 8 messages, the first within seconds and the
// rest as digests seconds apart (not a window later), every event shown,
// in order, and no sliding minute over the limit.
func TestQueueBurstAtTheDefaultPace(t *testing.T) {
	for _, k := range []robot.Kind{dingtalk.Kind{}, wecom.Kind{}} {
		kind := k.Dialects()[0].Name()
		t.Run(k.Name(), func(t *testing.T) {
			f := newFakeRobot(t, nil)
			rate := robot.Rate{N: 20, Per: time.Minute}
			r := testRenderer(t)
			env := &queueEnv{dir: t.TempDir(), lanes: []queue.Lane{testLane(t, "r", k, f, robot.Limits{rate})},
				opts: queue.Options{Render: func() *translate.Renderer { return r }}}
			env.open(t, true)
			defer env.close(t)
			start := time.Now()
			enqueue(t, env.queue, "r", kind, 0, 40)
			shown := func() []int {
				var all strings.Builder
				for _, g := range f.Received() {
					all.WriteString(g.Raw)
				}
				var at []int
				for i := range 40 {
					if p := strings.Index(all.String(), fmt.Sprintf("https://e.coding.net/p/x/%d)", i)); p >= 0 {
						at = append(at, p)
					}
				}
				return at
			}
			waitFor(t, "every event shown", func() bool { return len(shown()) == 40 })
			got := f.Received()
			t.Logf("40 events as %d messages, at %v", len(got), offsets(start, got))
			if len(got) > 8 {
				t.Errorf("%d messages for a burst of 40; want at most 8", len(got))
			}
			if d := got[0].At.Sub(start); d > 3*time.Second {
				t.Errorf("first message %v after the burst began; want within seconds", d)
			}
			if d := got[len(got)-1].At.Sub(start); d > rate.Per/2 {
				t.Errorf("last message %v after the burst began: the digests waited for the window", d)
			}
			for i := rate.N; i < len(got); i++ {
				if d := got[i].At.Sub(got[i-rate.N].At); d < rate.Per {
					t.Errorf("sends %d and %d are %v apart: over %v", i-rate.N, i, d, rate)
				}
			}
			if at := shown(); !slices.IsSorted(at) {
				t.Errorf("events shown out of order: %v", at)
			}
		})
	}
}

// TestQueueTrickleGoesOutAtOnce: events slower than the gap between sends
// (a tenth of a second at 10 a second) go out one by one, each at once.
func TestQueueTrickleGoesOutAtOnce(t *testing.T) {
	f := newFakeRobot(t, nil)
	r := testRenderer(t)
	env := &queueEnv{dir: t.TempDir(), lanes: []queue.Lane{testLane(t, "r", dingtalk.Kind{}, f, robot.Limits{{N: 10, Per: time.Second}})},
		opts: queue.Options{Render: func() *translate.Renderer { return r }}}
	env.open(t, true)
	defer env.close(t)
	for i := range 5 {
		if i > 0 {
			time.Sleep(300 * time.Millisecond) // the trickle's pace, not a wait for the queue
		}
		start := time.Now()
		enqueue(t, env.queue, "r", dingtalk.Target, i, i+1)
		waitFor(t, fmt.Sprintf("event %d sent", i), func() bool { return len(f.Received()) == i+1 })
		if d := f.Received()[i].At.Sub(start); d > time.Second {
			t.Errorf("event %d sent %v after it arrived", i, d)
		}
	}
	want := []string{"event 0", "event 1", "event 2", "event 3", "event 4"}
	if got := titles(f.Received()); !slices.Equal(got, want) {
		t.Errorf("titles = %v, want %v: one message per event", got, want)
	}
}

// offsets are the times of the requests since start.
func offsets(start time.Time, got []received) []time.Duration {
	out := make([]time.Duration, len(got))
	for i, g := range got {
		out[i] = g.At.Sub(start).Round(10 * time.Millisecond)
	}
	return out
}

func TestQueueRetriesUntilRecovery(t *testing.T) {
	// 500, a dropped connection, a hang past the timeout, system busy, then ok.
	f := newFakeRobot(t, func(n int) (int, string) {
		switch n {
		case 1:
			return 500, "oops"
		case 2:
			return -1, ""
		case 3:
			return 0, ""
		case 4:
			return 200, `{"errcode":-1,"errmsg":"system busy"}`
		}
		return 200, `{"errcode":0,"errmsg":"ok"}`
	})
	env := &queueEnv{dir: t.TempDir(), lanes: []queue.Lane{testLane(t, "ding", dingtalk.Kind{}, f, robot.Limits{})},
		opts: queue.WithFirstWait(queue.Options{SendTimeout: 200 * time.Millisecond, RetryMaxWait: 50 * time.Millisecond}, 10*time.Millisecond)}
	env.open(t, true)
	defer env.close(t)
	enqueue(t, env.queue, "ding", dingtalk.Target, 0, 2)
	waitFor(t, "recovery", func() bool { return len(f.Received()) == 6 })
	waitFor(t, "queue empty", func() bool { return env.queue.Depth() == 0 })
	got := f.Received()
	if g := titles(got); strings.Join(g, ",") != "event 0,event 0,event 0,event 0,event 0,event 1" {
		t.Errorf("robot saw %v", g)
	}
	// The msgUuid is the same on every attempt of one message.
	for _, r := range got[:5] {
		if r.Body["msgUuid"] != "uuid-0" {
			t.Errorf("msgUuid = %v, want uuid-0 on every retry", r.Body["msgUuid"])
		}
	}
	if n := testutil.ToFloat64(env.metrics.Retries.WithLabelValues("ding")); n != 4 {
		t.Errorf("retries = %v, want 4", n)
	}
	if dead, _, _ := env.queue.Dead(1000); len(dead) != 0 {
		t.Errorf("dead letters: %v", dead)
	}
}

func TestQueuePermanentErrorsAreDeadLettered(t *testing.T) {
	f := newFakeRobot(t, func(n int) (int, string) {
		if n == 1 {
			return 200, `{"errcode":93000,"errmsg":"invalid webhook url"}`
		}
		return 200, `{"errcode":0,"errmsg":"ok"}`
	})
	env := &queueEnv{dir: t.TempDir(), lanes: []queue.Lane{testLane(t, "wc", wecom.Kind{}, f, robot.Limits{})}}
	env.open(t, true)
	enqueue(t, env.queue, "wc", wecom.Target, 0, 2)
	waitFor(t, "two sends", func() bool { return len(f.Received()) == 2 })
	waitFor(t, "queue empty", func() bool { return env.queue.Depth() == 0 })
	dead, _, err := env.queue.Dead(1000)
	if err != nil {
		t.Fatal(err)
	}
	if none, total, _ := env.queue.Dead(0); len(none) != 0 || total != 1 {
		t.Errorf("Dead(0) = %d items of %d, want 0 of 1", len(none), total)
	}
	if len(dead) != 1 || dead[0].Delivery != "d-0" || !strings.Contains(dead[0].LastError, "93000") || dead[0].Attempts != 1 {
		t.Fatalf("dead = %+v", dead)
	}
	if strings.Contains(dead[0].LastError, "key-wc") {
		t.Errorf("dead letter leaks the key: %s", dead[0].LastError)
	}
	if n := testutil.ToFloat64(env.metrics.DeadLetters.WithLabelValues("wc", "permanent")); n != 1 {
		t.Errorf("dead letter metric = %v", n)
	}
	env.close(t)

	// Dead letters survive a restart and can be replayed.
	f.SetAnswer(nil)
	env.open(t, true)
	defer env.close(t)
	dead, _, _ = env.queue.Dead(1000)
	if len(dead) != 1 {
		t.Fatalf("after restart dead = %+v", dead)
	}
	var id uint64
	_, _ = fmt.Sscan(dead[0].ID, &id)
	if _, err := env.queue.Retry(id); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "replayed", func() bool { return len(f.Received()) == 3 })
	if dead, _, _ = env.queue.Dead(1000); len(dead) != 0 {
		t.Errorf("still dead after replay: %+v", dead)
	}
	if _, err := env.queue.Retry(id); err == nil {
		t.Error("retrying a replayed id again succeeded")
	}
}

func TestQueueGivesUpAfterMaxAge(t *testing.T) {
	f := newFakeRobot(t, func(int) (int, string) { return 503, "" })
	env := &queueEnv{dir: t.TempDir(), lanes: []queue.Lane{testLane(t, "ding", dingtalk.Kind{}, f, robot.Limits{})},
		opts: queue.WithFirstWait(queue.Options{RetryMaxAge: 100 * time.Millisecond, RetryMaxWait: 20 * time.Millisecond}, 10*time.Millisecond)}
	env.open(t, true)
	defer env.close(t)
	enqueue(t, env.queue, "ding", dingtalk.Target, 0, 1)
	// The metric is counted right after the store commit: wait for both.
	waitFor(t, "expired dead letter", func() bool {
		d, _, _ := env.queue.Dead(1000)
		return len(d) == 1 && testutil.ToFloat64(env.metrics.DeadLetters.WithLabelValues("ding", "expired")) == 1
	})
}

func TestQueueResumesAfterCrash(t *testing.T) {
	f := newFakeRobot(t, nil)
	env := &queueEnv{dir: t.TempDir(), lanes: []queue.Lane{
		testLane(t, "ding", dingtalk.Kind{}, f, robot.Limits{}),
		testLane(t, "wc", wecom.Kind{}, f, robot.Limits{}),
	}}
	env.open(t, false) // no workers: everything stays pending
	enqueue(t, env.queue, "ding", dingtalk.Target, 0, 5)
	enqueue(t, env.queue, "wc", wecom.Target, 5, 8)
	// A crash: the file is closed with nothing drained.
	if err := env.store.Close(); err != nil {
		t.Fatal(err)
	}
	env.open(t, true)
	defer env.close(t)
	waitFor(t, "resumed sends", func() bool { return len(f.Received()) == 8 })
	waitFor(t, "queue empty", func() bool { return env.queue.Depth() == 0 })
	var ding []string
	for _, r := range f.Received() {
		if strings.Contains(r.URL.RawQuery, "access_token") {
			ding = append(ding, titles([]received{r})...)
		}
	}
	if strings.Join(ding, ",") != "event 0,event 1,event 2,event 3,event 4" {
		t.Errorf("DingTalk order after restart: %v", ding)
	}
}

func TestQueueShutdownLeavesHangingWorkPending(t *testing.T) {
	f := newFakeRobot(t, func(int) (int, string) { return 0, "" }) // hangs
	env := &queueEnv{dir: t.TempDir(), lanes: []queue.Lane{testLane(t, "ding", dingtalk.Kind{}, f, robot.Limits{})},
		opts: queue.Options{SendTimeout: time.Minute}}
	env.open(t, true)
	enqueue(t, env.queue, "ding", dingtalk.Target, 0, 3)
	waitFor(t, "a send in flight", func() bool { return len(f.Received()) == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := env.queue.Close(ctx); err != nil {
		t.Fatal(err)
	}
	f.SetAnswer(nil)
	env.open(t, true)
	defer env.close(t)
	waitFor(t, "delivered after restart", func() bool { return env.queue.Depth() == 0 && len(f.Received()) >= 4 })
}

func TestQueueDedupSurvivesRestart(t *testing.T) {
	f := newFakeRobot(t, nil)
	env := &queueEnv{dir: t.TempDir(), lanes: []queue.Lane{testLane(t, "ding", dingtalk.Kind{}, f, robot.Limits{})}}
	env.open(t, true)
	enqueue(t, env.queue, "ding", dingtalk.Target, 0, 1)
	env.close(t)
	env.open(t, true)
	defer env.close(t)
	it := &store.Item{Robot: "ding", Message: msg(dingtalk.Target, 0), Created: time.Now(), UUID: "x"}
	if err := env.queue.Enqueue("d-0", true, []*store.Item{it}); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("second enqueue of d-0: %v, want ErrDuplicate", err)
	}
}

func TestQueueKeepsPerRobotOrderUnderConcurrency(t *testing.T) {
	f := newFakeRobot(t, nil)
	env := &queueEnv{dir: t.TempDir(), lanes: []queue.Lane{testLane(t, "ding", dingtalk.Kind{}, f, robot.Limits{})}}
	env.open(t, true)
	defer env.close(t)
	// Each goroutine's own events must arrive in its order, and the robot
	// must see the store's commit order.
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				n := g*1000 + i
				it := &store.Item{Robot: "ding", Message: msg(dingtalk.Target, n), Created: time.Now(), UUID: fmt.Sprint(n)}
				if err := env.queue.Enqueue(fmt.Sprint(n), true, []*store.Item{it}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	waitFor(t, "200 sends", func() bool { return len(f.Received()) == 200 })
	lastPer := map[int]int{}
	for _, title := range titles(f.Received()) {
		var n int
		_, _ = fmt.Sscanf(title, "event %d", &n)
		g, i := n/1000, n%1000
		if prev, ok := lastPer[g]; ok && i != prev+1 {
			t.Fatalf("goroutine %d: event %d after %d", g, i, prev)
		}
		lastPer[g] = i
	}
}

func TestQueueKeepsALargeBacklogOnDisk(t *testing.T) {
	// Only resident messages per robot are held in memory; the rest are read
	// back from the store in order, across a restart too, and the admin
	// listing shows them without loading the whole backlog.
	f := newFakeRobot(t, nil)
	env := &queueEnv{dir: t.TempDir(), lanes: []queue.Lane{testLane(t, "ding", dingtalk.Kind{}, f, robot.Limits{})},
		opts: queue.WithResident(queue.Options{}, 4, 2)}
	env.open(t, false)
	enqueue(t, env.queue, "ding", dingtalk.Target, 0, 30)
	if d := env.queue.Depth(); d != 30 {
		t.Fatalf("depth = %d, want 30", d)
	}
	list, total, err := env.queue.Pending(10)
	if err != nil {
		t.Fatal(err)
	}
	if total != 30 || len(list) != 10 {
		t.Fatalf("Pending(10) = %d items of %d", len(list), total)
	}
	for i, d := range list {
		if want := fmt.Sprintf("event %d", i); d.Title != want || d.Robot != "ding" {
			t.Errorf("pending[%d] = %q for %s, want %q", i, d.Title, d.Robot, want)
		}
	}
	if err := env.store.Close(); err != nil { // a crash with everything pending
		t.Fatal(err)
	}
	env.open(t, false)
	enqueue(t, env.queue, "ding", dingtalk.Target, 30, 40)
	env.queue.Start()
	defer env.close(t)
	waitFor(t, "40 sends", func() bool { return len(f.Received()) == 40 })
	waitFor(t, "queue empty", func() bool { return env.queue.Depth() == 0 })
	want := make([]string, 40)
	for i := range want {
		want[i] = fmt.Sprintf("event %d", i)
	}
	if g := titles(f.Received()); strings.Join(g, ",") != strings.Join(want, ",") {
		t.Errorf("order = %v", g)
	}
}

func TestQueueInflightSendsConcurrentlyAndLosesNothing(t *testing.T) {
	// inflight=4 on an unpaced robot: up to four sends at once, never more,
	// and retries still deliver every message exactly once, also when the
	// sends in flight fill the resident part of the queue.
	var mu sync.Mutex
	cur, peak := 0, 0
	release := make(chan struct{})
	f := newFakeRobot(t, nil)
	f.SetAnswer(func(n int) (int, string) {
		mu.Lock()
		cur++
		peak = max(peak, cur)
		mu.Unlock()
		defer func() { mu.Lock(); cur--; mu.Unlock() }()
		if n <= 4 {
			<-release // hold the first four until all four are in flight
		}
		if n%7 == 0 {
			return 503, "busy"
		}
		return 200, `{"errcode":0,"errmsg":"ok"}`
	})
	l := testLane(t, "ding", dingtalk.Kind{}, f, robot.Limits{})
	l.Robot.Inflight = 4
	env := &queueEnv{dir: t.TempDir(), lanes: []queue.Lane{l},
		opts: queue.WithResident(queue.WithFirstWait(queue.Options{RetryMaxWait: 20 * time.Millisecond}, 5*time.Millisecond), 4, 2)}
	env.open(t, true)
	defer env.close(t)
	enqueue(t, env.queue, "ding", dingtalk.Target, 0, 40)
	waitFor(t, "four sends in flight", func() bool { mu.Lock(); defer mu.Unlock(); return cur == 4 })
	close(release)
	waitFor(t, "queue empty", func() bool { return env.queue.Depth() == 0 })
	if peak != 4 {
		t.Errorf("at most %d sends were in flight, want exactly 4 at the peak", peak)
	}
	delivered := map[string]int{}
	for i, r := range f.Received() {
		if (i+1)%7 != 0 {
			delivered[titles([]received{r})[0]]++
		}
	}
	for i := range 40 {
		if n := delivered[fmt.Sprintf("event %d", i)]; n != 1 {
			t.Errorf("event %d delivered %d times", i, n)
		}
	}
	if dead, _, _ := env.queue.Dead(1000); len(dead) != 0 {
		t.Errorf("dead letters: %v", dead)
	}
}

func TestQueueAddsTheRobotsKeyword(t *testing.T) {
	f := newFakeRobot(t, nil)
	l := testLane(t, "ding", dingtalk.Kind{}, f, robot.Limits{})
	ep := dingtalk.New(mustURL(t, f.URL+"/robot/send?access_token=tok-ding"), "", "CODING")
	l.Robot.Endpoint, l.Sender = ep, robot.Sender{Endpoint: ep, Client: f.Client()}
	env := &queueEnv{dir: t.TempDir(), lanes: []queue.Lane{l}}
	env.open(t, true)
	defer env.close(t)
	enqueue(t, env.queue, "ding", dingtalk.Target, 0, 1)
	waitFor(t, "one send", func() bool { return len(f.Received()) == 1 })
	md, _ := f.Received()[0].Body["markdown"].(map[string]any)
	if text, _ := md["text"].(string); !strings.HasSuffix(text, "\n\nCODING") {
		t.Errorf("text %q does not end with the keyword", text)
	}
}

// downSender fails every send with an unclassified (so retryable) error.
type downSender struct{}

func (downSender) Send(context.Context, translate.Message, string) error {
	return errors.New("robot down")
}

func TestQueueAdminListingWhileRetrying(t *testing.T) {
	// The listing reads attempts and last error while the worker records
	// failed attempts as fast as it can: go test -race checks the locking.
	env := &queueEnv{dir: t.TempDir(),
		lanes: []queue.Lane{{Robot: robot.Robot{Name: "r", Kind: dingtalk.Kind{}, Endpoint: dingtalk.Kind{}.Preview(dingtalk.Target)}, Sender: downSender{}}},
		opts:  queue.Options{RetryMaxWait: time.Millisecond}}
	env.open(t, true)
	defer env.close(t)
	enqueue(t, env.queue, "r", dingtalk.Target, 0, 1)
	attempts := 0
	for deadline := time.Now().Add(300 * time.Millisecond); time.Now().Before(deadline); {
		list, total, err := env.queue.Pending(10)
		if err != nil {
			t.Fatal(err)
		}
		if total != 1 || len(list) != 1 || list[0].Attempts < attempts {
			t.Fatalf("listing %d of %d: %+v", len(list), total, list)
		}
		attempts = list[0].Attempts
	}
	if attempts == 0 {
		t.Error("no failed attempt was ever listed")
	}
}
