package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coding-relay/coding-relay/server/queue"
	"github.com/coding-relay/coding-relay/server/store"
	"github.com/coding-relay/coding-relay/server/store/redis"
	"github.com/coding-relay/coding-relay/server/store/redis/redistest"
)

// fullDisk is the bbolt store with its writes failing on demand, as they do
// when the data volume is full.
type fullDisk struct {
	*store.Store
	full atomic.Bool
}

func (f *fullDisk) err() error {
	if f.full.Load() {
		return fmt.Errorf("store: add delivery: write data/queue.db: %w", syscall.ENOSPC)
	}
	return nil
}

func (f *fullDisk) Add(delivery string, dedup bool, now time.Time, items []*store.Item, post func()) error {
	if err := f.err(); err != nil {
		return err
	}
	return f.Store.Add(delivery, dedup, now, items, post)
}

// Done fails too: a delivered message's removal racing the next full-disk
// phase must not count as a write that worked.
func (f *fullDisk) Done(items []*store.Item, robot string, pace []int64, done func(error)) {
	if err := f.err(); err != nil {
		done(err)
		return
	}
	f.Store.Done(items, robot, pace, done)
}

func (f *fullDisk) Probe() error {
	if err := f.err(); err != nil {
		return err
	}
	return f.Store.Probe()
}

// Once: /readyz stayed 200 while every webhook was answered 500 because
// the store could not write, so Kubernetes kept routing events to a relay
// that lost them.
func TestReadyzReflectsFailingStoreWrites(t *testing.T) {
	f := newFakeRobot(t, nil)
	disk := &fullDisk{}
	r := newTestRelayOver(t, map[string]string{"RELAY_ROBOTS": "dingtalk+" + f.URL + "/robot/send?access_token=t"},
		func(st *store.Store) queue.Store { disk.Store = st; return disk })
	push := map[string]string{"Content-Type": "application/json", "X-Coding-Event": "push"}
	get := func(path string) answer {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, r.srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		return do(t, req)
	}
	if a := get("/readyz"); a.status != http.StatusOK {
		t.Fatalf("readyz before any failure: %d %v", a.status, a.body)
	}

	disk.full.Store(true)
	if a := r.post(t, "/webhook", push, pushPayload); a.status != http.StatusInternalServerError {
		t.Fatalf("webhook on a full disk: %d %v", a.status, a.body)
	}
	a := get("/readyz")
	if a.status != http.StatusServiceUnavailable || a.body["error"] == nil {
		t.Fatalf("readyz after a failed write: %d %v, want 503 with an error", a.status, a.body)
	}
	if msg, _ := a.body["error"].(string); strings.Contains(msg, "queue.db") {
		t.Errorf("readyz shows the cause to anyone: %q", msg)
	}
	if a := get("/healthz"); a.status != http.StatusOK {
		t.Errorf("healthz (liveness) on a full disk: %d", a.status)
	}

	// A write that succeeds makes it ready again at once.
	disk.full.Store(false)
	if a := r.post(t, "/webhook", push, pushPayload); a.status != http.StatusAccepted {
		t.Fatalf("webhook after space was freed: %d %v", a.status, a.body)
	}
	if a := get("/readyz"); a.status != http.StatusOK {
		t.Fatalf("readyz after a write succeeded: %d %v", a.status, a.body)
	}

	// A relay that is not ready is sent no events, so it probes the store
	// itself and becomes ready without one.
	disk.full.Store(true)
	if a := r.post(t, "/webhook", push, pushPayload); a.status != http.StatusInternalServerError {
		t.Fatalf("webhook on a full disk again: %d", a.status)
	}
	if a := get("/readyz"); a.status != http.StatusServiceUnavailable {
		t.Fatalf("readyz on a full disk again: %d", a.status)
	}
	disk.full.Store(false)
	waitFor(t, "ready again by the store probe", func() bool { return get("/readyz").status == http.StatusOK })
}

// With Redis unreachable a webhook gets 503 with a JSON error (CODING shows
// the failure), /readyz is not ready, and both recover when Redis is back,
// without an event to try.
func TestRedisOutageIs503AndNotReady(t *testing.T) {
	srv := redistest.Start(t)
	f := newFakeRobot(t, nil)
	r := newTestRelayOver(t, map[string]string{"RELAY_ROBOTS": "dingtalk+" + f.URL + "/robot/send?access_token=t"},
		func(bolt *store.Store) queue.Store {
			_ = bolt.Close()
			rs, err := redis.Open(srv.URL, redis.Options{})
			if err != nil {
				t.Fatal(err)
			}
			return rs
		})
	push := map[string]string{"Content-Type": "application/json", "X-Coding-Event": "push"}
	readyz := func() int {
		req, _ := http.NewRequest(http.MethodGet, r.srv.URL+"/readyz", nil)
		return do(t, req).status
	}
	if a := r.post(t, "/webhook", push, pushPayload); a.status != http.StatusAccepted {
		t.Fatalf("webhook: %d %v", a.status, a.body)
	}
	waitFor(t, "delivered", func() bool { return len(f.Received()) == 1 })
	srv.Kill()
	a := r.post(t, "/webhook", push, pushPayload)
	if msg, _ := a.body["error"].(string); a.status != http.StatusServiceUnavailable || !strings.Contains(msg, "nothing was stored") {
		t.Fatalf("webhook with Redis down: %d %v, want 503 with an error", a.status, a.body)
	}
	if msg, _ := a.body["error"].(string); strings.Contains(msg, srv.Addr) {
		t.Errorf("the answer shows Redis's address: %q", msg)
	}
	if s := readyz(); s != http.StatusServiceUnavailable {
		t.Fatalf("readyz with Redis down: %d", s)
	}
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "ready again", func() bool { return readyz() == http.StatusOK })
	if a := r.post(t, "/webhook", push, pushPayload); a.status != http.StatusAccepted {
		t.Fatalf("webhook after Redis came back: %d %v", a.status, a.body)
	}
	waitFor(t, "delivered after the outage", func() bool { return len(f.Received()) == 2 })
}
