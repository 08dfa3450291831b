package queue_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/zap/zaptest"

	"github.com/coding-relay/coding-relay/server/queue"
	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/robot/dingtalk"
	"github.com/coding-relay/coding-relay/server/store"
	"github.com/coding-relay/coding-relay/server/store/redis"
	"github.com/coding-relay/coding-relay/server/store/redis/redistest"
)

var (
	_ queue.Shared  = (*redis.Store)(nil)
	_ queue.History = (*redis.Store)(nil)
)

// rep is one relay's queue over a shared Redis; stop closes it once.
type rep struct {
	*queue.Queue
	stop func()
}

// replica starts a queue over srv; it is closed when the test ends.
func replica(tb testing.TB, srv *redistest.Server, lanes []queue.Lane, opts queue.Options) rep {
	tb.Helper()
	return replicaWith(tb, srv, lanes, opts, queue.NewMetrics(prometheus.NewRegistry()))
}

// replicaWith is replica counting in m.
func replicaWith(tb testing.TB, srv *redistest.Server, lanes []queue.Lane, opts queue.Options, m *queue.Metrics) rep {
	tb.Helper()
	st, err := redis.Open(srv.URL, redis.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	q, err := queue.New(st, lanes, queue.WithLease(opts, time.Second, 100*time.Millisecond), zaptest.NewLogger(tb), m)
	if err != nil {
		tb.Fatal(err)
	}
	q.Start()
	var once sync.Once
	closeQ := func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = q.Close(ctx)
		})
	}
	tb.Cleanup(closeQ)
	return rep{q, closeQ}
}

func item(robot string, i int) *store.Item {
	return &store.Item{Robot: robot, Delivery: fmt.Sprintf("d-%d", i), Event: "push", Message: msg(dingtalk.Target, i),
		Created: time.Now(), UUID: fmt.Sprintf("uuid-%d", i)}
}

// Events posted alternately to two replicas reach the robot once each, in
// the order the replicas took them, sent by one replica at a time.
func TestSharedReplicasKeepOrder(t *testing.T) {
	srv := redistest.Start(t)
	f := newFakeRobot(t, nil)
	lanes := []queue.Lane{testLane(t, "ding", dingtalk.Kind{}, f, nil)}
	a, b := replica(t, srv, lanes, queue.Options{}), replica(t, srv, lanes, queue.Options{})
	var want []string
	for i := range 40 {
		q := a
		if i%2 == 1 {
			q = b
		}
		it := item("ding", i)
		if err := q.Enqueue(it.Delivery, true, []*store.Item{it}); err != nil {
			t.Fatal(err)
		}
		want = append(want, fmt.Sprintf("event %d", i))
	}
	waitFor(t, "40 sends", func() bool { return len(f.Received()) >= 40 })
	// A last event follows the 40 in the robot's one queue: once it is
	// sent, a second copy of any of them would have been sent before it.
	last := item("ding", 40)
	if err := b.Enqueue(last.Delivery, true, []*store.Item{last}); err != nil {
		t.Fatal(err)
	}
	want = append(want, "event 40")
	waitFor(t, "the last event", func() bool {
		got := titles(f.Received())
		return got[len(got)-1] == "event 40"
	})
	if got := titles(f.Received()); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("robot got %v,\nwant %v", got, want)
	}
	// The same delivery ID on the other replica is a duplicate.
	if err := b.Enqueue("d-0", true, []*store.Item{item("ding", 0)}); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("d-0 again on the other replica: %v, want ErrDuplicate", err)
	}
	// The robot answered; the sender settles the message a moment later.
	waitFor(t, "no depth once all is delivered", func() bool { return a.Depth() == 0 && b.Depth() == 0 })
}

