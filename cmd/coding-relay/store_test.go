package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sethvargo/go-envconfig"
	"go.uber.org/zap/zaptest"

	"github.com/coding-relay/coding-relay/server"
	"github.com/coding-relay/coding-relay/server/queue"
	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/store"
	"github.com/coding-relay/coding-relay/server/store/redis"
	"github.com/coding-relay/coding-relay/server/store/redis/redistest"
	"github.com/coding-relay/coding-relay/translate"
)

// A relay switched to Redis with a backlog in its bbolt file moves it into
// Redis once: pending messages to their robot's lane, dead letters, the
// robot's send times and the delivery IDs; the file is renamed after.
func TestMigrateMovesTheLocalQueueOnce(t *testing.T) {
	srv := redistest.Start(t)
	dir := t.TempDir()
	cfg, err := server.LoadConfig(context.Background(), envconfig.MapLookuper(map[string]string{
		"RELAY_ROBOTS":    "dingtalk+http://127.0.0.1:1/robot/send?access_token=tok&name=ding",
		"RELAY_DATA_DIR":  dir,
		"RELAY_REDIS_URL": srv.URL,
	}), plain())
	if err != nil {
		t.Fatal(err)
	}
	r := cfg.RobotList[0]
	bolt, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(n string) *store.Item {
		return &store.Item{Robot: "ding", Dest: r.Fingerprint, Delivery: n, Event: "push", Message: translate.Message{Title: n}, Created: time.Now(), UUID: "u-" + n}
	}
	for _, n := range []string{"a", "b", "c"} {
		if err := bolt.Add(n, true, time.Now(), []*store.Item{mk(n)}, nil); err != nil {
			t.Fatal(err)
		}
	}
	pend := loadAll(t, bolt)
	if err := bolt.Bury(pend[2:], "ding", []int64{time.Now().UnixMilli()}); err != nil {
		t.Fatal(err)
	}

	// A relay that still has the file open: refused, saying how to drain it.
	log := zaptest.NewLogger(t)
	rs, err := redis.Open(srv.URL, redis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	q, err := queue.New(rs, []queue.Lane{{Robot: r, Rate: cfg.RateOf(r), Sender: robot.Sender{Endpoint: r.Endpoint}}}, queue.Options{}, log, queue.NewMetrics(prometheus.NewRegistry()))
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close(context.Background())
	if err := migrate(cfg, rs, q, log); err == nil || !strings.Contains(err.Error(), "without RELAY_REDIS_URL") {
		t.Fatalf("migrate with the file in use: %v", err)
	}
	if err := bolt.Close(); err != nil {
		t.Fatal(err)
	}

	for range 2 { // the second run finds nothing to move
		if err := migrate(cfg, rs, q, log); err != nil {
			t.Fatal(err)
		}
	}
	items, total, err := rs.List(10)
	if err != nil || total != 2 || items[0].Message.Title != "a" || items[1].Message.Title != "b" {
		t.Fatalf("pending in Redis: %d %+v, %v", total, items, err)
	}
	if items[0].Lane != q.LaneOf(items[0]) || !strings.HasPrefix(items[0].Lane, "name:") {
		t.Errorf("moved into lane %q", items[0].Lane)
	}
	if _, dead, _ := rs.Dead(10); dead != 1 {
		t.Errorf("%d dead letters in Redis, want 1", dead)
	}
	if n, err := srv.Do("LLEN", "coding-relay:pace:"+items[0].Lane); n != "1" {
		t.Errorf("send times in Redis: %s (%v), want the one recorded", n, err)
	}
	if err := rs.Add("b", true, time.Now(), []*store.Item{{Robot: "ding", Lane: items[0].Lane}}, nil); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("a delivery ID the file remembered: %v, want ErrDuplicate", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "queue.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("queue.db still there: %v", err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "queue.db.moved-to-redis-*")); len(m) != 1 {
		t.Errorf("renamed file: %v", m)
	}
}

func loadAll(tb testing.TB, st *store.Store) []*store.Item {
	tb.Helper()
	var out []*store.Item
	if err := st.Pending(func(it *store.Item) error { out = append(out, it); return nil }); err != nil {
		tb.Fatal(err)
	}
	return out
}

// syncBuffer is a log the relay writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A Redis that would lose what it acknowledged (no AOF, evicting keys) is
// warned about at start-up; one that hides CONFIG (as managed services do)
// is said to be unchecked. The relay starts either way.
func TestServeWarnsAboutANonDurableRedis(t *testing.T) {
	srv := redistest.Start(t, "--appendonly", "no", "--maxmemory-policy", "allkeys-lru")
	logs := serveOnce(t, srv)
	for _, want := range []string{"without AOF (appendonly no)", "maxmemory-policy allkeys-lru"} {
		if !strings.Contains(logs, want) {
			t.Errorf("no warning %q in the log:\n%s", want, logs)
		}
	}
	hidden := redistest.Start(t, "--rename-command", "CONFIG", "")
	if logs := serveOnce(t, hidden); !strings.Contains(logs, "could not read Redis's persistence settings") {
		t.Errorf("no word about the unchecked settings in the log:\n%s", logs)
	}
}

// serveOnce runs the relay against srv until it listens, then stops it,
// and returns its log.
func serveOnce(t *testing.T, srv *redistest.Server) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- realMain(ctx, nil, io.Discard, logs, envconfig.MapLookuper(map[string]string{
			"RELAY_ADDR":      "127.0.0.1:0",
			"RELAY_ROBOTS":    "dingtalk+http://127.0.0.1:1/robot/send?access_token=tok",
			"RELAY_DATA_DIR":  t.TempDir(),
			"RELAY_REDIS_URL": srv.URL,
		}))
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), "coding-relay listening") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v\n%s", err, logs)
	}
	return logs.String()
}