// A robot's window is shared: replicas taking turns (one shuts down with
// a window still open) never send more than its limit in any window.
func TestSharedPacingAcrossAHandover(t *testing.T) {
	srv := redistest.Start(t)
	f := newFakeRobot(t, nil)
	rate := robot.Rate{N: 3, Per: 400 * time.Millisecond}
	lanes := []queue.Lane{testLane(t, "ding", dingtalk.Kind{}, f, robot.Limits{rate})}
	a := replica(t, srv, lanes, queue.Options{})
	b := replica(t, srv, lanes, queue.Options{})
	for i := range 4 {
		it := item("ding", i)
		if err := b.Enqueue(it.Delivery, true, []*store.Item{it}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "3 sends", func() bool { return len(f.Received()) >= 3 })
	a.stop() // a held the lease: b takes over at once
	for i := 4; i < 9; i++ {
		it := item("ding", i)
		if err := b.Enqueue(it.Delivery, true, []*store.Item{it}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "9 sends", func() bool { return len(f.Received()) >= 9 })
	got := f.Received()
	for i := rate.N; i < len(got); i++ {
		if d := got[i].At.Sub(got[i-rate.N].At); d < rate.Per {
			t.Errorf("sends %d and %d are %v apart: %d inside one %v window", i-rate.N, i, d, rate.N+1, rate.Per)
		}
	}
	if len(got) != 9 {
		t.Errorf("%d sends, want 9: %v", len(got), titles(got))
	}
}

// A replica that dies holding a backlog (nothing released) loses its lease;
// another takes over within the lease's TTL and sends everything.
func TestSharedTakeoverAfterACrash(t *testing.T) {
	srv := redistest.Start(t)
	var hang sync.Mutex
	hanging := true
	f := newFakeRobot(t, func(int) (int, string) {
		hang.Lock()
		defer hang.Unlock()
		if hanging {
			return 0, "" // hangs until the client gives up
		}
		return 200, `{"errcode":0,"errmsg":"ok"}`
	})
	lanes := []queue.Lane{testLane(t, "ding", dingtalk.Kind{}, f, nil)}
	opts := queue.Options{SendTimeout: 300 * time.Millisecond}
	a := replica(t, srv, lanes, opts)
	for i := range 5 {
		it := item("ding", i)
		if err := a.Enqueue(it.Delivery, true, []*store.Item{it}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "a trying", func() bool { return len(f.Received()) > 0 })
	queue.Crash(a.Queue)
	hang.Lock()
	hanging = false
	hang.Unlock()
	b := replica(t, srv, lanes, opts)
	start := time.Now()
	waitFor(t, "b delivers all 5", func() bool {
		seen := map[string]bool{}
		for _, r := range f.Received() {
			if r.Body != nil {
				seen[fmt.Sprint(titles([]received{r}))] = true
			}
		}
		return b.Depth() == 0 && len(seen) >= 5
	})
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("takeover took %s with a 1s lease", d)
	}
}

// The admin views see every replica's messages; a dead letter is retried
// from any replica; with Redis down intake fails as unavailable and the
// queue is not ready until it is back.
func TestSharedAdminAndOutage(t *testing.T) {
	srv := redistest.Start(t)
	var fail sync.Mutex
	permanent := true
	f := newFakeRobot(t, func(int) (int, string) {
		fail.Lock()
		defer fail.Unlock()
		if permanent {
			return 200, `{"errcode":310000,"errmsg":"keywords not in content"}`
		}
		return 200, `{"errcode":0,"errmsg":"ok"}`
	})
	lanes := []queue.Lane{testLane(t, "ding", dingtalk.Kind{}, f, nil)}
	a, b := replica(t, srv, lanes, queue.Options{}), replica(t, srv, lanes, queue.Options{})
	it := item("ding", 1)
	if err := a.Enqueue(it.Delivery, true, []*store.Item{it}); err != nil {
		t.Fatal(err)
	}
	var dead []queue.Delivery
	waitFor(t, "a dead letter", func() bool {
		dead, _, _ = b.Dead(10)
		return len(dead) == 1
	})
	fail.Lock()
	permanent = false
	fail.Unlock()
	if _, err := b.Retry(parseID(t, dead[0].ID)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the retried message sent", func() bool { return a.Depth() == 0 && len(f.Received()) == 2 })

	srv.Kill()
	err := b.Enqueue("d-2", true, []*store.Item{item("ding", 2)})
	if !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Enqueue with Redis down: %v, want ErrUnavailable", err)
	}
	waitFor(t, "a not ready", func() bool { return a.Ready() != nil })
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "ready again", func() bool { return a.Ready() == nil && b.Ready() == nil })
	if err := b.Enqueue("d-3", true, []*store.Item{item("ding", 3)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "sent after the outage", func() bool { return len(f.Received()) == 3 })
}

// relay_lease_held follows the lease when Redis goes away: the lease runs
// out (nothing is sent meanwhile) and the gauge says so, then the lease
// comes back with Redis. An alert on robots nobody holds relies on it.
func TestSharedLeaseGaugeWithRedisDown(t *testing.T) {
	srv := redistest.Start(t)
	lanes := []queue.Lane{testLane(t, "ding", dingtalk.Kind{}, newFakeRobot(t, nil), nil)}
	m := queue.NewMetrics(prometheus.NewRegistry())
	replicaWith(t, srv, lanes, queue.Options{}, m)
	held := func() float64 { return testutil.ToFloat64(m.LeaseHeld.WithLabelValues("ding")) }
	waitFor(t, "the lease held", func() bool { return held() == 1 })
	srv.Kill()
	waitFor(t, "the lease to run out with Redis down", func() bool { return held() == 0 })
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the lease held again", func() bool { return held() == 1 })
}

func parseID(tb testing.TB, s string) uint64 {
	tb.Helper()
	var id uint64
	if _, err := fmt.Sscan(s, &id); err != nil {
		tb.Fatal(err)
	}
	return id
}

// Lanes of robots a replica does not have are swept at start-up: a backlog
// follows its robot to its new name, messages of a robot gone for longer
// than RetryMaxAge become dead letters.
func TestSharedSweepMovesAndBuries(t *testing.T) {
	srv := redistest.Start(t)
	st, err := redis.Open(srv.URL, redis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	renamed := item("dingtalk-1", 1)
	renamed.Dest, renamed.Lane = "fp-a", "dest:fp-a"
	gone := item("dingtalk-2", 2)
	gone.Dest, gone.Lane, gone.Created = "fp-gone", "dest:fp-gone", time.Now().Add(-time.Hour)
	for _, it := range []*store.Item{renamed, gone} {
		if err := st.Add(it.Delivery, false, time.Now(), []*store.Item{it}, nil); err != nil {
			t.Fatal(err)
		}
	}
	f := newFakeRobot(t, nil)
	l := testLane(t, "x", dingtalk.Kind{}, f, nil)
	l.Robot.Fingerprint, l.Robot.Named = "fp-a", true
	q := replica(t, srv, []queue.Lane{l}, queue.Options{RetryMaxAge: time.Minute})
	waitFor(t, "the moved message sent", func() bool { return len(f.Received()) == 1 })
	dead, total, err := q.Dead(10)
	if err != nil || total != 1 || dead[0].Robot != "dingtalk-2" {
		t.Fatalf("dead letters %+v (%d), %v", dead, total, err)
	}
	if lanes, _ := st.Lanes(); fmt.Sprint(lanes) != "[name:x]" {
		t.Errorf("lanes after the sweep: %v", lanes)
	}
}

// A retry's wait is stored with the message: the replica that takes the
// robot over waits it out instead of trying at once (after DingTalk's
// 130101 that would extend its 10-minute throttle).
func TestSharedTakeoverKeepsTheRetryWait(t *testing.T) {
	srv := redistest.Start(t)
	f := newFakeRobot(t, func(n int) (int, string) {
		if n == 1 {
			return 500, "busy"
		}
		return 200, `{"errcode":0,"errmsg":"ok"}`
	})
	lanes := []queue.Lane{testLane(t, "ding", dingtalk.Kind{}, f, nil)}
	opts := queue.WithFirstWait(queue.Options{}, 3*time.Second)
	a := replica(t, srv, lanes, opts)
	it := item("ding", 1)
	if err := a.Enqueue(it.Delivery, true, []*store.Item{it}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first attempt's failure in Redis", func() bool {
		p, _, err := a.Pending(10)
		return err == nil && len(p) == 1 && p[0].Attempts == 1
	})
	queue.Crash(a.Queue)
	replica(t, srv, lanes, opts)
	waitFor(t, "the retry", func() bool { return len(f.Received()) == 2 })
	got := f.Received()
	if d := got[1].At.Sub(got[0].At); d < 2200*time.Millisecond {
		t.Errorf("the replica that took over retried %s after the failure; the wait was at least 2.25s", d)
	}
}

// Idle replicas cost Redis a few commands each per lease period, whatever
// the number of robots: one key renewed per replica, one batched look at
// the leases, one subscription for every lane's wake-ups.
func TestSharedIdleCostDoesNotGrowWithRobots(t *testing.T) {
	srv := redistest.Start(t)
	lanes, _ := switchLanes(500)
	replica(t, srv, lanes, queue.Options{})
	replica(t, srv, lanes, queue.Options{})
	c := goredis.NewClient(&goredis.Options{Addr: srv.Addr})
	defer c.Close()
	calls := func() map[string]int {
		info, err := c.Info(context.Background(), "commandstats").Result()
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]int{}
		for _, line := range strings.Split(info, "\r\n") {
			// cmdstat_get:calls=12,usec=...
			name, rest, ok := strings.Cut(strings.TrimPrefix(line, "cmdstat_"), ":calls=")
			if ok {
				out[name], _ = strconv.Atoi(strings.SplitN(rest, ",", 2)[0])
			}
		}
		return out
	}
	// Each lane reads its (empty) queue when its lease is taken and when
	// the subscription starts; then nothing, for ten renewals in a row.
	reads, since := -1, 0
	waitFor(t, "the lanes' first reads over", func() bool {
		got := calls()
		if got["zrangebyscore"] != reads {
			reads, since = got["zrangebyscore"], got["set"]
		}
		return reads >= len(lanes) && got["set"] >= since+10
	})
	if err := c.ConfigResetStat(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	const rounds = 40 // renewals of the replicas' keys: 20 lease periods
	waitFor(t, "lease renewals", func() bool { return calls()["set"] >= rounds })
	got := calls()
	total := 0
	for name, n := range got {
		if name != "info" && name != "config|resetstat" {
			total += n
		}
	}
	per := float64(total) / float64(got["set"])
	t.Logf("%.1f Redis commands per replica and lease period for %d idle robots: %v", per, len(lanes), got)
	if per > 6 {
		t.Errorf("%.1f Redis commands per replica and lease period for %d idle robots (%v); want a few, however many robots", per, len(lanes), got)
	}
}
